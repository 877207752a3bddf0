//! The docker command language.
//!
//! Two layers:
//! - [`shell`]: a line as a POSIX shell reads it (quotes, escapes, `|`, `&&`, `||`, `;`,
//!   redirections, `$VAR`, `$(…)`), parsed into a [`shell::Script`]. The same parser serves the
//!   host prompt of the REPL and the simulated shell inside containers; each has its own
//!   interpreter.
//! - [`spec`] + [`defs`] + [`parse`]: argv of a `docker …` command into an [`Invocation`],
//!   driven by one flag table per subcommand (the single source of truth for parsing, `--help`
//!   and completion), with docker's own usage errors and a "did you mean".

pub mod defs;
pub mod help;
pub mod parse;
pub mod shell;
pub mod spec;
pub mod suggest;

pub use parse::{parse_docker_args, Parsed, UsageError};
pub use spec::{ArgSpec, Cmd, CommandSpec, FlagKind, FlagSpec, Invocation};
