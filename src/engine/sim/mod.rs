//! The simulated Docker daemon.
