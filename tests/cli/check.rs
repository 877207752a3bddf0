//! `docktutor check` on scenario files and markdown documents: failure reports (file:line,
//! command, diff), `--bless` in a scratch folder, its refusal under CI, and `--engine both`
//! while the real engine cannot run (the docker half is a skip with a reason, never a pass).

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn check(args: &[&str], dir: &Path) -> (String, String, i32) {
    let mut cmd = Command::cargo_bin("docktutor").expect("binary");
    cmd.arg("check")
        .args(args)
        .env("NO_COLOR", "1")
        .env("DOCKTUTOR_DATA", dir)
        .env_remove("CI")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let out = super::run(cmd, "");
    (out.stdout, out.stderr, out.code)
}

#[test]
fn failures_name_file_line_command_and_show_a_diff() {
    let data = tempfile::tempdir().unwrap();
    let (out, err, code) = check(&["tests/fixtures/check/failing"], data.path());
    assert_eq!(code, 1, "{out}{err}");
    insta::assert_snapshot!("failing_report", out);
}

#[test]
fn a_bad_directive_is_an_error_at_file_line_column() {
    let data = tempfile::tempdir().unwrap();
    let (out, _, code) = check(&["tests/fixtures/check/broken"], data.path());
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "tests/fixtures/check/broken/bad-directive.md:3:24: unknown redaction `colours`"
        ),
        "{out}"
    );
}

fn copy_fixture(to: &Path) {
    for name in ["scenario.toml", "document.md"] {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check/bless");
        std::fs::copy(from.join(name), to.join(name)).unwrap();
    }
}

#[test]
fn bless_rewrites_expectations_keeping_patterns_then_the_check_passes() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    copy_fixture(work.path());
    let dir = work.path().to_str().unwrap();
    let (_, _, code) = check(&[dir], data.path());
    assert_eq!(code, 1, "the fixture starts out of date");

    let (out, err, code) = check(&[dir, "--bless"], data.path());
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("blessed 2 expectations in"), "{err}");
    assert!(err.contains("blessed 1 expectation in"), "{err}");
    let scenario = std::fs::read_to_string(work.path().join("scenario.toml")).unwrap();
    insta::assert_snapshot!("blessed_scenario", scenario);
    let document = std::fs::read_to_string(work.path().join("document.md")).unwrap();
    insta::assert_snapshot!("blessed_document", document);

    let (out, _, code) = check(&[dir], data.path());
    assert_eq!(code, 0, "{out}");
}

#[test]
fn bless_refuses_to_write_under_ci() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    copy_fixture(work.path());
    let before = std::fs::read_to_string(work.path().join("scenario.toml")).unwrap();
    let mut cmd = Command::cargo_bin("docktutor").expect("binary");
    cmd.args(["check", work.path().to_str().unwrap(), "--bless"])
        .env("CI", "1")
        .env("NO_COLOR", "1")
        .env("DOCKTUTOR_DATA", data.path());
    let out = super::run(cmd, "");
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "docktutor: `check --bless` refuses to rewrite files when CI is set; run it locally and commit the result\n"
    );
    let after = std::fs::read_to_string(work.path().join("scenario.toml")).unwrap();
    assert_eq!(before, after);
}

#[test]
fn engine_both_skips_the_docker_half_with_its_reason_until_a_real_engine_answers() {
    let data = tempfile::tempdir().unwrap();
    let (out, err, code) = check(
        &[
            "scenarios/001-image-naming.toml",
            "--engine",
            "both",
            "--format",
            "json",
        ],
        data.path(),
    );
    let report: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let cases = report["cases"].as_array().unwrap();
    let sim: Vec<_> = cases.iter().filter(|c| c["engine"] == "sim").collect();
    let docker: Vec<_> = cases.iter().filter(|c| c["engine"] == "docker").collect();
    assert!(!sim.is_empty());
    assert_eq!(sim.len(), docker.len(), "{out}");
    let probe = docktutor::engine::open(
        docktutor::engine::EngineSelector::Docker,
        &docktutor::engine::OpenOptions::default(),
    );
    match probe {
        Err(_) => {
            // The docker half of every case is a skip naming why, never a pass.
            assert_eq!(code, 0, "{out}");
            for c in &docker {
                assert_eq!(c["status"], "skip", "{c}");
                assert!(!c["reason"].as_str().unwrap().is_empty());
                assert!(c["name"].as_str().unwrap().ends_with(" [docker]"));
            }
            // One reason for the whole run, on one line, naming what is missing.
            let first = docker[0]["reason"].as_str().unwrap();
            assert!(!first.contains('\n'), "{first}");
            assert!(docker.iter().all(|c| c["reason"] == first), "{out}");
        }
        Ok(_) => {
            // With a real engine every case also gets a comparison.
            assert!(cases.iter().any(|c| c["engine"] == "both"), "{out}");
        }
    }
}

/// A lesson that needs Docker Hub is skipped on a real engine, with the reason, never failed.
#[test]
fn a_lesson_that_needs_docker_hub_is_skipped_on_a_real_engine() {
    let data = tempfile::tempdir().unwrap();
    let (out, err, code) = check(
        &[
            "lessons/003-14-sharing.toml",
            "--engine",
            "docker",
            "--format",
            "json",
        ],
        data.path(),
    );
    let report: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(code, 0, "{out}");
    assert!(!cases.is_empty());
    for c in cases {
        assert_eq!(c["status"], "skip", "{c}");
    }
    let probe = docktutor::engine::open(
        docktutor::engine::EngineSelector::Docker,
        &docktutor::engine::OpenOptions::default(),
    );
    if probe.is_ok() {
        assert_eq!(cases.len(), 1, "{out}");
        assert_eq!(
            cases[0]["reason"],
            "needs Docker Hub, which a real engine reaches only online"
        );
    }
    // On the simulator it runs, and passes.
    let (out, _, code) = check(&["lessons/003-14-sharing.toml"], data.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 failed, 0 skipped"), "{out}");
}
