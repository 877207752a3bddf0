//! The learner's REPL (`docktutor learn`).
