use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

/// The result of one case, whatever ran it: a lesson step, a wrong attempt, a broken file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseOutcome {
    pub file: PathBuf,
    /// 0 when the case is the file as a whole.
    pub line: usize,
    pub name: String,
    pub engine: String,
    #[serde(flatten)]
    pub status: CaseStatus,
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// Differences between the engines that passed because `parity.toml` explains them: where
    /// and why, one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explained: Vec<Explained>,
}

/// A difference between the engines that `parity.toml` explains.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explained {
    /// Where: `line 8: \`docker run ubuntu true\` stderr`.
    pub at: String,
    pub reason: String,
}

impl std::fmt::Display for Explained {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.reason)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum CaseStatus {
    Pass,
    Fail { message: String },
    Skip { reason: String },
}

impl CaseOutcome {
    /// A file that could not be loaded: a failed case of its own.
    pub fn broken(file: &Path, line: usize, message: String) -> CaseOutcome {
        CaseOutcome {
            file: file.to_path_buf(),
            line,
            name: file.display().to_string(),
            engine: String::new(),
            status: CaseStatus::Fail { message },
            duration: Duration::ZERO,
            explained: Vec::new(),
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self.status, CaseStatus::Fail { .. })
    }
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0)
}
