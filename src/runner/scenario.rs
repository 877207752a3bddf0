//! Scenario files (`scenarios/*.toml`, format 1): command lines with their expected output and
//! exit code, each case on a fresh engine. Documented in `scenarios/README.md`.

use std::path::Path;
use std::time::Instant;

use serde::Deserialize;
use toml::Spanned;

use super::matcher::matches;
use super::{CaseOutcome, CaseStatus};
use crate::engine::{open, EngineSelector, OpenOptions};
use crate::lesson::LessonError;
use crate::session::Session;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    format: Spanned<u32>,
    title: String,
    /// The note the scenario checks (`001_1b1bfe09f1d5051a.txt`).
    #[allow(dead_code)]
    note: Option<String>,
    #[serde(rename = "case")]
    cases: Vec<RawCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    /// Where the note differs from today's Docker, in words (shown in reports).
    #[allow(dead_code)]
    differs: Option<String>,
    /// Set to skip the case, with the reason.
    skip: Option<String>,
    commands: Vec<Spanned<RawCommand>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommand {
    run: String,
    /// Expected exit code (default 0).
    exit: Option<i32>,
    stdout: Option<String>,
    stderr: Option<String>,
    /// stdin for the line, when it reads input (lines typed into an attached shell are
    /// commands of their own).
    #[allow(dead_code)]
    stdin: Option<String>,
}

/// Whether a TOML file is a scenario (it has `[[case]]` tables) rather than a lesson.
pub fn is_scenario(text: &str) -> bool {
    text.lines().any(|l| l.trim() == "[[case]]")
}

pub fn check_file(
    file: &Path,
    text: &str,
    selector: EngineSelector,
    engine_name: &str,
) -> Vec<CaseOutcome> {
    let raw: RawScenario = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            let err = LessonError::at(file, text, offset, e.message().trim().replace('\n', " "));
            return vec![CaseOutcome::broken(file, err.line, err.render())];
        }
    };
    if *raw.format.get_ref() != 1 {
        let err = LessonError::at(
            file,
            text,
            raw.format.span().start,
            format!(
                "scenario format {} is not one this docktutor reads (1)",
                raw.format.get_ref()
            ),
        );
        return vec![CaseOutcome::broken(file, err.line, err.render())];
    }
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let mut out = Vec::new();
    for case in raw.cases {
        let started = Instant::now();
        let line = case.commands.first().map_or(1, |c| line_of(c.span().start));
        let name = format!("{}: {}", raw.title, case.name);
        let status = match &case.skip {
            Some(reason) => CaseStatus::Skip {
                reason: reason.clone(),
            },
            None => run_case(&case, selector, &line_of),
        };
        out.push(CaseOutcome {
            file: file.to_path_buf(),
            line,
            name,
            engine: engine_name.to_string(),
            status,
            duration: started.elapsed(),
        });
    }
    out
}

fn run_case(
    case: &RawCase,
    selector: EngineSelector,
    line_of: &dyn Fn(usize) -> usize,
) -> CaseStatus {
    let options = OpenOptions {
        deterministic: true,
        namespace: format!("scenario-{}", std::process::id()),
    };
    let engine = match open(selector, &options) {
        Ok(e) => e,
        Err(e) => {
            return CaseStatus::Skip {
                reason: e.to_string(),
            }
        }
    };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            return CaseStatus::Fail {
                message: format!("cannot make a workspace: {e}"),
            }
        }
    };
    let mut session = match Session::new(engine, dir.path()) {
        Ok(s) => s,
        Err(e) => {
            return CaseStatus::Fail {
                message: format!("cannot start a session: {e}"),
            }
        }
    };
    for cmd in &case.commands {
        let at = line_of(cmd.span().start);
        let c = cmd.get_ref();
        let r = session.execute(&c.run);
        let mut problems = Vec::new();
        let want = c.exit.unwrap_or(0);
        if r.exit_code != want {
            problems.push(format!("exit code {} (expected {want})", r.exit_code));
        }
        for (what, expected, actual) in [
            ("stdout", &c.stdout, &r.stdout),
            ("stderr", &c.stderr, &r.stderr),
        ] {
            if let Some(expected) = expected {
                if !matches(expected, actual) {
                    let diff = similar::TextDiff::from_lines(expected.as_str(), actual.as_str())
                        .unified_diff()
                        .header(&format!("expected {what}"), &format!("actual {what}"))
                        .to_string();
                    problems.push(format!("{what} differs:\n{diff}"));
                }
            }
        }
        if !problems.is_empty() {
            return CaseStatus::Fail {
                message: format!("line {at}: $ {}\n{}", c.run, problems.join("\n")),
            };
        }
    }
    CaseStatus::Pass
}
