//! Collects what a docker command prints, and docker's ways of printing errors.

use super::{Attachment, CommandResult};
use crate::engine::EngineError;

#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub notes: Vec<String>,
    pub attached: Option<Attachment>,
}

impl Output {
    pub fn print(&mut self, text: &str) {
        self.stdout.push_str(text);
    }
    pub fn println(&mut self, text: &str) {
        self.stdout.push_str(text);
        self.stdout.push('\n');
    }
    pub fn eprint(&mut self, text: &str) {
        self.stderr.push_str(text);
    }
    pub fn eprintln(&mut self, text: &str) {
        self.stderr.push_str(text);
        self.stderr.push('\n');
    }
    /// A note from docktutor itself, kept apart from docker's output.
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }
    /// One clear line for something the tutor does not do yet.
    pub fn unsupported(&mut self, what: &str) {
        self.eprintln(&format!("docktutor: {what} is not supported yet"));
    }
    /// How most commands print an engine error: `Error response from daemon: …`.
    pub fn engine_error(&mut self, e: &EngineError) {
        let text = error_text(e);
        self.eprintln(&text);
    }
    /// How `run`/`create` print errors: `docker: …` and a pointer to `--help`.
    pub fn run_error(&mut self, text: &str, command: &str) {
        self.eprintln(&format!(
            "docker: {text}\n\nRun 'docker {command} --help' for more information"
        ));
    }
    pub fn finish(self, exit_code: i32) -> CommandResult {
        CommandResult {
            stdout: self.stdout,
            stderr: self.stderr,
            exit_code: if self.attached.is_some() {
                0
            } else {
                exit_code
            },
            attached: self.attached,
            notes: self.notes,
        }
    }
}

/// The text the docker CLI prints for an engine error (without `docker: `).
pub fn error_text(e: &EngineError) -> String {
    match e {
        EngineError::Daemon { message, .. } | EngineError::Runtime { message, .. } => {
            format!("Error response from daemon: {message}")
        }
        EngineError::NotSupported(_) => format!("docktutor: {e}"),
        EngineError::Refused { reason } => format!("docktutor: refused: {reason}"),
        EngineError::Unreachable { tried, detail } => {
            let first = tried
                .first()
                .map(String::as_str)
                .unwrap_or("unix:///var/run/docker.sock");
            let mut s = format!(
                "Cannot connect to the Docker daemon at {first}. Is the docker daemon running?"
            );
            if !detail.is_empty() {
                s.push_str("\ndocktutor: ");
                s.push_str(detail);
            }
            s
        }
        EngineError::Other(m) => m.clone(),
    }
}
