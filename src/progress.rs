//! The learner's progress: which steps and lessons are done, saved atomically in the per-user
//! data folder (`$DOCKTUTOR_DATA` overrides it) and resumed by the next `docktutor learn`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const FORMAT: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub format: u32,
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LessonProgress {
    #[serde(default)]
    pub steps_done: BTreeSet<String>,
    #[serde(default)]
    pub completed: bool,
    /// The step the learner was on when they left.
    #[serde(default)]
    pub current_step: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProgressError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a progress file docktutor can read ({reason}); it was left as it is")]
    Corrupt { path: PathBuf, reason: String },
    #[error("{path} was written by a newer docktutor (format {found}, this one reads {FORMAT}); it was left as it is")]
    Newer { path: PathBuf, found: u32 },
    #[error("cannot save progress to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Write `bytes` to `path` atomically: a temporary file beside it, synced, then renamed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The data folder: `$DOCKTUTOR_DATA`, else the platform's per-user data dir.
pub fn data_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("DOCKTUTOR_DATA") {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("docktutor")
}

pub fn default_path() -> PathBuf {
    data_dir().join("progress.json")
}

impl Progress {
    /// Load progress; a missing file is a fresh start. A corrupt or newer file is an error and is
    /// never overwritten by [`Progress::save`] callers that stop on it.
    pub fn load(path: &Path) -> Result<Progress, ProgressError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Progress {
                    format: FORMAT,
                    ..Default::default()
                })
            }
            Err(source) => {
                return Err(ProgressError::Read {
                    path: path.into(),
                    source,
                })
            }
        };
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| ProgressError::Corrupt {
                path: path.into(),
                reason: e.to_string(),
            })?;
        let found = value.get("format").and_then(|f| f.as_u64()).unwrap_or(0) as u32;
        if found > FORMAT {
            return Err(ProgressError::Newer {
                path: path.into(),
                found,
            });
        }
        serde_json::from_value(value).map_err(|e| ProgressError::Corrupt {
            path: path.into(),
            reason: e.to_string(),
        })
    }

    /// Write atomically: a temporary file in the same folder, then a rename.
    pub fn save(&self, path: &Path) -> Result<(), ProgressError> {
        let err = |source| ProgressError::Write {
            path: path.into(),
            source,
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(err)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
        let mut doc = self.clone();
        doc.format = FORMAT;
        let text = serde_json::to_string_pretty(&doc).map_err(|e| err(std::io::Error::other(e)))?;
        tmp.write_all(text.as_bytes()).map_err(err)?;
        tmp.as_file().sync_all().map_err(err)?;
        tmp.persist(path).map_err(|e| err(e.error))?;
        Ok(())
    }

    pub fn lesson(&mut self, id: &str) -> &mut LessonProgress {
        self.lessons.entry(id.to_string()).or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_corrupt_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        let mut p = Progress::load(&path).unwrap();
        p.lesson("images-vs-containers")
            .steps_done
            .insert("first".into());
        p.save(&path).unwrap();
        assert_eq!(
            Progress::load(&path).unwrap().lessons["images-vs-containers"]
                .steps_done
                .len(),
            1
        );

        std::fs::write(&path, "{not json").unwrap();
        assert!(matches!(
            Progress::load(&path),
            Err(ProgressError::Corrupt { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{not json");

        std::fs::write(&path, r#"{"format": 99}"#).unwrap();
        let e = Progress::load(&path).unwrap_err();
        assert!(e.to_string().contains("newer docktutor (format 99"), "{e}");
    }
}
