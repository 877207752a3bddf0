//! `--engine both`: the same case on the simulator and on a real engine must print the same
//! thing, ids, generated names, ages, sizes and digests aside, and exit with the same codes.

use std::path::Path;

use super::case::Case;
use super::execute::{diff, CaseRun};
use super::matcher::split_lines;
use super::redact::{redact, ALL};
use super::table::{canonical, SEPARATOR};
use super::CaseStatus;

/// Output with run-to-run values redacted and table columns collapsed to single separators,
/// so two engines' outputs compare as text.
pub fn normalize(text: &str) -> String {
    let lines = split_lines(text);
    canonical(&lines, false)
        .iter()
        .map(|l| redact(l, &ALL).replace(SEPARATOR, "  ") + "\n")
        .collect()
}

/// Whether the two runs of `case` agree, step by step.
pub fn compare(file: &Path, case: &Case, sim: &CaseRun, docker: &CaseRun) -> CaseStatus {
    if let CaseStatus::Skip { reason } = &docker.status {
        return CaseStatus::Skip {
            reason: reason.clone(),
        };
    }
    if let CaseStatus::Skip { reason } = &sim.status {
        return CaseStatus::Skip {
            reason: reason.clone(),
        };
    }
    let mut failures = Vec::new();
    let pairs = sim.results.iter().zip(&docker.results);
    for (step, (s, d)) in case.steps.iter().zip(pairs) {
        let (Some(s), Some(d)) = (s, d) else { continue };
        let mut problems = Vec::new();
        if s.exit_code != d.exit_code {
            problems.push(format!(
                "exit code {} on the simulator, {} on docker",
                s.exit_code, d.exit_code
            ));
        }
        for (what, a, b) in [
            ("stdout", &s.stdout, &d.stdout),
            ("stderr", &s.stderr, &d.stderr),
        ] {
            let (a, b) = (normalize(a), normalize(b));
            if a != b {
                let d = diff(what, &a, &b)
                    .replace(&format!("expected {what}"), &format!("sim {what}"))
                    .replace(&format!("actual {what}"), &format!("docker {what}"));
                problems.push(format!("{what} differs between the engines:\n{d}"));
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
    if failures.is_empty() {
        CaseStatus::Pass
    } else {
        CaseStatus::Fail {
            message: failures.join("\n"),
        }
    }
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
        }
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
        let status = compare(f, &case(1), &run(&[(sim, 0)]), &run(&[(docker, 0)]));
        assert_eq!(status, CaseStatus::Pass);
    }

    #[test]
    fn a_real_difference_is_reported_with_the_line() {
        let f = Path::new("f.toml");
        let status = compare(
            f,
            &case(2),
            &run(&[("same\n", 0), ("hello\n", 0)]),
            &run(&[("same\n", 0), ("hullo\n", 125)]),
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
        let status = compare(Path::new("f"), &case(1), &run(&[("x", 0)]), &docker);
        assert!(matches!(status, CaseStatus::Skip { .. }));
    }
}
