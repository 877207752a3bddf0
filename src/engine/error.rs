use thiserror::Error;

/// Why an engine call failed. The CLI layer turns these into docker's exact stderr text.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum EngineError {
    /// The daemon answered with an error. `message` is dockerd's text without the
    /// `Error response from daemon: ` prefix, which the CLI adds (e.g. `No such container: web`).
    #[error("{message}")]
    Daemon { status: u16, message: String },
    /// The process could not be started inside the container (the OCI runtime error).
    /// `exit_code` is what `docker run` exits with: 127 for "not found", 126 for "permission denied".
    #[error("{message}")]
    Runtime { exit_code: i32, message: String },
    /// This engine does not support the feature yet; `what` names it for a one-line message.
    #[error("{0} is not supported yet")]
    NotSupported(String),
    /// The tutor's sandbox refused an option or path on a real engine; `reason` says why.
    #[error("{reason}")]
    Refused { reason: String },
    /// No daemon answered. `tried` lists every address that was tried.
    #[error("cannot connect to the Docker daemon (tried {})", .tried.join(", "))]
    Unreachable { tried: Vec<String>, detail: String },
    /// Anything else: a transport or I/O failure, with context.
    #[error("{0}")]
    Other(String),
}

impl EngineError {
    pub fn daemon(status: u16, message: impl Into<String>) -> Self {
        EngineError::Daemon {
            status,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::daemon(404, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::daemon(409, message)
    }
}
