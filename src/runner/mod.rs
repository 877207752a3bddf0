//! Headless runs (`docktutor check`): lesson files, scenario files and markdown documents;
//! every case becomes a [`CaseOutcome`], and one report format renders them (human, JUnit XML,
//! TAP, JSON). `--engine both` runs each case on the simulator and on a real engine and
//! compares them; `--bless` rewrites expected output from what the simulator printed.

pub mod bless;
pub mod case;
pub mod compare;
pub mod document;
mod engines;
pub mod execute;
pub mod known;
pub mod matcher;
mod outcome;
pub mod parity;
pub mod redact;
pub mod report;
pub mod scenario;
mod shard;
pub mod table;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use outcome::{CaseOutcome, CaseStatus, Explained};
pub use shard::Shard;

use crate::engine::{EngineError, EngineSelector};
use crate::lesson::verify::verify_lesson;
use crate::lesson::LessonError;
pub use engines::engines_for;

/// What `docktutor check` runs.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    /// The engine every case runs on (the simulator under `--engine both`).
    pub engine: EngineSelector,
    pub jobs: usize,
    pub shard: Option<Shard>,
    /// Also run every case on a real engine and compare the two (`--engine both`).
    pub both: bool,
    /// Rewrite the expected output of scenarios and documents from what `engine` printed.
    pub bless: bool,
}

/// Everything a check run produced.
#[derive(Debug, Default)]
pub struct RunReport {
    pub outcomes: Vec<CaseOutcome>,
    /// Files `--bless` rewrote, with the number of expectations changed in each.
    pub blessed: Vec<(PathBuf, usize)>,
}

/// Lesson files, scenario files and markdown documents under `path`, sorted.
fn check_files(path: &Path) -> Result<Vec<PathBuf>, LessonError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| LessonError::whole_file(path, format!("cannot read the folder: {e}")))?;
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    let mut out = Vec::new();
    for p in entries {
        if p.is_dir() {
            out.extend(check_files(&p)?);
        } else if p.extension().is_some_and(|e| e == "toml" || e == "md")
            && p.file_name().is_some_and(|n| n != "parity.toml")
        {
            // `parity.toml` is the parity report's list of known differences (see `parity`).
            out.push(p);
        }
    }
    Ok(out)
}

/// Every file `check` will look at, in a stable order, after sharding.
pub fn collect_files(options: &CheckOptions) -> (Vec<PathBuf>, Vec<CaseOutcome>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in &options.paths {
        match check_files(p) {
            Ok(f) => files.extend(f),
            Err(e) => errors.push(CaseOutcome::broken(p, 0, e.to_string())),
        }
    }
    files.sort();
    files.dedup();
    if let Some(shard) = &options.shard {
        files = shard.select(files);
    }
    (files, errors)
}

/// Run every case; outcomes come back in file order whatever `jobs` is.
pub fn run(options: &CheckOptions) -> Vec<CaseOutcome> {
    run_report(options).outcomes
}

/// As [`run`], with what `--bless` rewrote.
pub fn run_report(options: &CheckOptions) -> RunReport {
    let (files, mut outcomes) = collect_files(options);
    if let Some(reason) = engine_unavailable(options.engine) {
        for f in &files {
            outcomes.push(CaseOutcome {
                file: f.clone(),
                line: 0,
                name: f.display().to_string(),
                engine: engine_name(options.engine),
                status: unavailable(reason.clone()),
                duration: Default::default(),
                explained: Vec::new(),
            });
        }
        return RunReport {
            outcomes,
            blessed: Vec::new(),
        };
    }
    // Under `both`, whether the real engine answers is asked once: when it does not, the
    // docker half of every case is a skip with this reason (never a pass).
    let docker = if options.both {
        Some(engine_unavailable(EngineSelector::Docker))
    } else {
        None
    };
    let jobs = options.jobs.max(1).min(files.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut per_file: Vec<FileResult> = (0..files.len()).map(|_| FileResult::default()).collect();
    let results = std::sync::Mutex::new(&mut per_file);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                let r = check_one(file, options, docker.as_ref());
                results.lock().expect("no worker panicked")[i] = r;
            });
        }
    });
    let mut blessed = Vec::new();
    for r in per_file {
        outcomes.extend(r.outcomes);
        blessed.extend(r.blessed);
    }
    RunReport { outcomes, blessed }
}

#[derive(Debug, Default)]
struct FileResult {
    outcomes: Vec<CaseOutcome>,
    blessed: Option<(PathBuf, usize)>,
}

/// The cases of a scenario file or document; `None` for a lesson file.
fn cases_of(file: &Path, text: &str) -> Option<Result<Vec<case::Case>, LessonError>> {
    if document::is_document(file) {
        Some(document::parse(file, text))
    } else if scenario::is_scenario(text) {
        Some(scenario::parse(file, text).map(|(_, cases)| cases))
    } else {
        None
    }
}

/// One file, on the chosen engine and, under `both`, on docker (`docker` is `Some(reason)`
/// when it cannot run).
fn check_one(file: &Path, options: &CheckOptions, docker: Option<&Option<String>>) -> FileResult {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            return FileResult {
                outcomes: vec![CaseOutcome::broken(
                    file,
                    0,
                    format!("{}: cannot read: {e}", file.display()),
                )],
                blessed: None,
            }
        }
    };
    let cases = match cases_of(file, &text) {
        None => {
            return FileResult {
                outcomes: check_lesson_both(file, options.engine, docker),
                blessed: None,
            }
        }
        Some(Err(e)) => {
            return FileResult {
                outcomes: vec![CaseOutcome::broken(file, e.line, e.render())],
                blessed: None,
            }
        }
        Some(Ok(cases)) => cases,
    };
    // What is known to differ on a real engine, and why (`parity.toml` next to the file).
    let known = match known::KnownDifferences::load(&parity::known_for(file)) {
        Ok(k) => k,
        Err(e) => {
            return FileResult {
                outcomes: vec![CaseOutcome::broken(file, 0, e)],
                blessed: None,
            }
        }
    };
    let runs = execute::run_cases(file, &cases, options.engine, options.bless, &known);
    if options.bless {
        let edits = bless::edits(&cases, &runs);
        if !edits.is_empty() {
            let count = edits.len();
            let new = bless::apply(&text, edits);
            if let Err(e) = crate::progress::write_atomically(file, new.as_bytes()) {
                return FileResult {
                    outcomes: vec![CaseOutcome::broken(
                        file,
                        0,
                        format!("{}: cannot write the blessed file: {e}", file.display()),
                    )],
                    blessed: None,
                };
            }
            // The report is of the blessed file, checked again from the start.
            let again = CheckOptions {
                bless: false,
                ..options.clone()
            };
            let mut r = check_one(file, &again, docker);
            r.blessed = Some((file.to_path_buf(), count));
            return r;
        }
    }
    let name = engine_name(options.engine);
    let mut outcomes = execute::outcomes(file, &cases, &runs, &name, "");
    let Some(docker) = docker else {
        return FileResult {
            outcomes,
            blessed: None,
        };
    };
    // Under `both`: each case's docker half and the comparison follow its simulator outcome.
    let docker_runs: Vec<execute::CaseRun> = match docker {
        Some(reason) => cases
            .iter()
            .map(|c| {
                let mut run = execute::CaseRun::skipped(String::new(), Default::default());
                run.status = match &c.skip {
                    Some(skip) => CaseStatus::Skip {
                        reason: skip.clone(),
                    },
                    None => unavailable(reason.clone()),
                };
                run
            })
            .collect(),
        None => execute::run_cases(file, &cases, EngineSelector::Docker, false, &known),
    };
    let docker_outcomes = execute::outcomes(file, &cases, &docker_runs, "docker", " [docker]");
    let mut merged = Vec::new();
    for (i, (sim, dock)) in outcomes.drain(..).zip(docker_outcomes).enumerate() {
        merged.push(sim);
        merged.push(dock);
        if docker.is_none()
            && cases[i].runs_on(case::Only::Sim)
            && cases[i].runs_on(case::Only::Docker)
        {
            let (status, explained) =
                compare::compare(file, &cases[i], &runs[i], &docker_runs[i], &known);
            merged.push(CaseOutcome {
                file: file.to_path_buf(),
                line: cases[i].line,
                name: format!("{} [sim = docker]", cases[i].name),
                engine: "both".into(),
                status,
                duration: Default::default(),
                explained,
            });
        }
    }
    FileResult {
        outcomes: merged,
        blessed: None,
    }
}

/// A lesson file on the chosen engine and, under `both`, on docker.
fn check_lesson_both(
    file: &Path,
    selector: EngineSelector,
    docker: Option<&Option<String>>,
) -> Vec<CaseOutcome> {
    let first = check_lesson_file(file, selector);
    let second = match docker {
        None => return first,
        Some(None) => check_lesson_file(file, EngineSelector::Docker),
        Some(Some(reason)) => first
            .iter()
            .map(|o| CaseOutcome {
                engine: "docker".into(),
                status: unavailable(reason.clone()),
                duration: Default::default(),
                ..o.clone()
            })
            .collect(),
    };
    let mut out = first;
    out.extend(second.into_iter().map(|o| CaseOutcome {
        name: format!("{} [docker]", o.name),
        ..o
    }));
    // The whole solution typed on both engines, every command and check compared.
    if let Some(None) = docker {
        if real_engine_skip(file).is_none() {
            out.extend(parity::check_lesson_file(file));
        }
    }
    out
}

/// Why `file`'s lesson cannot run on a real engine here (`needs = ["docker-hub"]`), if so.
fn real_engine_skip(file: &Path) -> Option<String> {
    let lesson = crate::lesson::load_file(file).ok()?;
    lesson
        .needs
        .first()
        .map(|n| n.real_engine_reason().to_string())
}

/// Whether `selector` means a real engine (`auto` does where a daemon answers).
fn is_real_engine(selector: EngineSelector) -> bool {
    match selector {
        EngineSelector::Sim => false,
        EngineSelector::Docker => true,
        EngineSelector::Auto => {
            let options = crate::engine::OpenOptions {
                deterministic: true,
                namespace: format!("probe-{}", std::process::id()),
            };
            crate::engine::open(selector, &options)
                .is_ok_and(|e| e.kind() == crate::engine::EngineKind::Docker)
        }
    }
}

/// A case that cannot run because its engine does not answer: skipped, except where CI has a
/// Docker socket, where a silent daemon is a failure of the machine, not something to skip.
fn unavailable(reason: String) -> CaseStatus {
    if std::env::var_os("CI").is_some() && Path::new("/var/run/docker.sock").exists() {
        CaseStatus::Fail {
            message: format!("CI is set and /var/run/docker.sock exists, but {reason}"),
        }
    } else {
        CaseStatus::Skip { reason }
    }
}

fn engine_name(selector: EngineSelector) -> String {
    match selector {
        EngineSelector::Sim => "sim",
        EngineSelector::Docker => "docker",
        EngineSelector::Auto => "auto",
    }
    .to_string()
}

/// Why the chosen engine cannot run cases, if it cannot (checked once, up front).
fn engine_unavailable(selector: EngineSelector) -> Option<String> {
    let options = crate::engine::OpenOptions {
        deterministic: true,
        namespace: format!("probe-{}", std::process::id()),
    };
    match crate::engine::open(selector, &options) {
        Ok(_) => None,
        Err(EngineError::Unreachable { tried, .. }) => Some(format!(
            "no Docker engine answered (tried {})",
            tried.join(", ")
        )),
        Err(e) => Some(e.to_string()),
    }
}

/// Check one file on one engine: a document, a scenario (it has `[[case]]` tables) or a lesson.
pub fn check_file(file: &Path, selector: EngineSelector) -> Vec<CaseOutcome> {
    let options = CheckOptions {
        paths: vec![file.to_path_buf()],
        engine: selector,
        jobs: 1,
        shard: None,
        both: false,
        bless: false,
    };
    check_one(file, &options, None).outcomes
}

/// Verify one lesson file: a case per step and per wrong attempt.
pub fn check_lesson_file(file: &Path, selector: EngineSelector) -> Vec<CaseOutcome> {
    let started = Instant::now();
    let lesson = match crate::lesson::load_file(file) {
        Ok(l) => l,
        Err(e) => {
            let mut o = CaseOutcome::broken(file, e.line, e.render());
            o.duration = started.elapsed();
            return vec![o];
        }
    };
    let scratch = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            return vec![CaseOutcome::broken(
                file,
                0,
                format!("cannot make a scratch folder: {e}"),
            )]
        }
    };
    if let Some(need) = lesson.needs.first() {
        if is_real_engine(selector) {
            return vec![CaseOutcome {
                file: file.to_path_buf(),
                line: 0,
                name: lesson.id.clone(),
                engine: engine_name(selector),
                status: CaseStatus::Skip {
                    reason: need.real_engine_reason().to_string(),
                },
                duration: started.elapsed(),
                explained: Vec::new(),
            }];
        }
    }
    // Each file gets its own namespace, so parallel jobs on one daemon never meet.
    let namespace = format!("check-{}-{}", std::process::id(), lesson.id);
    verify_lesson(&lesson, &engines_for(selector, &namespace), scratch.path())
        .into_iter()
        .map(|c| CaseOutcome {
            file: file.to_path_buf(),
            line: c.line,
            name: c.name,
            engine: engine_name(selector),
            status: if c.problems.is_empty() {
                CaseStatus::Pass
            } else {
                CaseStatus::Fail {
                    message: c.problems.join("\n"),
                }
            },
            duration: c.duration,
            explained: Vec::new(),
        })
        .collect()
}
