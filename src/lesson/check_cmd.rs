//! `docktutor check` over lesson files: load, verify every step and wrong attempt, report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use colored::Colorize;

use super::verify::{verify_lesson, LessonCase};
use crate::engine::{open, EngineSelector, OpenOptions};
use crate::tutor::EngineFactory;

/// A factory of engine factories: every tutor the check starts gets its own fresh engine.
pub fn engines_for(selector: EngineSelector, namespace: &str) -> impl Fn() -> EngineFactory {
    let namespace = namespace.to_string();
    move || {
        let options = OpenOptions {
            deterministic: true,
            namespace: namespace.clone(),
        };
        Box::new(move || open(selector, &options)) as EngineFactory
    }
}

/// Check every lesson file under `paths`; print a human report; non-zero exit on any failure.
pub fn run(paths: &[PathBuf], selector: EngineSelector, out: &mut dyn Write) -> ExitCode {
    let mut failed = 0usize;
    let mut passed = 0usize;
    let mut broken = 0usize;
    for path in paths {
        let files = match super::lesson_files(path) {
            Ok(f) => f,
            Err(e) => {
                let _ = writeln!(out, "{} {e}", "error:".red().bold());
                broken += 1;
                continue;
            }
        };
        for file in files {
            match check_file(&file, selector) {
                Ok(cases) => {
                    for case in &cases {
                        report_case(out, &file, case);
                        if case.passed() {
                            passed += 1;
                        } else {
                            failed += 1;
                        }
                    }
                }
                Err(e) => {
                    let _ = writeln!(out, "{} {}", "error:".red().bold(), e.render());
                    broken += 1;
                }
            }
        }
    }
    let summary = format!(
        "{passed} passed, {failed} failed{}",
        if broken > 0 {
            format!(", {broken} file(s) could not be loaded")
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "\n{summary}");
    if failed + broken > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Load and verify one lesson file.
pub fn check_file(
    file: &Path,
    selector: EngineSelector,
) -> Result<Vec<LessonCase>, super::LessonError> {
    let lesson = super::load_file(file)?;
    let scratch = tempfile::tempdir().map_err(|e| {
        super::LessonError::whole_file(file, format!("cannot make a scratch folder: {e}"))
    })?;
    let namespace = format!("check-{}", std::process::id());
    Ok(verify_lesson(
        &lesson,
        &engines_for(selector, &namespace),
        scratch.path(),
    ))
}

fn report_case(out: &mut dyn Write, file: &Path, case: &LessonCase) {
    if case.passed() {
        let _ = writeln!(out, "{} {}", "ok  ".green(), case.name);
    } else {
        let _ = writeln!(
            out,
            "{} {}  ({}:{})",
            "FAIL".red().bold(),
            case.name,
            file.display(),
            case.line
        );
        for p in &case.problems {
            let _ = writeln!(out, "     {p}");
        }
    }
}
