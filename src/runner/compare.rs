//! `--engine both`: the same case on the simulator and on a real engine must print the same
//! thing, ids, generated names, ages, sizes, digests and workspace folders aside, and exit with
//! the same codes. Differences that `parity.toml` explains are listed with their reason.

use std::path::Path;

use super::case::Case;
use super::execute::{diff, CaseRun};
use super::known::{KnownDifferences, Subject, What};
use super::matcher::split_lines;
use super::redact::{redact, ALL};
use super::table::{canonical, SEPARATOR};
use super::{CaseStatus, Explained};

/// Output with run-to-run values redacted and table columns collapsed to single separators,
/// so two engines' outputs compare as text.
pub fn normalize(text: &str) -> String {
    let lines = split_lines(text);
    canonical(&lines, false)
        .iter()
        .map(|l| redact(l, &ALL).replace(SEPARATOR, "  ") + "\n")
        .collect()
}

/// Output of a run with its workspace folder (a temporary folder of its own on each engine)
/// written as `[WORKSPACE]`, then normalised.
fn normalize_run(text: &str, run: &CaseRun) -> String {
    match &run.workspace {
        Some(w) => normalize(&text.replace(&*w.to_string_lossy(), "[WORKSPACE]")),
        None => normalize(text),
    }
}

/// Whether the two runs of `case` agree, step by step, and the differences `known` explains.
pub fn compare(
    file: &Path,
    case: &Case,
    sim: &CaseRun,
    docker: &CaseRun,
    known: &KnownDifferences,
) -> (CaseStatus, Vec<Explained>) {
    if let CaseStatus::Skip { reason } = &docker.status {
        let reason = reason.clone();
        return (CaseStatus::Skip { reason }, Vec::new());
    }
    if let CaseStatus::Skip { reason } = &sim.status {
        let reason = reason.clone();
        return (CaseStatus::Skip { reason }, Vec::new());
    }
    let subject = Subject::case(file, &case.name);
    let mut failures = Vec::new();
    let mut explained = Vec::new();
    let pairs = sim.results.iter().zip(&docker.results);
    for (step, (s, d)) in case.steps.iter().zip(pairs) {
        let (Some(s), Some(d)) = (s, d) else { continue };
        let streams = [
            normalize_run(&s.stdout, sim),
            normalize_run(&s.stderr, sim),
            normalize_run(&d.stdout, docker),
            normalize_run(&d.stderr, docker),
        ];
        let output: Vec<&str> = streams.iter().map(String::as_str).collect();
        let mut problems = Vec::new();
        let mut differs =
            |what: What, problem: String| match known.explain(subject, &step.run, what, &output) {
                Some(reason) => explained.push(Explained {
                    at: format!("line {}: `{}` {what}", step.line, step.run),
                    reason: reason.to_string(),
                }),
                None => problems.push(problem),
            };
        if s.exit_code != d.exit_code {
            differs(
                What::ExitCode,
                format!(
                    "exit code {} on the simulator, {} on docker",
                    s.exit_code, d.exit_code
                ),
            );
        }
        for (what, a, b) in [
            (What::Stdout, &streams[0], &streams[2]),
            (What::Stderr, &streams[1], &streams[3]),
        ] {
            if a != b {
                let w = what.as_str();
                let d = diff(w, a, b)
                    .replace(&format!("expected {w}"), &format!("sim {w}"))
                    .replace(&format!("actual {w}"), &format!("docker {w}"));
                differs(what, format!("{w} differs between the engines:\n{d}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}:{}: {}\n{}",
                file.display(),
                step.line,
                step.run,
                problems.join("\n")
            ));
        }
    }
    if sim.results.len() != docker.results.len() {
        failures.push(format!(
            "the simulator ran {} of the case's lines, docker {}",
            sim.results.len(),
            docker.results.len()
        ));
    }
    let status = if failures.is_empty() {
        CaseStatus::Pass
    } else {
        CaseStatus::Fail {
            message: failures.join("\n"),
        }
    };
    (status, explained)
}

#[cfg(test)]
mod tests {
    use super::super::case::{Expected, Output, Place, Step};
    use super::*;
    use crate::session::LineResult;
    use std::time::Duration;

    fn run(outputs: &[(&str, i32)]) -> CaseRun {
        CaseRun {
            status: CaseStatus::Pass,
            results: outputs
                .iter()
                .map(|(out, code)| {
                    Some(LineResult {
                        stdout: out.to_string(),
                        exit_code: *code,
                        ..Default::default()
                    })
                })
                .collect(),
            duration: Duration::ZERO,
            explained: Vec::new(),
            workspace: None,
        }
    }

    fn none() -> KnownDifferences {
        KnownDifferences::default()
    }

    fn case(n: usize) -> Case {
        let step = |i: usize| Step {
            run: format!("docker cmd{i}"),
            line: i + 1,
            in_container: false,
            exit: None,
            stdin: None,
            output: Output::Terminal(Expected {
                value: String::new(),
                place: Place::Fixed,
            }),
        };
        Case {
            name: "c".into(),
            line: 1,
            skip: None,
            differs: None,
            redact: Vec::new(),
            only: None,
            continues: false,
            prompts: false,
            steps: (0..n).map(step).collect(),
        }
    }

    #[test]
    fn ids_ages_and_column_widths_are_not_differences() {
        let sim = "CONTAINER ID   IMAGE     STATUS                     NAMES\n0123456789ab   busybox   Exited (0) 2 seconds ago   sad_turing\n";
        let docker = "CONTAINER ID   IMAGE     STATUS                          NAMES\nba9876543210   busybox   Exited (0) Less than a second ago   eager_hopper\n";
        assert_eq!(normalize(sim), normalize(docker));
        let f = Path::new("f.toml");
        let (status, _) = compare(
            f,
            &case(1),
            &run(&[(sim, 0)]),
            &run(&[(docker, 0)]),
            &none(),
        );
        assert_eq!(status, CaseStatus::Pass);
    }

    #[test]
    fn a_real_difference_is_reported_with_the_line() {
        let f = Path::new("f.toml");
        let (status, _) = compare(
            f,
            &case(2),
            &run(&[("same\n", 0), ("hello\n", 0)]),
            &run(&[("same\n", 0), ("hullo\n", 125)]),
            &none(),
        );
        let CaseStatus::Fail { message } = status else {
            panic!("{status:?}")
        };
        assert!(
            message
                .starts_with("f.toml:2: docker cmd1\nexit code 0 on the simulator, 125 on docker"),
            "{message}"
        );
        assert!(message.contains("-hello\n+hullo"), "{message}");
    }

    #[test]
    fn a_skipped_docker_half_is_a_skip_never_a_pass() {
        let mut docker = run(&[]);
        docker.status = CaseStatus::Skip {
            reason: "the real Docker engine (--engine docker) is not supported yet".into(),
        };
        let (status, _) = compare(
            Path::new("f"),
            &case(1),
            &run(&[("x", 0)]),
            &docker,
            &none(),
        );
        assert!(matches!(status, CaseStatus::Skip { .. }));
    }

    #[test]
    fn each_engines_workspace_folder_is_not_a_difference() {
        let mut sim = run(&[("copied to /tmp/.tmpAAAA/dummy\n", 0)]);
        sim.workspace = Some("/tmp/.tmpAAAA".into());
        let mut docker = run(&[("copied to /tmp/.tmpBBBB/dummy\n", 0)]);
        docker.workspace = Some("/tmp/.tmpBBBB".into());
        let (status, _) = compare(Path::new("f"), &case(1), &sim, &docker, &none());
        assert_eq!(status, CaseStatus::Pass);
        docker.results[0].as_mut().unwrap().stdout = "copied to /tmp/.tmpBBBB/other\n".into();
        let (status, _) = compare(Path::new("f"), &case(1), &sim, &docker, &none());
        assert!(matches!(status, CaseStatus::Fail { .. }), "{status:?}");
    }

    #[test]
    fn a_known_difference_passes_with_its_reason_and_only_where_it_applies() {
        let known = KnownDifferences::parse(
            r#"
[[known]]
file = "00*.toml"
command = "docker cmd1"
what = ["stdout", "exit code"]
contains = "busybox"
reason = "the stand-in is busybox"
"#,
        )
        .unwrap();
        let sim = run(&[("same\n", 0), ("GNU says\n", 2)]);
        let docker = run(&[("same\n", 0), ("busybox says\n", 1)]);
        let f = Path::new("scenarios/000-x.toml");
        let (status, explained) = compare(f, &case(2), &sim, &docker, &known);
        assert_eq!(status, CaseStatus::Pass);
        let explained: Vec<String> = explained.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            explained,
            [
                "line 2: `docker cmd1` exit code: the stand-in is busybox",
                "line 2: `docker cmd1` stdout: the stand-in is busybox"
            ]
        );
        // Another file, or a difference the rule does not name, still fails.
        let other = Path::new("scenarios/100-x.toml");
        let (status, _) = compare(other, &case(2), &sim, &docker, &known);
        assert!(matches!(status, CaseStatus::Fail { .. }));
        let mut docker = docker;
        docker.results[1].as_mut().unwrap().stderr = "busybox: oops\n".into();
        let (status, _) = compare(f, &case(2), &sim, &docker, &known);
        let CaseStatus::Fail { message } = status else {
            panic!("{status:?}")
        };
        assert!(message.contains("stderr differs"), "{message}");
    }
}
