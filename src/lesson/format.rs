//! The lesson file format, version 1 (documented in `lessons/README.md`), as serde reads it.
//! [`super::load`] turns these raw tables into [`super::Lesson`] and validates them.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::check::{
    ContainerCheck, ContainersCheck, FileCheck, HostCheck, ImageCheck, LastCheck, LogsCheck,
    PromptCheck,
};

/// The format this docktutor reads and writes.
pub const FORMAT: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLesson {
    pub format: Spanned<u32>,
    pub id: Spanned<String>,
    pub title: String,
    /// The source note (`000_a9501b6c0bab373b.txt`).
    pub note: Option<String>,
    /// Curriculum unit ids covered (`000.3`).
    #[serde(default)]
    pub units: Vec<Spanned<String>>,
    /// Markdown shown before the first step.
    #[serde(default)]
    pub intro: String,
    /// Markdown shown when the lesson is complete.
    #[serde(default)]
    pub outro: String,
    #[serde(default)]
    pub setup: RawSetup,
    #[serde(rename = "step", default)]
    pub steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSetup {
    /// Files created in the workspace before the lesson starts (path -> content).
    #[serde(default)]
    pub files: BTreeMap<Spanned<String>, String>,
    /// Tar archives created in the workspace (archive path -> member path -> content).
    #[serde(default)]
    pub archives: BTreeMap<Spanned<String>, BTreeMap<String, String>>,
    /// Command lines run quietly before the lesson starts.
    #[serde(default)]
    pub commands: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub id: Spanned<String>,
    pub title: Option<String>,
    /// Markdown: what to do.
    pub text: String,
    /// Markdown shown when the step passes: what happened and why.
    #[serde(default)]
    pub explain: String,
    pub solution: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub hints: Vec<String>,
    pub checks: Option<Spanned<Vec<Spanned<RawCheck>>>>,
    #[serde(default)]
    pub wrong: Vec<Spanned<RawWrong>>,
}

/// One check as written: exactly one predicate key plus `fail`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub container: Option<ContainerCheck>,
    pub containers: Option<ContainersCheck>,
    pub file: Option<FileCheck>,
    pub host: Option<HostCheck>,
    pub image: Option<ImageCheck>,
    pub last: Option<LastCheck>,
    pub logs: Option<LogsCheck>,
    pub prompt: Option<PromptCheck>,
    pub fail: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWrong {
    /// What a learner might type instead of the solution (replayed by `docktutor check`).
    pub commands: Vec<Spanned<String>>,
    /// The hint this attempt should earn.
    pub hint: String,
    /// Recognise the attempt by a typed line matching this glob…
    pub typed: Option<crate::check::Globs>,
    /// …and/or by these checks all holding after it.
    #[serde(default)]
    pub when: Vec<Spanned<RawCheck>>,
}
