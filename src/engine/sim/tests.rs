//! Engine-level tests of the simulator.
