//! docktutor: a terminal tutor and scenario runner for Docker.
//!
//! The binary is a thin shell over [`run`]; everything lives in this library so tests and
//! benchmarks can drive it in-process.

pub mod check;
pub mod cli;
pub mod client;
pub mod command;
pub mod dropin;
pub mod engine;
pub mod lesson;
pub mod maintenance;
pub mod progress;
pub mod render;
pub mod repl;
pub mod runner;
pub mod session;
pub mod tutor;

/// Parse the process arguments and run docktutor.
pub fn run() -> std::process::ExitCode {
    cli::main()
}
