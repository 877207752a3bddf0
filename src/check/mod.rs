//! Engine-neutral checks of observable state, each with the sentence shown when it fails.
