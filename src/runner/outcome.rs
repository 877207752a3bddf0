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
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self.status, CaseStatus::Fail { .. })
    }
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0)
}
