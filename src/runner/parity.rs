//! The parity report: a lesson's whole solution typed on the simulator and on a real engine,
//! every command's stdout, stderr and exit code and every step's checks compared after
//! normalising what differs by nature (ids, generated names, times, sizes, column widths).
//!
//! Differences that are understood are listed in `lessons/parity.toml` with the reason; the
//! report shows them as explained. Any other difference fails the case.

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use super::known::KnownDifferences;
use super::known::{Subject, What};
use super::{CaseOutcome, CaseStatus};
use crate::check::{evaluate, Verdict};
use crate::engine::{EngineError, SendEngine};
use crate::lesson::Lesson;
use crate::session::Session;

/// What one typed line (or one step's checks) produced, on one engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    pub step: String,
    /// The command line, or `(checks)` for a step's state checks.
    pub command: String,
    pub line: usize,
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

/// One difference between the engines, with its explanation when one is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub step: String,
    pub command: String,
    pub line: usize,
    /// `stdout`, `stderr`, `exit code` or `checks`.
    pub what: &'static str,
    pub sim: String,
    pub docker: String,
    pub explained: Option<String>,
}

/// Type the lesson's setup and every step's solution into a fresh session on `engine`.
pub fn observe(
    lesson: &Lesson,
    engine: SendEngine,
    workspace: &Path,
) -> Result<Vec<Observed>, String> {
    lesson
        .setup
        .write_files(workspace)
        .map_err(|e| e.to_string())?;
    let mut session = Session::new(engine, workspace).map_err(|e| e.to_string())?;
    for line in &lesson.setup.commands {
        session.execute(&line.text);
    }
    session.forget_created();
    // Each engine has its own workspace folder; a path into it (in a build's error, say) is
    // the same path to the learner.
    let folder = session.workspace().display().to_string();
    let unfold = |text: String| text.replace(&folder, "<WORKSPACE>");
    let mut seen = Vec::new();
    for step in &lesson.steps {
        session.begin_step();
        for line in &step.solution {
            let r = session.execute(&line.text);
            seen.push(Observed {
                step: step.id.clone(),
                command: line.text.clone(),
                line: line.line,
                stdout: unfold(r.stdout),
                stderr: unfold(r.stderr),
                exit_code: r.exit_code,
            });
        }
        let mut verdicts = String::new();
        for check in &step.checks {
            let mut context = session.check_context();
            let verdict = match evaluate(check, &mut context) {
                Verdict::Pass => "pass".to_string(),
                Verdict::Fail { sentence, .. } => format!("fail: {sentence}"),
            };
            verdicts.push_str(&verdict);
            verdicts.push('\n');
        }
        seen.push(Observed {
            step: step.id.clone(),
            command: "(checks)".into(),
            line: step.line,
            stdout: verdicts,
            stderr: String::new(),
            exit_code: 0,
        });
    }
    if session.end_of_input().is_some() {
        // A solution that ends inside a container: leave it, as the learner would.
    }
    Ok(seen)
}

/// Compare two transcripts line by line.
pub fn compare(
    lesson: &str,
    sim: &[Observed],
    docker: &[Observed],
    known: &KnownDifferences,
) -> Vec<Difference> {
    let mut out = Vec::new();
    for (s, d) in sim.iter().zip(docker) {
        let streams = [
            normalise(&s.stdout),
            normalise(&s.stderr),
            normalise(&d.stdout),
            normalise(&d.stderr),
        ];
        let pairs = [
            (What::Stdout, &streams[0], &streams[2]),
            (What::Stderr, &streams[1], &streams[3]),
        ]
        .map(|(w, a, b)| (w, a.clone(), b.clone()));
        let exit = (
            What::ExitCode,
            s.exit_code.to_string(),
            d.exit_code.to_string(),
        );
        for (what, a, b) in pairs.into_iter().chain([exit]) {
            if a != b {
                let what = if s.command == "(checks)" {
                    What::Checks
                } else {
                    what
                };
                let output: Vec<&str> = streams.iter().map(String::as_str).collect();
                let explained = known
                    .explain(Subject::lesson(lesson), &s.command, what, &output)
                    .map(str::to_string);
                out.push(Difference {
                    step: s.step.clone(),
                    command: s.command.clone(),
                    line: s.line,
                    what: what.as_str(),
                    sim: a,
                    docker: b,
                    explained,
                });
            }
        }
    }
    if sim.len() != docker.len() {
        out.push(Difference {
            step: String::new(),
            command: "(transcript)".into(),
            line: 0,
            what: "stdout",
            sim: format!("{} lines", sim.len()),
            docker: format!("{} lines", docker.len()),
            explained: None,
        });
    }
    out
}

/// Replace what legitimately differs between two engines (and two runs) with placeholders.
pub fn normalise(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut words = Vec::new();
        for word in line.split(' ') {
            words.push(normalise_word(word));
        }
        let mut l = words.join(" ");
        for (from, to) in [
            ("Less than a second ago", "<AGO>"),
            ("About a minute ago", "<AGO>"),
            ("About an hour ago", "<AGO>"),
            ("Up Less than a second", "Up <T>"),
            ("Less than a second", "<T>"),
        ] {
            l = l.replace(from, to);
        }
        l = ago(&l);
        // Column widths follow the content; compare cells, not spaces.
        while l.contains("   ") {
            l = l.replace("   ", "  ");
        }
        out.push_str(l.trim_end());
        out.push('\n');
    }
    out
}

fn normalise_word(word: &str) -> String {
    let core = word.trim_matches(|c: char| matches!(c, '"' | '\'' | '.' | ',' | ':' | '(' | ')'));
    let hex = core.strip_prefix("sha256:").unwrap_or(core);
    if hex.len() >= 12 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return word.replace(core, "<ID>");
    }
    // A name with its digest: localhost:5000/ubuntu@sha256:f0586d5a39ba…
    if let Some((name, digest)) = core.split_once("@sha256:") {
        if digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()) {
            return word.replace(core, &format!("{name}@<ID>"));
        }
    }
    // root@3f1c2a9b8d7e:/#
    if let Some(rest) = core.strip_prefix("root@") {
        if let Some((host, tail)) = rest.split_once(':') {
            if host.len() == 12 && host.chars().all(|c| c.is_ascii_hexdigit()) {
                return word.replace(core, &format!("root@<ID>:{tail}"));
            }
        }
    }
    if is_generated_name(core) {
        return word.replace(core, "<NAME>");
    }
    if let Some(n) = core
        .strip_suffix("MB")
        .or_else(|| core.strip_suffix("kB"))
        .or_else(|| core.strip_suffix("GB"))
    {
        if n.parse::<f64>().is_ok() {
            return word.replace(core, "<SIZE>");
        }
    }
    if core.ends_with('B') && core.trim_end_matches('B').parse::<f64>().is_ok() {
        return word.replace(core, "<SIZE>");
    }
    word.to_string()
}

/// Docker's generated names: `adjective_surname`, lowercase letters only.
pub(crate) fn is_generated_name(w: &str) -> bool {
    match w.split_once('_') {
        // Docker's surnames include two-letter ones (`sleepy_wu`), and a retry adds a digit.
        Some((a, b)) => {
            let b = b.trim_end_matches(|c: char| c.is_ascii_digit());
            a.len() >= 3
                && b.len() >= 2
                && a.chars().all(|c| c.is_ascii_lowercase())
                && b.chars().all(|c| c.is_ascii_lowercase())
        }
        None => false,
    }
}

/// `3 seconds ago`, `12 minutes ago`, `Up 5 seconds` → `<AGO>` / `Up <T>`.
fn ago(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let unit = words.get(i + 1).copied().unwrap_or("");
        let is_unit = matches!(
            unit.trim_end_matches(','),
            "second"
                | "seconds"
                | "minute"
                | "minutes"
                | "hour"
                | "hours"
                | "days"
                | "weeks"
                | "months"
                | "years"
        );
        if words[i].parse::<u64>().is_ok() && is_unit {
            if words.get(i + 2) == Some(&"ago") {
                out.push("<AGO>".into());
                i += 3;
            } else {
                out.push("<T>".into());
                i += 2;
            }
            continue;
        }
        out.push(words[i].to_string());
        i += 1;
    }
    out.join(" ")
}

/// Run one lesson on both engines and report the comparison as one case.
pub fn lesson_case(
    file: &Path,
    lesson: &Lesson,
    sim: Result<SendEngine, EngineError>,
    docker: Result<SendEngine, EngineError>,
    known: &KnownDifferences,
) -> CaseOutcome {
    let started = Instant::now();
    let outcome = |status| CaseOutcome {
        file: file.to_path_buf(),
        line: 0,
        name: format!("{}/parity", lesson.id),
        engine: "both".into(),
        status,
        duration: started.elapsed(),
        explained: Vec::new(),
    };
    let docker = match docker {
        Ok(d) => d,
        Err(e) => {
            return outcome(CaseStatus::Skip {
                reason: format!("no real engine: {e}"),
            })
        }
    };
    let sim = match sim {
        Ok(s) => s,
        Err(e) => {
            return outcome(CaseStatus::Fail {
                message: e.to_string(),
            })
        }
    };
    let run = |engine: SendEngine| -> Result<Vec<Observed>, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        observe(lesson, engine, dir.path())
    };
    let (a, b) = match (run(sim), run(docker)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return outcome(CaseStatus::Fail { message: e }),
    };
    let diffs = compare(&lesson.id, &a, &b, known);
    let report = render(&diffs);
    if diffs.iter().any(|d| d.explained.is_none()) {
        outcome(CaseStatus::Fail { message: report })
    } else if diffs.is_empty() {
        outcome(CaseStatus::Pass)
    } else {
        // Explained differences pass; the report lists them with their reasons.
        let mut o = outcome(CaseStatus::Pass);
        o.explained = diffs
            .iter()
            .map(|d| super::Explained {
                at: format!(
                    "step {} line {}: `{}` {}",
                    d.step, d.line, d.command, d.what
                ),
                reason: d.explained.clone().unwrap_or_default(),
            })
            .collect();
        o
    }
}

/// Every difference, unexplained ones first.
pub fn render(diffs: &[Difference]) -> String {
    let mut text = String::new();
    let mut sorted: Vec<&Difference> = diffs.iter().collect();
    sorted.sort_by_key(|d| d.explained.is_some());
    for d in sorted {
        let tag = match &d.explained {
            Some(reason) => format!("explained: {reason}"),
            None => "UNEXPLAINED".to_string(),
        };
        text.push_str(&format!(
            "step {} line {}: `{}` {} differs ({tag})\n  simulator: {:?}\n  docker:    {:?}\n",
            d.step, d.line, d.command, d.what, d.sim, d.docker
        ));
    }
    text
}

/// The folder whose `parity.toml` applies to a lesson file.
pub fn known_for(file: &Path) -> PathBuf {
    file.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The parity case of one lesson file (scenario files have their own comparison).
pub fn check_lesson_file(file: &Path) -> Vec<CaseOutcome> {
    let lesson = match crate::lesson::load_file(file) {
        Ok(l) => l,
        Err(e) => return vec![CaseOutcome::broken(file, e.line, e.render())],
    };
    let known = match KnownDifferences::load(&known_for(file)) {
        Ok(k) => k,
        Err(e) => return vec![CaseOutcome::broken(file, 0, e)],
    };
    let options = crate::engine::OpenOptions {
        deterministic: true,
        namespace: format!("parity-{}", lesson.id),
    };
    let sim = crate::engine::open(crate::engine::EngineSelector::Sim, &options);
    let docker = crate::engine::open(crate::engine::EngineSelector::Docker, &options);
    vec![lesson_case(file, &lesson, sim, docker, &known)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_short_surnames_and_retries() {
        for (name, generated) in [
            ("sleepy_wu", true),
            ("boring_wozniak", true),
            ("eager_hopper7", true),
            ("sandbox", false),
            ("my_x", false),
        ] {
            assert_eq!(super::is_generated_name(name), generated, "{name}");
        }
    }

    #[test]
    fn normalising_ids_names_times_sizes_and_widths() {
        let table = "CONTAINER ID   IMAGE     COMMAND       CREATED          STATUS                      PORTS     NAMES\n\
                     4af2ae852988   ubuntu    \"/bin/bash\"   12 seconds ago   Exited (0) 3 seconds ago              relaxed_moser\n";
        let other = "CONTAINER ID   IMAGE     COMMAND       CREATED                  STATUS                              PORTS     NAMES\n\
                     0123456789ab   ubuntu    \"/bin/bash\"   Less than a second ago   Exited (0) Less than a second ago             vibrant_hopper\n";
        assert_eq!(normalise(table), normalise(other));
        assert_eq!(normalise("root@4af2ae852988:/tmp# \n"), "root@<ID>:/tmp#\n");
        assert_eq!(
            normalise("ubuntu latest 115355874c2c 3 minutes ago 1.99MB\n"),
            "ubuntu latest <ID> <AGO> <SIZE>\n"
        );
        assert_eq!(normalise("Up 5 seconds\n"), "Up <T>\n");
        assert_eq!(
            normalise(&format!(
                "Untagged: localhost:5000/ubuntu@sha256:{}\n",
                "f0".repeat(32)
            )),
            "Untagged: localhost:5000/ubuntu@<ID>\n"
        );
        assert_ne!(
            normalise("sandbox\n"),
            normalise("other\n"),
            "chosen names stay"
        );
    }

    #[test]
    fn the_same_engine_twice_has_no_differences() {
        let lesson = crate::lesson::load_file(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/lessons/000-04-naming.toml"
        )))
        .unwrap();
        let engine = || -> SendEngine { Box::new(crate::engine::sim::SimEngine::new()) };
        let a = observe(&lesson, engine(), tempfile::tempdir().unwrap().path()).unwrap();
        let b = observe(&lesson, engine(), tempfile::tempdir().unwrap().path()).unwrap();
        assert!(!a.is_empty());
        let diffs = compare(&lesson.id, &a, &b, &KnownDifferences::default());
        assert_eq!(diffs, vec![], "{}", render(&diffs));
    }

    #[test]
    fn paths_into_each_workspace_compare_equal() {
        // A build without a Dockerfile names the workspace folder, which differs per run.
        let lesson = crate::lesson::load_file(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/lessons/001-11-build-flags.toml"
        )))
        .unwrap();
        let engine = || -> SendEngine { Box::new(crate::engine::sim::SimEngine::new()) };
        let a = observe(&lesson, engine(), tempfile::tempdir().unwrap().path()).unwrap();
        let b = observe(&lesson, engine(), tempfile::tempdir().unwrap().path()).unwrap();
        assert!(
            a[1].stderr
                .contains("lstat <WORKSPACE>/helloapp/Dockerfile"),
            "{:?}",
            a[1]
        );
        let diffs = compare(&lesson.id, &a, &b, &KnownDifferences::default());
        assert_eq!(diffs, vec![], "{}", render(&diffs));
    }
}
