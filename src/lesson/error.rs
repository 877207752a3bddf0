use std::fmt;
use std::path::{Path, PathBuf};

/// Why a lesson file could not be used: where (`file:line:col`) and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    pub file: PathBuf,
    /// 1-based; 0 when the problem is the file as a whole (cannot be read).
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending line of the file, for a caret under the column.
    pub source_line: Option<String>,
}

impl LessonError {
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        LessonError {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            message: message.into(),
            source_line: None,
        }
    }

    /// An error at byte `offset` of `text`.
    pub fn at(file: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        let source_line = text[line_start..].lines().next().map(str::to_string);
        LessonError {
            file: file.to_path_buf(),
            line,
            column,
            message: message.into(),
            source_line,
        }
    }

    /// The message with the source line and a caret, as a compiler prints it.
    pub fn render(&self) -> String {
        let mut out = self.to_string();
        if let Some(src) = &self.source_line {
            let gutter = self.line.to_string().len();
            out.push_str(&format!(
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | {}^",
                "",
                self.line,
                src,
                "",
                " ".repeat(self.column.saturating_sub(1))
            ));
        }
        out
    }
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl std::error::Error for LessonError {}
