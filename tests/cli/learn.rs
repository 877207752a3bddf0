//! `docktutor learn`, `lessons`, `lint` and `check` on lessons, as a newcomer meets them:
//! through piped stdin and through a real pseudo-terminal.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn docktutor(data: &Path) -> Command {
    let mut cmd = Command::cargo_bin("docktutor").expect("binary");
    cmd.env("DOCKTUTOR_DATA", data)
        .env("DOCKTUTOR_DETERMINISTIC", "1")
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Run `docktutor ARGS` with `input` piped in; stdout with the data folder replaced.
fn piped(data: &Path, args: &[&str], input: &str) -> (String, String, i32) {
    let mut cmd = docktutor(data);
    cmd.args(args);
    let out = super::run(cmd, input);
    let clean = |s: &str| s.replace(&data.display().to_string(), "[DATA]");
    (clean(&out.stdout), clean(&out.stderr), out.code)
}

#[test]
fn a_whole_lesson_with_a_wrong_attempt_a_hint_a_skip_and_a_reset() {
    let data = tempfile::tempdir().unwrap();
    let input = "\
docker run ubuntu /bin/bash
:hint
docker run -i -t ubuntu /bin/bash
touch i-was-here
ls
exit
docker ps
:why
:skip
:reset
docker run -i -t ubuntu /bin/bash
ls i-was-here
exit
docker ps -a
:quit
";
    let (stdout, stderr, code) = piped(data.path(), &["learn", "lost-files"], input);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("★ Lesson complete"), "{stdout}");
    insta::assert_snapshot!("learn_lost_files", stdout);
    let progress = std::fs::read_to_string(data.path().join("progress.json")).unwrap();
    assert!(progress.contains("\"completed\": true"), "{progress}");
}

#[test]
fn quitting_and_coming_back_resumes_at_the_same_step() {
    let data = tempfile::tempdir().unwrap();
    let first = "docker run -i -t --name sandbox ubuntu /bin/bash\nexit\n:quit\n";
    let (out, _, code) = piped(data.path(), &["learn", "000.5"], first);
    assert_eq!(code, 0);
    assert!(out.contains("Step 2/3"), "{out}");

    let (out, _, _) = piped(
        data.path(),
        &["learn", "exec-needs-running"],
        "docker exec -i -t sandbox /bin/bash\n",
    );
    assert!(out.contains("Welcome back: resuming at step 2/3"), "{out}");
    // The replayed first step left `sandbox` stopped, so the exec fails as in the note.
    assert!(out.contains("is not running"), "{out}");
    assert!(out.contains("✔ Step done."), "{out}");

    let (list, _, _) = piped(data.path(), &["lessons"], "");
    assert!(list.contains("exec-needs-running"), "{list}");
    assert!(list.contains("(2/3 steps; 000.5)"), "{list}");
}

#[test]
fn the_picker_a_typo_and_meta_commands() {
    let data = tempfile::tempdir().unwrap();
    let (out, _, code) = piped(
        data.path(),
        &["learn"],
        "lost-fils\n1\n:hnt\n:state\n:lessons\nexit\n:quit\n",
    );
    assert_eq!(code, 0);
    assert!(out.contains("Pick a lesson"), "{out}");
    assert!(out.contains("did you mean `lost-files`?"), "{out}");
    assert!(
        out.contains("Unknown tutor command `:hnt`. Did you mean `:hint`?"),
        "{out}"
    );
    assert!(out.contains("No images and no containers yet."), "{out}");
    assert!(out.contains("there is nothing to `exit`"), "{out}");

    let (_, err, code) = piped(data.path(), &["learn", "nope"], "");
    assert_eq!(code, 1);
    assert!(err.contains("there is no lesson `nope`"), "{err}");
}

#[test]
fn a_corrupt_progress_file_is_left_alone() {
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("progress.json");
    std::fs::write(&path, "{ half a file").unwrap();
    let (_, err, code) = piped(
        data.path(),
        &["learn", "lost-files"],
        "docker run -i -t ubuntu /bin/bash\ntouch i-was-here\nexit\n:quit\n",
    );
    assert_eq!(code, 0);
    assert!(
        err.contains("progress will not be saved this time"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ half a file");
}

#[test]
fn every_lesson_passes_its_own_check_on_the_simulator() {
    let data = tempfile::tempdir().unwrap();
    let (out, err, code) = piped(data.path(), &["check", "lessons", "--engine", "sim"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

#[test]
fn a_broken_lesson_fails_the_check_with_a_clear_message() {
    let data = tempfile::tempdir().unwrap();
    let (out, _, code) = piped(data.path(), &["check", "tests/fixtures/broken-lessons"], "");
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "FAIL broken-check/make-file  (tests/fixtures/broken-lessons/01-wrong-check.toml:5)"
        ),
        "{out}"
    );
    assert!(out.contains("after the reference solution the step still fails: “`/hello` is not in the container.” (/hello is not in the last container you made)"), "{out}");
    assert!(
        out.contains(
            "tests/fixtures/broken-lessons/02-malformed.toml:10:38: unknown field `cuont`"
        ),
        "{out}"
    );

    let (_, err, code) = piped(
        data.path(),
        &["lint", "tests/fixtures/broken-lessons/02-malformed.toml"],
        "",
    );
    assert_eq!(code, 1);
    assert!(err.contains("02-malformed.toml:10:38: unknown field `cuont`, expected one of `image`, `status`, `count`, `min`"), "{err}");
    let (out, _, code) = piped(data.path(), &["lint", "lessons"], "");
    assert_eq!(code, 0);
    assert!(out.contains("000.10"), "{out}");
}

/// A real terminal: rustyline's prompt, the container prompt, Ctrl-D out of a container.
#[test]
fn learn_in_a_pseudo_terminal() {
    use rexpect::session::spawn_command;
    let data = tempfile::tempdir().unwrap();
    let mut cmd = docktutor(data.path());
    cmd.args(["learn", "lost-files"]).env("TERM", "dumb");
    let mut p = spawn_command(cmd, Some(20_000)).expect("spawn in a pty");
    p.exp_string("Step 1/4").unwrap();
    p.exp_string("$ ").unwrap();
    p.send_line("docker run -i -t ubuntu /bin/bash").unwrap();
    p.exp_regex(r"root@[0-9a-f]{12}:/# ").unwrap();
    p.send_line("touch i-was-here").unwrap();
    p.exp_regex(r"root@[0-9a-f]{12}:/# ").unwrap();
    // Ctrl-D leaves the container shell, as `exit` would.
    p.send_control('d').unwrap();
    p.exp_string("Step done.").unwrap();
    p.exp_string("Step 2/4").unwrap();
    p.send_line(":hint").unwrap();
    p.exp_string("Hint 1/1").unwrap();
    p.send_line(":quit").unwrap();
    p.exp_string("progress is saved").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn check_reports_junit_tap_and_json_in_parallel_and_sharded() {
    let data = tempfile::tempdir().unwrap();
    let junit = data.path().join("report.xml");
    let (human, _, code) = piped(
        data.path(),
        &[
            "check",
            "lessons",
            "--jobs",
            "2",
            "--junit",
            junit.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{human}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    // Valid XML, and every case of the human report is a <testcase>.
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut testcases = 0;
    loop {
        match reader.read_event().expect("well-formed JUnit XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                if e.name().as_ref() == b"testcase" =>
            {
                testcases += 1
            }
            _ => {}
        }
    }
    let listed = human.lines().filter(|l| l.starts_with("ok ")).count();
    assert!(listed > 30, "{human}");
    assert_eq!(testcases, listed);

    // --jobs does not change the order of the report.
    let (serial, _, _) = piped(data.path(), &["check", "lessons", "--format", "tap"], "");
    let (parallel, _, _) = piped(
        data.path(),
        &["check", "lessons", "--format", "tap", "-j", "2"],
        "",
    );
    assert!(serial.starts_with("TAP version 14\n1.."), "{serial}");
    let strip = |s: &str| s.lines().map(|l| l.to_string()).collect::<Vec<_>>();
    assert_eq!(strip(&serial), strip(&parallel));

    // Shards split the files and together cover them all.
    let count = |args: &[&str]| {
        let (out, _, _) = piped(data.path(), args, "");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["cases"].as_array().unwrap().len()
    };
    let all = count(&["check", "lessons", "--format", "json"]);
    let one = count(&["check", "lessons", "--format", "json", "--shard", "1/2"]);
    let two = count(&["check", "lessons", "--format", "json", "--shard", "2/2"]);
    assert!(one > 0 && two > 0);
    assert_eq!(one + two, all);

    let (_, err, code) = piped(data.path(), &["check", "lessons", "--shard", "3/2"], "");
    assert_eq!(code, 2);
    assert!(err.contains("invalid shard `3/2`"), "{err}");
}

#[test]
fn scenarios_run_and_a_wrong_expectation_shows_a_diff() {
    let data = tempfile::tempdir().unwrap();
    let (out, err, code) = piped(data.path(), &["check", "scenarios", "lessons"], "");
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("ok   Image naming and tags (note 001): underscores are allowed in tags"),
        "{out}"
    );

    let (out, _, code) = piped(
        data.path(),
        &["check", "tests/fixtures/broken-scenarios"],
        "",
    );
    assert_eq!(code, 1);
    insta::assert_snapshot!("broken_scenario_report", out);
}
