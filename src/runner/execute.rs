//! Running cases on one engine: a fresh engine per case (or the previous case's session, for a
//! document read top to bottom), every step typed into a [`Session`] and judged.

use std::path::Path;
use std::time::{Duration, Instant};

use super::case::{Case, Only, Output, Step};
use super::matcher::{matches_redacted, Captures};
use super::redact::Redaction;
use super::{CaseOutcome, CaseStatus};
use crate::engine::{open, EngineSelector, OpenOptions};
use crate::session::{LineResult, Session};

/// One case's run on one engine.
#[derive(Debug)]
pub struct CaseRun {
    pub status: CaseStatus,
    /// What each step printed, in step order; `None` for a step that could not be typed.
    /// Shorter than the case's steps when it stopped at a mismatch.
    pub results: Vec<Option<LineResult>>,
    pub duration: Duration,
}

/// The side of `--engine` a selector stands for.
pub fn side(selector: EngineSelector) -> Only {
    match selector {
        EngineSelector::Sim => Only::Sim,
        EngineSelector::Docker | EngineSelector::Auto => Only::Docker,
    }
}

/// Run `cases` in order on `selector`. With `keep_going`, a case's steps all run even after a
/// mismatch (for `--bless`, which needs every step's output).
pub fn run_cases(
    file: &Path,
    cases: &[Case],
    selector: EngineSelector,
    keep_going: bool,
) -> Vec<CaseRun> {
    let mut session: Option<(Session, tempfile::TempDir)> = None;
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut runs = Vec::with_capacity(cases.len());
    for (index, case) in cases.iter().enumerate() {
        let started = Instant::now();
        let skipped = |reason: String| CaseRun {
            status: CaseStatus::Skip { reason },
            results: Vec::new(),
            duration: started.elapsed(),
        };
        if let Some(reason) = &case.skip {
            runs.push(skipped(reason.clone()));
            continue;
        }
        if !case.runs_on(side(selector)) {
            let only = match case.only {
                Some(Only::Docker) => "a real engine",
                _ => "the simulator",
            };
            runs.push(skipped(format!("runs on {only} only")));
            continue;
        }
        if !case.continues || session.is_none() {
            // Each case gets its own namespace, so parallel jobs on one daemon never meet.
            let namespace = format!("check-{}-{stem}-{index}", std::process::id());
            match new_session(selector, &namespace) {
                Ok(s) => session = Some(s),
                Err(reason) => {
                    session = None;
                    runs.push(skipped(reason));
                    continue;
                }
            }
        }
        let (s, _) = session.as_mut().expect("opened above");
        let mut run = run_steps(file, case, s, keep_going);
        run.duration = started.elapsed();
        runs.push(run);
    }
    runs
}

fn new_session(
    selector: EngineSelector,
    namespace: &str,
) -> Result<(Session, tempfile::TempDir), String> {
    let options = OpenOptions {
        deterministic: true,
        namespace: namespace.to_string(),
    };
    let engine = open(selector, &options).map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a workspace: {e}"))?;
    let session =
        Session::new(engine, dir.path()).map_err(|e| format!("cannot start a session: {e}"))?;
    Ok((session, dir))
}

fn prompt(step: &Step) -> &'static str {
    if step.in_container {
        "#"
    } else {
        "$"
    }
}

fn run_steps(file: &Path, case: &Case, session: &mut Session, keep_going: bool) -> CaseRun {
    let mut captures = Captures::default();
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for step in &case.steps {
        let mut problems = Vec::new();
        if case.prompts && step.in_container && session.attached().is_none() {
            results.push(None);
            problems.push(
                "this line is typed at a container prompt, but no container shell is attached"
                    .to_string(),
            );
        } else {
            if case.prompts && !step.in_container && session.attached().is_some() {
                // A host prompt while a container shell is open is another terminal: the
                // container keeps running.
                session.detach();
            }
            match line_with_stdin(session, step) {
                Ok(line) => {
                    let r = session.execute(&line);
                    problems = judge(step, &r, &case.redact, &mut captures);
                    results.push(Some(r));
                }
                Err(p) => {
                    results.push(None);
                    problems.push(p);
                }
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}:{}: {} {}\n{}",
                file.display(),
                step.line,
                prompt(step),
                step.run,
                problems.join("\n")
            ));
            if !keep_going {
                break;
            }
        }
    }
    let status = if failures.is_empty() {
        CaseStatus::Pass
    } else {
        let mut message = failures.join("\n");
        if let Some(d) = &case.differs {
            message.push_str(&format!("\n(where the note differs: {d})"));
        }
        CaseStatus::Fail { message }
    };
    CaseRun {
        status,
        results,
        duration: Duration::ZERO,
    }
}

/// The line to type: with `stdin`, the input is written to a file in the workspace and
/// redirected in (the host shell reads `< file`).
fn line_with_stdin(session: &Session, step: &Step) -> Result<String, String> {
    let Some(input) = &step.stdin else {
        return Ok(step.run.clone());
    };
    if step.run.contains('|') || step.in_container {
        return Err(
            "`stdin` works on a single host command; pipe into a pipeline with `echo … |` instead"
                .into(),
        );
    }
    let name = ".docktutor-stdin";
    std::fs::write(session.cwd().join(name), input)
        .map_err(|e| format!("cannot write the stdin file: {e}"))?;
    Ok(format!("{} < {name}", step.run))
}

/// What is wrong with one step's result (nothing when it is as expected).
pub fn judge(
    step: &Step,
    r: &LineResult,
    redactions: &[Redaction],
    captures: &mut Captures,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(exit) = &step.exit {
        if r.exit_code != exit.value {
            problems.push(format!(
                "exit code {} (expected {})",
                r.exit_code, exit.value
            ));
        }
    }
    let mut compare = |what: &str, expected: &str, actual: &[String]| {
        let ok = actual
            .iter()
            .any(|a| matches_redacted(expected, a, redactions, captures));
        if !ok {
            problems.push(format!(
                "{what} differs:\n{}",
                diff(what, expected, &actual[0])
            ));
        }
    };
    match &step.output {
        Output::Separate { stdout, stderr } => {
            if let Some(e) = stdout {
                compare("stdout", &e.value, std::slice::from_ref(&r.stdout));
            }
            if let Some(e) = stderr {
                compare("stderr", &e.value, std::slice::from_ref(&r.stderr));
            }
        }
        Output::Terminal(e) => {
            // The terminal interleaves the two streams; either order is accepted.
            let both = [terminal_text(r), format!("{}{}", r.stdout, r.stderr)];
            compare("output", &e.value, &both);
        }
    }
    problems
}

/// What a terminal shows for a result: stderr (pull messages, errors) first, then stdout.
pub fn terminal_text(r: &LineResult) -> String {
    format!("{}{}", r.stderr, r.stdout)
}

pub fn diff(what: &str, expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .header(&format!("expected {what}"), &format!("actual {what}"))
        .to_string()
}

/// Check cases on one engine and report an outcome per case.
pub fn check_cases(
    file: &Path,
    cases: &[Case],
    selector: EngineSelector,
    engine_name: &str,
) -> Vec<CaseOutcome> {
    let runs = run_cases(file, cases, selector, false);
    outcomes(file, cases, &runs, engine_name, "")
}

/// Outcomes of runs, named after their cases with `suffix` (` [docker]`).
pub fn outcomes(
    file: &Path,
    cases: &[Case],
    runs: &[CaseRun],
    engine_name: &str,
    suffix: &str,
) -> Vec<CaseOutcome> {
    cases
        .iter()
        .zip(runs)
        .map(|(case, run)| CaseOutcome {
            file: file.to_path_buf(),
            line: case.line,
            name: format!("{}{suffix}", case.name),
            engine: engine_name.to_string(),
            status: run.status.clone(),
            duration: run.duration,
        })
        .collect()
}
