//! Lesson files: format, loading with file:line:col errors, validation.
