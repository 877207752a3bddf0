//! Headless runs (`docktutor check`): lesson files today; every case becomes a [`CaseOutcome`],
//! and one report format renders them (human, JUnit XML, TAP, JSON).

mod engines;
pub mod matcher;
mod outcome;
pub mod report;
pub mod scenario;
mod shard;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use outcome::{CaseOutcome, CaseStatus};
pub use shard::Shard;

use crate::engine::{EngineError, EngineSelector};
use crate::lesson::verify::verify_lesson;
pub use engines::engines_for;

/// What `docktutor check` runs.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub engine: EngineSelector,
    pub jobs: usize,
    pub shard: Option<Shard>,
}

/// Every file `check` will look at, in a stable order, after sharding.
pub fn collect_files(options: &CheckOptions) -> (Vec<PathBuf>, Vec<CaseOutcome>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in &options.paths {
        match crate::lesson::lesson_files(p) {
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
    let (files, mut outcomes) = collect_files(options);
    if let Some(reason) = engine_unavailable(options.engine) {
        for f in &files {
            outcomes.push(CaseOutcome {
                file: f.clone(),
                line: 0,
                name: f.display().to_string(),
                engine: engine_name(options.engine),
                status: CaseStatus::Skip {
                    reason: reason.clone(),
                },
                duration: Default::default(),
            });
        }
        return outcomes;
    }
    let jobs = options.jobs.max(1).min(files.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut per_file: Vec<Vec<CaseOutcome>> = vec![Vec::new(); files.len()];
    let results = std::sync::Mutex::new(&mut per_file);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                let cases = check_file(file, options.engine);
                results.lock().expect("no worker panicked")[i] = cases;
            });
        }
    });
    outcomes.extend(per_file.into_iter().flatten());
    outcomes
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

/// Check one file: a scenario (it has `[[case]]` tables) or a lesson.
pub fn check_file(file: &Path, selector: EngineSelector) -> Vec<CaseOutcome> {
    match std::fs::read_to_string(file) {
        Ok(text) if scenario::is_scenario(&text) => {
            scenario::check_file(file, &text, selector, &engine_name(selector))
        }
        Ok(_) => check_lesson_file(file, selector),
        Err(e) => vec![CaseOutcome::broken(
            file,
            0,
            format!("{}: cannot read: {e}", file.display()),
        )],
    }
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
        })
        .collect()
}
