//! Running cases on one engine: a fresh engine per case (or the previous case's session, for a
//! document read top to bottom), every step typed into a [`Session`] and judged.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::case::{Case, Only, Output, Step};
use super::known::{KnownDifferences, Subject, What};
use super::matcher::{matches_redacted, Captures};
use super::redact::Redaction;
use super::{CaseOutcome, CaseStatus, Explained};
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
    /// Mismatches with the file's expectations that `parity.toml` explains (real engine only).
    pub explained: Vec<Explained>,
    /// The workspace folder the case's host commands ran in (it shows in some output).
    pub workspace: Option<PathBuf>,
}

impl CaseRun {
    /// A case that did not run, and why.
    pub fn skipped(reason: String, duration: Duration) -> Self {
        CaseRun {
            status: CaseStatus::Skip { reason },
            results: Vec::new(),
            duration,
            explained: Vec::new(),
            workspace: None,
        }
    }
}

/// The side of `--engine` a selector stands for.
pub fn side(selector: EngineSelector) -> Only {
    match selector {
        EngineSelector::Sim => Only::Sim,
        EngineSelector::Docker | EngineSelector::Auto => Only::Docker,
    }
}

/// Run `cases` in order on `selector`. With `keep_going`, a case's steps all run even after a
/// mismatch (for `--bless`, which needs every step's output). On a real engine, a mismatch
/// that `known` explains is listed with its reason instead of failing the case; on the
/// simulator the file's expectations hold as written.
pub fn run_cases(
    file: &Path,
    cases: &[Case],
    selector: EngineSelector,
    keep_going: bool,
    known: &KnownDifferences,
) -> Vec<CaseRun> {
    let no_rules = KnownDifferences::default();
    let known = if side(selector) == Only::Docker {
        known
    } else {
        &no_rules
    };
    let mut session: Option<(Session, tempfile::TempDir)> = None;
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut runs = Vec::with_capacity(cases.len());
    for (index, case) in cases.iter().enumerate() {
        let started = Instant::now();
        let skipped = |reason: String| CaseRun::skipped(reason, started.elapsed());
        if let Some(reason) = &case.skip {
            runs.push(skipped(reason.clone()));
            continue;
        }
        if !case.runs_on(side(selector)) {
            if let Some(only) = &case.only {
                let on = match only.engine {
                    Only::Docker => "a real engine",
                    Only::Sim => "the simulator",
                };
                runs.push(skipped(format!("runs on {on} only: {}", only.because)));
            }
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
        let (s, dir) = session.as_mut().expect("opened above");
        let mut run = run_steps(file, case, s, keep_going, known);
        run.duration = started.elapsed();
        run.workspace = Some(dir.path().to_path_buf());
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

fn run_steps(
    file: &Path,
    case: &Case,
    session: &mut Session,
    keep_going: bool,
    known: &KnownDifferences,
) -> CaseRun {
    let mut captures = Captures::default();
    let mut results = Vec::new();
    let mut failures = Vec::new();
    let mut explained = Vec::new();
    let subject = Subject::case(file, &case.name);
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
                    for p in judge(step, &r, &case.redact, &mut captures) {
                        let output = [p.expected.as_str(), &r.stdout, &r.stderr];
                        match known.explain(subject, &step.run, p.what, &output) {
                            Some(reason) => explained.push(Explained {
                                at: format!("line {}: `{}` {}", step.line, step.run, p.what),
                                reason: reason.to_string(),
                            }),
                            None => problems.push(p.message),
                        }
                    }
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
        explained,
        workspace: None,
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

/// One way a step's result differs from its expectation.
#[derive(Debug)]
pub struct Problem {
    pub what: What,
    /// The expected text (or exit code).
    pub expected: String,
    /// For the report: what differs, with a diff.
    pub message: String,
}

/// What is wrong with one step's result (nothing when it is as expected).
pub fn judge(
    step: &Step,
    r: &LineResult,
    redactions: &[Redaction],
    captures: &mut Captures,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(exit) = &step.exit {
        if r.exit_code != exit.value {
            problems.push(Problem {
                what: What::ExitCode,
                expected: exit.value.to_string(),
                message: format!("exit code {} (expected {})", r.exit_code, exit.value),
            });
        }
    }
    let mut compare = |what: What, expected: &str, actual: &[String]| {
        let ok = actual
            .iter()
            .any(|a| matches_redacted(expected, a, redactions, captures));
        if !ok {
            problems.push(Problem {
                what,
                expected: expected.to_string(),
                message: format!(
                    "{what} differs:\n{}",
                    diff(what.as_str(), expected, &actual[0])
                ),
            });
        }
    };
    match &step.output {
        Output::Separate { stdout, stderr } => {
            if let Some(e) = stdout {
                compare(What::Stdout, &e.value, std::slice::from_ref(&r.stdout));
            }
            if let Some(e) = stderr {
                compare(What::Stderr, &e.value, std::slice::from_ref(&r.stderr));
            }
        }
        Output::Terminal(e) => {
            // The terminal interleaves the two streams; either order is accepted.
            let both = [terminal_text(r), format!("{}{}", r.stdout, r.stderr)];
            compare(What::Output, &e.value, &both);
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
    let known = match KnownDifferences::load(&super::parity::known_for(file)) {
        Ok(k) => k,
        Err(e) => return vec![CaseOutcome::broken(file, 0, e)],
    };
    let runs = run_cases(file, cases, selector, false, &known);
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
            explained: run.explained.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sim::SimEngine;

    fn case(text: &str) -> Case {
        let (_, mut cases) =
            super::super::scenario::parse(Path::new("scenarios/000-x.toml"), text).unwrap();
        cases.remove(0)
    }

    fn session(dir: &Path) -> Session {
        Session::new(Box::new(SimEngine::deterministic(1)), dir).unwrap()
    }

    const CASE: &str = r#"
format = 1
title = "T"
[[case]]
name = "c"
commands = [
  { run = "docker run busybox echo hi", stdout = "bye\n", stderr = "..." },
  { run = "docker run busybox echo again", stdout = "again\n" },
]
"#;

    #[test]
    fn a_known_difference_explains_a_mismatch_with_the_file_and_the_case_goes_on() {
        let known = KnownDifferences::parse(
            r#"
[[known]]
file = "000-*"
command = "docker run busybox echo *"
what = "stdout"
contains = "hi"
reason = "the engines greet differently"
"#,
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let c = case(CASE);
        let run = run_steps(
            Path::new("scenarios/000-x.toml"),
            &c,
            &mut session(dir.path()),
            false,
            &known,
        );
        assert_eq!(run.status, CaseStatus::Pass, "{:?}", run.status);
        assert_eq!(run.results.len(), 2, "the second line ran too");
        let explained: Vec<String> = run.explained.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            explained,
            ["line 7: `docker run busybox echo hi` stdout: the engines greet differently"]
        );

        // Without the rule, or for another file, the same mismatch fails the case.
        for (file, rules) in [
            ("scenarios/000-x.toml", KnownDifferences::default()),
            ("scenarios/001-x.toml", known.clone()),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let run = run_steps(Path::new(file), &c, &mut session(dir.path()), false, &rules);
            assert!(matches!(run.status, CaseStatus::Fail { .. }), "{file}");
        }
    }

    #[test]
    fn the_simulator_is_held_to_the_file_whatever_the_known_differences() {
        let known = KnownDifferences::parse(
            "[[known]]\ncommand = \"*\"\nwhat = \"stdout\"\nreason = \"anything\"\n",
        )
        .unwrap();
        let runs = run_cases(
            Path::new("scenarios/000-x.toml"),
            &[case(CASE)],
            EngineSelector::Sim,
            false,
            &known,
        );
        assert!(matches!(runs[0].status, CaseStatus::Fail { .. }));
        assert!(runs[0].explained.is_empty());
    }

    #[test]
    fn a_case_for_the_other_engine_is_a_skip_that_says_why() {
        let text = CASE.replace(
            "name = \"c\"\n",
            "name = \"c\"\nengine = \"docker\"\nbecause = \"it needs a real kernel\"\n",
        );
        let runs = run_cases(
            Path::new("s.toml"),
            &[case(&text)],
            EngineSelector::Sim,
            false,
            &KnownDifferences::default(),
        );
        assert_eq!(
            runs[0].status,
            CaseStatus::Skip {
                reason: "runs on a real engine only: it needs a real kernel".into()
            }
        );
    }
}
