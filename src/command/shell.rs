//! A POSIX-shell subset: what learners type at the host prompt and inside containers.
//!
//! Parsing is shared; interpretation is not (the REPL's host shell and the simulator's
//! container shell each walk the [`Script`]). Expansion goes through [`ExpandContext`] so each
//! interpreter supplies its own variables, command substitution and globbing.

/// A whole line: and-or lists separated by `;` or newlines (or `&`, which the tutor
/// reports as not supported).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Script {
    pub items: Vec<AndOr>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
    /// Ended by `&`.
    pub background: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// `&&`
    And,
    /// `||`
    Or,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// `! cmd`
    pub negated: bool,
    pub commands: Vec<SimpleCommand>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    /// `A=1 B=2 cmd` prefix assignments (or a bare `A=1` line).
    pub assignments: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

/// One shell word before expansion, as a sequence of differently-quoted parts
/// (`"$HOME"/x'y'` is DoubleQuoted([Variable]) + Literal("/x") + SingleQuoted("y")).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Word {
    pub parts: Vec<WordPart>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordPart {
    /// Unquoted text (backslash escapes already removed); subject to globbing.
    Literal(String),
    /// `'…'` — taken verbatim.
    SingleQuoted(String),
    /// `"…"` — variables and command substitutions expand, no field splitting or globbing.
    DoubleQuoted(Vec<WordPart>),
    /// `$NAME`, `${NAME}`, `$?`, `$1`…; unquoted results are field-split.
    Variable(String),
    /// `$(…)` or `` `…` ``; unquoted results are field-split.
    CommandSubst(Box<Script>),
    /// A leading `~` (home directory).
    Tilde,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor redirected (1 for `>`, 0 for `<`, 2 for `2>`).
    pub fd: u32,
    pub kind: RedirectKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectKind {
    /// `> file`
    Write(Word),
    /// `>> file`
    Append(Word),
    /// `< file`
    Read(Word),
    /// `2>&1`: duplicate onto another descriptor.
    Dup(u32),
    /// `<<EOF` here-documents are not supported; the parser reports them.
    HereString(Word),
}

/// What expansion needs from an interpreter.
pub trait ExpandContext {
    /// The value of a variable (`None` when unset: expands to nothing).
    fn var(&self, name: &str) -> Option<String>;
    /// Run a command substitution and return its stdout (trailing newlines are stripped by the
    /// expander, as sh does).
    fn command_output(&mut self, script: &Script) -> String;
    /// Paths matching a glob pattern (`*.txt`, `/var/lib/apt/lists/*`), sorted; an empty
    /// result leaves the word as written, as sh does.
    fn glob(&self, pattern: &str) -> Vec<String>;
    /// The home directory for `~`.
    fn home(&self) -> String;
}

/// A syntax error with the column (0-based char offset) where it was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    pub message: String,
    pub offset: usize,
}
