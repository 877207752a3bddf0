//! What scenario files and markdown documents become: cases of command lines with expected
//! output, each remembering where its expectations sit in the file (for reports and `--bless`).

use std::ops::Range;

use super::redact::Redaction;

/// Which engines a case runs on (a document's `engine=` directive, a scenario's `engine`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Only {
    Sim,
    Docker,
}

/// A case that runs on one engine only, and why (the other engine's skip says so).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnlyOn {
    pub engine: Only,
    pub because: String,
}

#[derive(Clone, Debug)]
pub struct Case {
    pub name: String,
    /// 1-based line of the case's first command (of the file when it has none).
    pub line: usize,
    pub skip: Option<String>,
    /// Where the source note differs from today's Docker, in words.
    pub differs: Option<String>,
    pub redact: Vec<Redaction>,
    pub only: Option<OnlyOn>,
    /// Runs in the session the previous case left (a document read top to bottom) instead of
    /// on a fresh engine.
    pub continues: bool,
    /// Whether the steps say which prompt they are typed at (documents): a host line then
    /// leaves an open container shell running, as in another terminal. Scenario lines go
    /// wherever the session is, like a learner's typing.
    pub prompts: bool,
    pub steps: Vec<Step>,
}

/// One typed line and what it should print.
#[derive(Clone, Debug)]
pub struct Step {
    pub run: String,
    pub line: usize,
    /// Typed at a container prompt (`# ls`, `root@4afa46473802:/# ls`) rather than the host's.
    pub in_container: bool,
    pub exit: Option<Expected<i32>>,
    pub stdin: Option<String>,
    pub output: Output,
}

#[derive(Clone, Debug)]
pub enum Output {
    /// A scenario's `stdout` and `stderr`, each compared when given.
    Separate {
        stdout: Option<Expected<String>>,
        stderr: Option<Expected<String>>,
    },
    /// A console block shows the terminal: stderr and stdout together.
    Terminal(Expected<String>),
}

/// An expected value and where it is written.
#[derive(Clone, Debug)]
pub struct Expected<T> {
    pub value: T,
    pub place: Place,
}

/// Where an expectation sits in its file, so `--bless` can rewrite it in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A TOML string or integer value at this byte range (the whole literal, quotes included).
    Toml(Range<usize>),
    /// A TOML field that is absent: `, key = value` is inserted at this byte offset.
    TomlAbsent(usize),
    /// Lines of a markdown code block (whole lines, newlines included), each indented by
    /// `indent` spaces; an empty range is where lines go when there were none.
    Lines { range: Range<usize>, indent: usize },
    /// Not rewritable (a directive's value).
    Fixed,
}

impl Case {
    pub fn runs_on(&self, engine: Only) -> bool {
        self.only.as_ref().is_none_or(|o| o.engine == engine)
    }
}
