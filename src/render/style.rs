//! Semantic colours: code says what a piece of text *is* (a success, a hint, a command), and
//! this module decides how it looks — or that it is plain, under `NO_COLOR` or off a terminal.

use std::sync::atomic::{AtomicU8, Ordering};

use colored::Colorize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Title,
    Heading,
    Emphasis,
    Strong,
    /// Inline code in prose.
    Code,
    /// A command line to type.
    Command,
    Success,
    Failure,
    Hint,
    /// Secondary information (what a check found, docktutor's own notes).
    Dim,
}

/// 0 = not decided yet, 1 = off, 2 = on.
static STATE: AtomicU8 = AtomicU8::new(0);

/// Decide once: colour only on a terminal and when `NO_COLOR` is unset.
pub fn init_from_env() {
    use std::io::IsTerminal;
    let on = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal();
    force(on);
}

/// Turn colour on or off (tests force it off for snapshots).
pub fn force(on: bool) {
    STATE.store(if on { 2 } else { 1 }, Ordering::Relaxed);
    colored::control::set_override(on);
}

pub fn enabled() -> bool {
    STATE.load(Ordering::Relaxed) == 2
}

pub fn paint(role: Role, text: &str) -> String {
    if !enabled() {
        return text.to_string();
    }
    let s = match role {
        Role::Title => text.bold().underline(),
        Role::Heading => text.bold(),
        Role::Emphasis => text.italic(),
        Role::Strong => text.bold(),
        Role::Code => text.cyan(),
        Role::Command => text.cyan().bold(),
        Role::Success => text.green().bold(),
        Role::Failure => text.red().bold(),
        Role::Hint => text.yellow(),
        Role::Dim => text.dimmed(),
    };
    s.to_string()
}
