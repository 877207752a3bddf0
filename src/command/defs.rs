//! One flag table per docker subcommand: the single source of truth.

use super::spec::CommandSpec;

pub static COMMANDS: &[CommandSpec] = &[];
