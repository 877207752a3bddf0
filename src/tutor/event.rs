use crate::session::LineResult;

/// A failing check, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The lesson's sentence.
    pub sentence: String,
    /// What the check found instead.
    pub found: String,
}

/// Something the tutor has to say. The REPL renders these; `docktutor check` inspects them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// What a typed command printed.
    Output(LineResult),
    /// A line of a reference solution run by `:skip` (shown with its command).
    Replayed(LineResult),
    StepIntro {
        index: usize,
        total: usize,
        title: Option<String>,
        text: String,
    },
    /// The current step's checks all hold.
    StepPassed {
        id: String,
        explain: String,
    },
    LessonComplete {
        title: String,
        outro: String,
    },
    /// The step is not done; the first failing check.
    NotYet {
        failure: Failure,
    },
    /// A mistake the lesson anticipated, with its hint.
    WrongAttempt {
        hint: String,
    },
    Hint {
        text: String,
        number: usize,
        total: usize,
    },
    Why {
        failures: Vec<Failure>,
    },
    Solution {
        lines: Vec<String>,
    },
    /// `:skip` ran the solution but the step's checks still fail (earlier state differs).
    SkipDiverged {
        failures: Vec<Failure>,
    },
    State(String),
    Info(String),
}
