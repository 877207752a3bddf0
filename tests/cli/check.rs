//! `docktutor check` on scenario files and markdown documents: failure reports (file:line,
//! command, diff), `--bless` in a scratch folder, its refusal under CI, the JUnit file, and
//! `--engine both` (where the real engine cannot run, the docker half is a skip with a reason,
//! never a pass).

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
fn engine_both_runs_the_docker_half_or_skips_it_with_its_reason() {
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
            // With a real engine every case also gets a comparison, and the file passes on
            // both (its pulls fail offline: scenarios/parity.toml explains them, and says why).
            assert_eq!(code, 0, "{out}{err}");
            let both: Vec<_> = cases.iter().filter(|c| c["engine"] == "both").collect();
            assert_eq!(both.len(), sim.len(), "{out}");
            let explained = docker
                .iter()
                .chain(&both)
                .flat_map(|c| c["explained"].as_array().cloned().unwrap_or_default());
            for e in explained {
                assert!(!e["reason"].as_str().unwrap().is_empty(), "{e}");
            }
        }
    }
}

/// The JUnit file CI keeps: well-formed XML (parsed, not pattern-matched: quick-xml, already a
/// dev-dependency for the lessons' report test), one `<testcase>` for every case of the run
/// with its status, and totals that agree. Failures (the broken fixture) and skips (scenario
/// cases that say why) are both in it.
#[test]
fn junit_file_is_valid_xml_and_lists_every_case() {
    use quick_xml::events::Event;

    let data = tempfile::tempdir().unwrap();
    let junit = data.path().join("report.xml");
    let (out, err, code) = check(
        &[
            "scenarios",
            "tests/fixtures/check/failing",
            "--format",
            "json",
            "--junit",
            junit.to_str().unwrap(),
        ],
        data.path(),
    );
    assert_eq!(code, 1, "the failing fixture fails: {out}{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut expected: Vec<(String, String, String)> = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["engine"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();

    let xml = std::fs::read_to_string(&junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let attr = |e: &quick_xml::events::BytesStart, key: &str| -> String {
        e.try_get_attribute(key)
            .unwrap()
            .unwrap_or_else(|| {
                panic!(
                    "<{}> without {key}",
                    String::from_utf8_lossy(e.name().as_ref())
                )
            })
            .normalized_value(quick_xml::XmlVersion::Explicit1_0)
            .unwrap()
            .into_owned()
    };
    let mut cases: Vec<(String, String, String)> = Vec::new();
    let mut totals = None;
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().expect("well-formed JUnit XML");
        let (e, opens) = match &event {
            Event::Eof => break,
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(_) => {
                depth -= 1;
                continue;
            }
            _ => continue,
        };
        match e.name().as_ref() {
            b"testsuites" => {
                totals = Some([attr(e, "tests"), attr(e, "failures"), attr(e, "skipped")]);
            }
            b"testcase" => cases.push((attr(e, "name"), attr(e, "classname"), "pass".into())),
            b"failure" => cases.last_mut().expect("inside a testcase").2 = "fail".into(),
            b"skipped" => cases.last_mut().expect("inside a testcase").2 = "skip".into(),
            _ => {}
        }
        if opens {
            depth += 1;
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    let summary = &report["summary"];
    assert_eq!(
        totals.expect("a <testsuites> root"),
        [
            expected.len().to_string(),
            summary["failed"].to_string(),
            summary["skipped"].to_string()
        ]
    );
    assert!(summary["failed"].as_u64() > Some(0) && summary["skipped"].as_u64() > Some(0));
    cases.sort();
    expected.sort();
    assert_eq!(cases, expected);
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
