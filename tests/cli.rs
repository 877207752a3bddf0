//! The drop-in `docktutor docker` CLI, end to end: the notes' flows on the simulator
//! (snapshots), and the same command lines on the real daemon, compared after normalising ids,
//! names and times.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

/// One command line's observable result.
#[derive(Debug, PartialEq)]
struct Outcome {
    stdout: String,
    stderr: String,
    code: i32,
}

/// Run `docker ARGS` through docktutor's simulator with state in `dir`.
fn sim(dir: &Path, line: &str, stdin: &str) -> Outcome {
    let args = shell_words(line);
    let mut cmd = Command::cargo_bin("docktutor").expect("binary");
    cmd.arg("docker").args(&args).current_dir(dir);
    cmd.env("DOCKTUTOR_STATE", dir.join("state.json"))
        .env("DOCKTUTOR_DETERMINISTIC", "1");
    run(cmd, stdin)
}

fn real(dir: &Path, line: &str, stdin: &str) -> Outcome {
    let mut cmd = Command::new("docker");
    cmd.args(shell_words(line)).current_dir(dir);
    run(cmd, stdin)
}

fn run(mut cmd: Command, stdin: &str) -> Outcome {
    use std::io::Write;
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Quotes as a shell would split them (the flows below use only simple quoting).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut has = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                has = true;
            }
            (None, ' ') => {
                if has || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                has = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Ids, generated names and ages differ between runs; everything else must match.
fn normalize(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut words: Vec<String> = Vec::new();
        for w in line.split(' ') {
            let trimmed = w.trim_matches(|c: char| c == '"' || c == '.' || c == ',');
            let hex = trimmed.strip_prefix("sha256:").unwrap_or(trimmed);
            let w = if hex.len() >= 12 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                w.replace(trimmed, "<ID>")
            } else {
                w.to_string()
            };
            words.push(w);
        }
        let mut l = words.join(" ");
        for unit in [
            "seconds",
            "second",
            "minutes",
            "About a minute",
            "Less than a second",
        ] {
            l = l
                .replace(&format!(" {unit} ago"), " <T> ago")
                .replace(&format!("Up {unit}"), "Up <T>");
        }
        for n in 0..120 {
            l = l
                .replace(&format!("{n} <T> ago"), "<T> ago")
                .replace(&format!("Up {n} <T>"), "Up <T>");
        }
        // Table columns are aligned to content widths that depend on the ages above.
        let collapsed: Vec<&str> = l
            .split("  ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        out.push_str(&collapsed.join(" | "));
        out.push('\n');
    }
    out
}

fn transcript(dir: &Path, steps: &[(&str, &str)]) -> String {
    let mut t = String::new();
    for (line, stdin) in steps {
        let o = sim(dir, line, stdin);
        t.push_str(&format!("$ docker {line}\n"));
        if !stdin.is_empty() {
            t.push_str(&format!("  (stdin: {stdin:?})\n"));
        }
        t.push_str(&o.stdout);
        if !o.stderr.is_empty() {
            t.push_str(&format!("[stderr]\n{}", o.stderr));
        }
        t.push_str(&format!("[exit {}]\n", o.code));
    }
    t
}

/// 000.3–000.6: a second `docker run` makes a second container; names conflict; exec needs a
/// running container; files survive stop/start and vanish with rm.
#[test]
fn note_000_images_vs_containers_flow() {
    let dir = tempfile::tempdir().unwrap();
    let t = transcript(
        dir.path(),
        &[
            (
                "run -i ubuntu /bin/bash",
                "touch i-was-here\nls i-was-here\nexit\n",
            ),
            ("ps -a", ""),
            ("run -i ubuntu /bin/bash", "ls i-was-here\nexit\n"),
            ("ps -a --format '{{.Image}} {{.Status}}'", ""),
            ("run -i --name sandbox ubuntu /bin/bash", "exit\n"),
            ("run -i --name sandbox ubuntu /bin/bash", "exit\n"),
            ("exec -i sandbox /bin/bash", "ls\n"),
            ("start sandbox", ""),
            ("exec -i sandbox /bin/bash", "touch myfile\nexit\n"),
            ("stop sandbox", ""),
            ("start sandbox", ""),
            ("exec -i sandbox ls myfile", ""),
            ("stop sandbox", ""),
            ("rm sandbox", ""),
            (
                "run -i --name sandbox ubuntu /bin/bash",
                "ls myfile\nexit\n",
            ),
            ("rm sandbox", ""),
        ],
    );
    insta::assert_snapshot!(t);
}

/// Regression: `sh -c '…; sleep N'` ran to completion at once, so a detached one showed as
/// exited and an attached one lost its exit status.
#[test]
fn scripts_that_sleep_keep_their_container_running() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let attached = sim(
        d,
        "run --name fg busybox sh -c 'echo a; sleep 5; exit 3'",
        "",
    );
    assert_eq!((attached.stdout.as_str(), attached.code), ("a\n", 3));
    sim(
        d,
        "run -d --name bg busybox sh -c 'echo ready; sleep 3600'",
        "",
    );
    let ps = sim(d, "ps -a --format '{{.Names}} {{.Status}}'", "");
    let lines: Vec<&str> = ps.stdout.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("bg Up")), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.starts_with("fg Exited (3)")),
        "{lines:?}"
    );
    assert_eq!(sim(d, "logs bg", "").stdout, "ready\n");
    // What it prints after a sleep is not in the logs before its time; `attach` waits for it.
    sim(
        d,
        "run -d --name later busybox sh -c 'echo one; sleep 60; echo two; exit 4'",
        "",
    );
    assert_eq!(sim(d, "logs later", "").stdout, "one\n");
    let attached = sim(d, "attach later", "");
    assert_eq!((attached.stdout.as_str(), attached.code), ("two\n", 4));
    assert_eq!(sim(d, "logs later", "").stdout, "one\ntwo\n");
    // Stopped early, it never printed the rest.
    sim(
        d,
        "run -d --name cut busybox sh -c 'echo one; sleep 60; echo two'",
        "",
    );
    sim(d, "stop cut", "");
    assert_eq!(sim(d, "logs cut", "").stdout, "one\n");
}

/// 000.7: a file made in a bind-mounted folder appears on the host; 000.8: stdin streams.
#[test]
fn note_000_volumes_and_streams() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("mydata")).unwrap();
    let t = transcript(
        dir.path(),
        &[
            (
                "run -i -v ./mydata:/data --name sandbox ubuntu /bin/bash",
                "cd /data\ntouch myfile\nexit\n",
            ),
            ("rm sandbox", ""),
            ("run -i busybox cat", "test\n"),
        ],
    );
    assert!(
        dir.path().join("mydata/myfile").exists(),
        "the file made in /data is on the host"
    );
    insta::assert_snapshot!(t);
}

/// 004.3, 004.4, 004.6, 004.9: a file in /tmp shows in `docker diff`; kill; cleanup.
#[test]
fn note_004_walkthrough_flow() {
    let dir = tempfile::tempdir().unwrap();
    let t = transcript(
        dir.path(),
        &[
            (
                "run -i --name hello ubuntu:latest /bin/bash",
                "cat /etc/os-release\necho \"hello world\" > /tmp/hello.txt\nexit\n",
            ),
            ("diff hello", ""),
            ("run -d -i --name web ubuntu /bin/bash", ""),
            ("kill web", ""),
            ("ps -a --format '{{.Names}}: {{.Status}}'", ""),
            ("rm hello web", ""),
            ("ps -aq", ""),
        ],
    );
    insta::assert_snapshot!(t);
}

/// 003.2–003.4: build a Dockerfile, build again (every step from the cache), change a source
/// file (that COPY and every later step rerun), a failing RUN, `-q`, `history`.
#[test]
fn note_003_build_and_cache_flow() {
    let dir = tempfile::tempdir().unwrap();
    // The context is a folder of its own: the state file lives in `dir`.
    let p = &dir.path().join("app");
    std::fs::create_dir(p).unwrap();
    std::fs::write(
        p.join("Dockerfile"),
        "# the notes' NodeApp, on busybox\nFROM busybox\nWORKDIR /app\nCOPY package.json /app\nRUN echo installing && \\\n    mkdir -p node_modules && echo x > node_modules/dep.js\nCOPY . /app\nENV GREETING=\"hello there\"\nEXPOSE 80\nCMD [\"cat\", \"/app/server.js\"]\n",
    )
    .unwrap();
    std::fs::write(p.join("package.json"), "{\"name\":\"app\"}\n").unwrap();
    std::fs::write(p.join("server.js"), "console.log(1)\n").unwrap();
    std::fs::write(p.join(".dockerignore"), "*.log\n").unwrap();
    std::fs::write(p.join("debug.log"), "ignored\n").unwrap();
    std::fs::write(
        p.join("Fail.dockerfile"),
        "FROM busybox\nRUN echo out && exit 3\n",
    )
    .unwrap();
    let mut t = transcript(
        dir.path(),
        &[
            ("pull busybox", ""),
            ("build -t app:v1 -t app:latest app", ""),
            ("build -t app app", ""),
        ],
    );
    std::fs::write(p.join("server.js"), "console.log(2)\n").unwrap();
    t.push_str("(server.js changed)\n");
    t.push_str(&transcript(
        dir.path(),
        &[
            ("build -t app app", ""),
            ("run --rm app", ""),
            ("run --rm app ls /app", ""),
            ("history app", ""),
            ("images", ""),
            ("build -f app/Fail.dockerfile app", ""),
            ("build -q --no-cache app", ""),
        ],
    ));
    // The CLI ends its context progress line in `\r\r\n` off a terminal; keep that visible.
    let t = t.replace('\r', "\\r");
    insta::assert_snapshot!(t);
}

/// 000.1–000.2 on the simulator: a local registry as a container; push and pull print
/// Docker's progress lines (layers already there, mounted from another repository, pulled
/// back); rmi after a push also untags the digest; with the registry stopped, push and pull
/// fail with Docker's messages. (Compared with the daemon in `images::registry_flow…`.)
#[test]
fn note_000_registry_flow() {
    let dir = tempfile::tempdir().unwrap();
    let t = transcript(
        dir.path(),
        &[
            ("pull ubuntu", ""),
            (
                "run -d -p 5000:5000 --restart=always --name registry registry:2",
                "",
            ),
            ("tag ubuntu localhost:5000/ubuntu", ""),
            ("push localhost:5000/ubuntu", ""),
            (
                "images --digests --format '{{.Repository}}:{{.Tag}} {{.Digest}}'",
                "",
            ),
            ("rmi localhost:5000/ubuntu", ""),
            ("pull localhost:5000/ubuntu", ""),
            ("push localhost:5000/ubuntu", ""),
            ("tag ubuntu localhost:5000/other:v1", ""),
            ("push localhost:5000/other:v1", ""),
            ("run --name snap ubuntu touch /i-was-here", ""),
            ("commit snap localhost:5000/snap:1", ""),
            ("push localhost:5000/snap:1", ""),
            ("rm snap", ""),
            ("rmi localhost:5000/snap:1", ""),
            ("pull localhost:5000/snap:1", ""),
            ("run --rm localhost:5000/snap:1 ls /i-was-here", ""),
            ("push localhost:5000/nothere", ""),
            ("stop registry", ""),
            ("push localhost:5000/ubuntu", ""),
            ("pull localhost:5000/ubuntu", ""),
        ],
    );
    insta::assert_snapshot!(t);
}

/// Image bookkeeping on the simulator: a re-tagging build leaves `<none>`, `-a` shows the
/// intermediates, rmi untags or deletes (and refuses while a stopped container uses the
/// image), `-f` deletes under a stopped container which keeps working, prune follows the
/// parents, commit with -m and -c, save/load, export/import. (Compared with the daemon in
/// `images::image_bookkeeping…`.)
#[test]
fn image_bookkeeping_flow() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx");
    std::fs::create_dir(&ctx).unwrap();
    let dockerfile = |what: &str| {
        std::fs::write(
            ctx.join("Dockerfile"),
            format!("FROM busybox\nRUN echo {what} > /{what}\nCMD [\"cat\", \"/{what}\"]\n"),
        )
        .unwrap();
    };
    dockerfile("one");
    let mut t = transcript(
        dir.path(),
        &[("pull -q busybox", ""), ("build -q -t app ctx", "")],
    );
    dockerfile("two");
    t.push_str("(Dockerfile changed)\n");
    std::fs::write(dir.path().join("garbage.tar"), "not a tar archive\n").unwrap();
    t.push_str(&transcript(
        dir.path(),
        &[
            ("build -q -t app ctx", ""),
            ("images", ""),
            ("images -a", ""),
            ("images --filter dangling=true -q", ""),
            ("history app", ""),
            ("tag app app:v2", ""),
            ("rmi app:v2", ""),
            ("run --name user app", ""),
            ("rmi app", ""),
            ("rmi -f app", ""),
            ("start -a user", ""),
            ("ps -a --format '{{.Image}} {{.Status}}'", ""),
            ("rm user", ""),
            ("image prune -f", ""),
            ("images -a", ""),
            ("run --name c1 busybox sh -c 'echo hi > /f'", ""),
            (
                "commit -m 'my message' -c 'CMD [\"cat\", \"/f\"]' c1 snap:1",
                "",
            ),
            ("history snap:1", ""),
            ("save -o snap.tar snap:1", ""),
            ("rmi snap:1", ""),
            ("load -i snap.tar", ""),
            ("tag busybox snap:1", ""),
            ("load -i snap.tar", ""),
            ("run --rm snap:1", ""),
            ("export -o c1.tar c1", ""),
            ("import c1.tar imported:1", ""),
            ("run --rm imported:1 cat /f", ""),
            ("run --rm imported:1", ""),
            ("history imported:1", ""),
            ("load -i garbage.tar", ""),
            ("import garbage.tar x", ""),
            ("rm c1", ""),
            ("image prune -a -f", ""),
            ("images", ""),
        ],
    ));
    insta::assert_snapshot!(t);
}

#[test]
fn usage_errors_and_state_file_errors() {
    let dir = tempfile::tempdir().unwrap();
    let o = sim(dir.path(), "run --nme x busybox", "");
    assert_eq!(o.code, 125);
    assert!(o.stderr.starts_with("unknown flag: --nme\n"));
    let o = sim(dir.path(), "build -t x", "");
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .starts_with("DEPRECATED: The legacy builder is deprecated")
            && o.stderr
                .contains("\ndocker: 'docker build' requires 1 argument\n"),
        "{}",
        o.stderr
    );
    std::fs::write(dir.path().join("state.json"), "{broken").unwrap();
    let o = sim(dir.path(), "ps", "");
    assert_eq!(o.code, 125);
    assert!(o.stderr.contains("state.json is not valid"), "{}", o.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("state.json")).unwrap(),
        "{broken",
        "left untouched"
    );
}

/// How one command line differed between the simulator and the daemon, after `norm` (ids,
/// names and times normalised, or the text as it is): `None` when it did not.
fn unlike(shown: &str, s: &Outcome, r: &Outcome, norm: fn(&str) -> String) -> Option<String> {
    let (s_out, r_out) = (norm(&s.stdout), norm(&r.stdout));
    let (s_err, r_err) = (norm(&s.stderr), norm(&r.stderr));
    (s_out != r_out || s_err != r_err || s.code != r.code).then(|| {
        format!(
            "$ docker {shown}\n  simulator: exit {} stdout {s_out:?} stderr {s_err:?}\n  daemon:    exit {} stdout {r_out:?} stderr {r_err:?}",
            s.code, r.code
        )
    })
}

/// The same command lines on the simulator and on the daemon here give the same stdout,
/// stderr and exit codes once ids, names and times are normalised.
#[test]
fn real_daemon_parity_for_container_flows() {
    let _guard = docker::lock();
    if !docker::daemon_answers() || !docker::prepared() {
        return;
    }
    let tag = format!("dtparity{}", std::process::id());
    let n = |s: &str| s.replace("NAME", &tag);
    let dir = tempfile::tempdir().unwrap();
    // The simulator starts with no images; pull first (not compared).
    sim(dir.path(), "pull busybox", "");
    let steps: Vec<(String, &str)> = vec![
        (n("run --name NAME busybox true"), ""),
        (n("run --name NAME busybox true"), ""),
        (n("exec NAME ls"), ""),
        (n("rm NAME"), ""),
        ("run --rm busybox nosuch".to_string(), ""),
        ("run --rm -i busybox cat".to_string(), "test\n"),
        ("run --rm busybox echo hello world".to_string(), ""),
        (
            "run --rm -a stdin -a stdout -i busybox cat".to_string(),
            "piped\n",
        ),
        ("run --rm -i -t busybox sh".to_string(), ""),
        (n("run -d -i --name NAME busybox sh"), ""),
        (n("rm NAME"), ""),
        (
            n("exec NAME sh -c 'mkdir -p /tmp/x && echo hi > /tmp/x/hello.txt'"),
            "",
        ),
        (n("diff NAME"), ""),
        (n("exec -i -t NAME sh"), ""),
        (n("exec NAME cat /tmp/x/hello.txt"), ""),
        (n("kill NAME"), ""),
        // A status filter lists stopped containers without `-a`.
        (
            n("ps --filter status=exited --filter name=NAME --format '{{.Names}} {{.Status}}'"),
            "",
        ),
        (
            n("ps -a --filter name=NAME --format '{{.Names}} {{.Status}}'"),
            "",
        ),
        (n("start NAME"), ""),
        (n("stop -t 1 NAME"), ""),
        (
            n("ps -a --filter name=NAME --format '{{.Status}} {{.Command}}'"),
            "",
        ),
        (n("rm NAME"), ""),
        (n("rm NAME"), ""),
        // A script that sleeps keeps its container up; attached, its exit status comes back.
        (
            n("run --name NAME busybox sh -c 'echo a; sleep 1; exit 3'"),
            "",
        ),
        (n("rm NAME"), ""),
        (
            n("run -d --name NAME busybox sh -c 'echo ready; sleep 30'"),
            "",
        ),
        (
            n("ps --filter name=NAME --format '{{.Names}} {{.Status}}'"),
            "",
        ),
        (n("logs NAME"), ""),
        (n("rm -f NAME"), ""),
        // Output after a sleep comes later: not yet in the logs, then to an attached client.
        (
            n("run -d --name NAME busybox sh -c 'echo one; sleep 5; echo two; exit 4'"),
            "",
        ),
        (n("logs NAME"), ""),
        (n("attach NAME"), ""),
        (n("logs NAME"), ""),
        (n("rm NAME"), ""),
        // `read` takes a line of stdin at a time; without -i it meets the end of input.
        (
            "run --rm busybox sh -c 'read n || exit 1; echo got $n'".to_string(),
            "",
        ),
        (
            "run --rm -i busybox sh -c 'read a; read b; echo \"$b $a\"'".to_string(),
            "1\n2\n",
        ),
        (
            "run --rm -i busybox sh -c 'read a b; echo \"[$a] [$b]\"; cat; echo end'".to_string(),
            "x y z\nrest\n",
        ),
        // Names: two characters at least, a leading `/` dropped; rename and create errors.
        ("create --name a busybox".to_string(), ""),
        (n("create --name /NAME busybox"), ""),
        (n("create --name NAME busybox"), ""),
        (n("rename NAME a"), ""),
        ("rename nosuchcontainer xy".to_string(), ""),
        (n("ps -a --filter name=NAME --format '{{.Names}}'"), ""),
        (n("rm NAME"), ""),
        ("run --nme x busybox".to_string(), ""),
        ("rnu".to_string(), ""),
    ];
    let mut diffs = Vec::new();
    for (line, stdin) in &steps {
        let (s, r) = (sim(dir.path(), line, stdin), real(dir.path(), line, stdin));
        diffs.extend(unlike(line, &s, &r, normalize));
    }
    let _ = Command::new("docker").args(["rm", "-f", &tag]).output();
    assert!(
        diffs.is_empty(),
        "the simulator differs from the daemon:\n{}",
        diffs.join("\n")
    );
}

/// apt-get, apt, pip and npm install offline on both engines from one package table: the
/// simulator's shell and the ubuntu/debian stand-ins' scripts print the same and fail alike.
#[test]
fn real_daemon_parity_for_package_installs() {
    let _guard = docker::lock();
    if !docker::daemon_answers() || !docker::prepared() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    sim(dir.path(), "pull ubuntu", "");
    sim(dir.path(), "pull debian:jessie", "");
    let pip = "apt-get update >/dev/null && apt-get install -y python3-pip >/dev/null 2>&1";
    let npm = "apt-get update >/dev/null && apt-get install -y npm >/dev/null 2>&1";
    let scripts: Vec<(&str, String)> = vec![
        ("ubuntu", "apt-get install -y git".into()),
        ("ubuntu", "apt-get update && apt-get install git".into()),
        ("ubuntu", "apt-get update && apt-get install -y git vim curl && git --version && git clone x".into()),
        ("ubuntu", "apt-get update -qq && apt-get install -y git; apt-get install -y git; apt-get install -y python; apt-get install foo".into()),
        ("ubuntu", "apt update && apt install -y curl".into()),
        ("debian:jessie", "apt-get update && apt-get install -y git vim python".into()),
        ("ubuntu", format!("{pip} && pip install flask")),
        ("ubuntu", format!("{pip} && pip --version && pip install --break-system-packages flask requests && pip install --break-system-packages flask && ls /usr/local/lib/python3.12/dist-packages")),
        ("ubuntu", format!("{pip} && echo flask > r.txt && pip3 install --break-system-packages -r r.txt numpy")),
        ("ubuntu", format!("{npm} && mkdir /app && cd /app && npm install && npm install express && cat package.json package-lock.json | head -20 && ls node_modules && npm install && node --version && node server.js")),
        ("ubuntu", format!("{npm} && cd /tmp && npm install lodash && cat package.json && npm install -g nodemon && ls /usr/local/lib/node_modules")),
    ];
    let mut diffs = Vec::new();
    for (image, script) in &scripts {
        let line = format!("run --rm {image} sh -c \"{}\"", script.replace('"', "\\\""));
        let (s, r) = (sim(dir.path(), &line, ""), real(dir.path(), &line, ""));
        diffs.extend(unlike(&line, &s, &r, str::to_string));
    }
    assert!(
        diffs.is_empty(),
        "the simulator differs from the stand-ins:\n{}",
        diffs.join("\n")
    );
}

/// `docker build` on the simulator and on the daemon here (classic builder) print the same
/// steps, cache lines, messages and exit codes once ids are normalised.
#[test]
fn real_daemon_parity_for_build() {
    let _guard = docker::lock();
    if !docker::daemon_answers() || !docker::prepared() {
        return;
    }
    let tag = format!("dtbuildparity{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx");
    std::fs::create_dir(&ctx).unwrap();
    // The LABEL makes every later step unique to this run: the daemon's cache is shared with
    // other tests and earlier runs, the simulator's starts empty.
    std::fs::write(
        ctx.join("Dockerfile"),
        format!("# comment\nFROM busybox\nLABEL test.run={tag}\nWORKDIR /app\nCOPY a.txt /app\nRUN echo building && \\\n    cat a.txt > copy.txt\nENV A=1 B=\"two words\"\nCMD [\"cat\", \"copy.txt\"]\n"),
    )
    .unwrap();
    std::fs::write(ctx.join("a.txt"), "one\n").unwrap();
    std::fs::write(
        ctx.join("Missing.dockerfile"),
        "FROM busybox\nCOPY nothere.txt /x\n",
    )
    .unwrap();
    std::fs::write(ctx.join("Typo.dockerfile"), "FROM busybox\nRUNN x\n").unwrap();
    std::fs::create_dir(ctx.join("empty")).unwrap();
    sim(dir.path(), "pull busybox", "");
    let steps = [
        format!("build -t {tag} ctx"),
        format!("build -t {tag} ctx"),
        format!("run --rm {tag}"),
        "build -f ctx/Missing.dockerfile ctx".to_string(),
        "build -f ctx/Typo.dockerfile ctx".to_string(),
        // No context: the CLI warns about the legacy builder before the usage error.
        format!("build -t {tag}"),
        // A bad tag, a missing context, a context without a Dockerfile: all refused by the
        // CLI before anything is sent, after its warning.
        "build -t Bad ctx".to_string(),
        format!("build -t {tag} nodir"),
        format!("build -t {tag} ctx/empty"),
    ];
    let mut diffs = Vec::new();
    for (i, line) in steps.iter().enumerate() {
        if i == 1 {
            std::fs::write(ctx.join("a.txt"), "one\n").unwrap();
        }
        let (s, r) = (sim(dir.path(), line, ""), real(dir.path(), line, ""));
        diffs.extend(unlike(line, &s, &r, normalize));
    }
    let _ = Command::new("docker").args(["rmi", &tag]).output();
    assert!(
        diffs.is_empty(),
        "the simulator differs from the daemon:\n{}",
        diffs.join("\n")
    );
}

/// `docker rmi` as dockerd answers it: a name goes alone while others remain; an id with several
/// names is refused without `-f`; deleting lists the image, then its own layer, then the
/// untagged parents a build left (each with its layer), names in the daemon's order.
#[test]
fn real_daemon_parity_for_image_removal() {
    let _guard = docker::lock();
    let tag = format!("dtrmi{}", std::process::id());
    let n = |s: &str| s.replace("NAME", &tag);
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx");
    std::fs::create_dir(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        n("FROM busybox\nLABEL test.run=NAME\nRUN echo built > /built\nCMD [\"cat\", \"/built\"]\n"),
    )
    .unwrap();
    sim(dir.path(), "pull busybox", "");
    let before = [
        n("run --name NAME-maker busybox sh -c 'echo 1.0 > /VERSION'"),
        n("commit NAME-maker NAME-toolbox"),
        n("rm NAME-maker"),
        n("tag NAME-toolbox me/NAME-toolbox:1.0"),
        n("tag NAME-toolbox me/NAME-toolbox"),
        n("rmi me/NAME-toolbox"),
        n("tag NAME-toolbox me/NAME-toolbox"),
    ];
    let after = [
        "rmi ID".to_string(),
        "rmi -f ID".to_string(),
        n("build -q -t NAME-app ctx"),
        n("rmi NAME-app"),
    ];
    let id_of = |o: Outcome| o.stdout.trim().to_string();
    // On the simulator alone, the whole transcript is pinned.
    let mut t = String::new();
    for line in &before {
        t.push_str(&transcript(dir.path(), &[(line.as_str(), "")]));
    }
    let sim_id = id_of(sim(dir.path(), &n("images -q NAME-toolbox"), ""));
    for line in &after {
        t.push_str(&transcript(
            dir.path(),
            &[(&line.replace("ID", &sim_id), "")],
        ));
    }
    let t = t.replace(&tag, "NAME").replace(&sim_id, "ID");
    assert!(
        t.contains("$ docker rmi ID\n[stderr]\nError response from daemon: conflict: unable to delete ID (must be forced) - image is referenced in multiple repositories\n[exit 1]"),
        "{t}"
    );
    assert!(
        t.contains("$ docker rmi -f ID\nUntagged: NAME-toolbox:latest\nUntagged: me/NAME-toolbox:1.0\nUntagged: me/NAME-toolbox:latest\nDeleted: sha256:"),
        "{t}"
    );
    let deleted = |line: &str| {
        let start = t.find(&format!("$ docker {line}\n")).expect("line");
        t[start..]
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("[exit"))
            .filter(|l| l.starts_with("Deleted: "))
            .count()
    };
    // The committed image and the layer it added.
    assert_eq!(deleted("rmi -f ID"), 2, "{t}");
    // CMD, RUN (+ its layer), LABEL: the build's intermediate images go with it.
    assert_eq!(deleted("rmi NAME-app"), 4, "{t}");

    if !docker::daemon_answers() || !docker::prepared() {
        return;
    }
    let dir2 = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir2.path().join("ctx")).unwrap();
    std::fs::copy(ctx.join("Dockerfile"), dir2.path().join("ctx/Dockerfile")).unwrap();
    sim(dir2.path(), "pull busybox", "");
    let mut diffs = Vec::new();
    let mut compare = |line_sim: &str, line_real: &str, shown: &str| {
        let (s, r) = (
            sim(dir2.path(), line_sim, ""),
            real(dir2.path(), line_real, ""),
        );
        diffs.extend(unlike(shown, &s, &r, normalize));
    };
    for line in &before {
        compare(line, line, line);
    }
    let sim_id = id_of(sim(dir2.path(), &n("images -q NAME-toolbox"), ""));
    let real_id = id_of(real(dir2.path(), &n("images -q NAME-toolbox"), ""));
    for line in &after {
        compare(
            &line.replace("ID", &sim_id),
            &line.replace("ID", &real_id),
            line,
        );
    }
    for name in [
        "NAME-toolbox",
        "me/NAME-toolbox:1.0",
        "me/NAME-toolbox",
        "NAME-app",
    ] {
        let _ = Command::new("docker")
            .args(["rmi", "-f", &n(name)])
            .output();
    }
    let _ = Command::new("docker")
        .args(["rm", "-f", &n("NAME-maker")])
        .output();
    assert!(
        diffs.is_empty(),
        "the simulator differs from the daemon:\n{}",
        diffs.join("\n")
    );
}

#[path = "cli/learn.rs"]
mod learn;

#[path = "cli/check.rs"]
mod check;

#[path = "cli/docker.rs"]
mod docker;

#[path = "cli/builds.rs"]
mod builds;

#[path = "cli/images.rs"]
mod images;
/// `docker run -d` prints the new container's id before starting it, so a start that fails
/// (measured on dockerd 20.10) still leaves the id on stdout, with the error and its status.
#[test]
fn run_detached_prints_the_id_even_when_the_start_fails() {
    let dir = tempfile::tempdir().unwrap();
    sim(dir.path(), "pull busybox", "");
    let o = sim(dir.path(), "run -d busybox nosuchcmd", "");
    assert_eq!(o.code, 127, "{o:?}");
    let id = o.stdout.trim();
    assert!(
        id.len() == 64 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{o:?}"
    );
    assert!(
        o.stderr.contains("executable file not found in $PATH"),
        "{o:?}"
    );
}

/// Repository and tag naming rules: what `docker tag`, `pull` and `run` say about each name,
/// on the simulator and with the docker CLI on the daemon here.
#[test]
fn reference_rules_match_the_docker_cli() {
    let _guard = docker::lock();
    if !docker::daemon_answers() || !docker::prepared() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    sim(dir.path(), "pull busybox", "");
    let prefix = format!("dtnm{}", std::process::id());
    let long_tag = format!("a:{}", "t".repeat(129));
    let long_name = "a".repeat(256);
    let invalid = [
        "Bad",
        "me/App",
        "localhost:5000/X",
        "A/b",
        "a:b:c",
        "a/-b",
        "a:-b",
        ":tag",
        "a@sha256:123",
        "a___b",
        "a..b",
        "a.-b",
        "a//b",
        "ubuntu:",
        "a b",
        long_tag.as_str(),
        long_name.as_str(),
    ];
    let mut lines: Vec<String> = Vec::new();
    for r in invalid {
        lines.push(format!("tag busybox '{r}'"));
        lines.push(format!("pull '{r}'"));
    }
    lines.push("run --rm Bad".into());
    lines.push("commit nosuch A/b".into());
    let valid = [
        format!("{prefix}-a__b"),
        format!("{prefix}-a.b-c/d_e:T.1-x"),
        format!("localhost:5000/{prefix}/x:1"),
        format!("{prefix}@sha256:{}", &"0123456789".repeat(7)[..64]),
    ];
    for r in &valid {
        lines.push(format!("tag busybox '{r}'"));
    }
    let mut diffs = Vec::new();
    for line in &lines {
        let (s, r) = (sim(dir.path(), line, ""), real(dir.path(), line, ""));
        diffs.extend(unlike(line, &s, &r, str::to_string));
    }
    for r in &valid[..3] {
        let _ = Command::new("docker").args(["rmi", r]).output();
    }
    assert!(
        diffs.is_empty(),
        "the simulator differs from the docker CLI:\n{}",
        diffs.join("\n")
    );
}

/// `image inspect -f` sees the CLI's typed value first: fields a daemon leaves null print as
/// Go's zero values (`[]`, `map[]`). An imported image (no config at all) on the simulator
/// and with the docker CLI here.
#[test]
fn image_inspect_templates_match_the_docker_cli() {
    let _guard = docker::lock();
    if !docker::daemon_answers() || !docker::prepared() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    sim(dir.path(), "pull busybox", "");
    let n = format!("dtinspect{}", std::process::id());
    let lines = [
        format!("create --name {n} busybox"),
        format!("export -o {n}.tar {n}"),
        format!("import {n}.tar {n}:1"),
        format!("image inspect -f '{{{{.Comment}}}} {{{{.Config.Cmd}}}}|{{{{.Config.Entrypoint}}}}|{{{{.Config.Labels}}}}|{{{{.Config.Env}}}}|{{{{.Config.ExposedPorts}}}}|{{{{.Config.Volumes}}}}|{{{{.Config.WorkingDir}}}}|{{{{.Config.User}}}}|{{{{.RepoDigests}}}}|{{{{.Parent}}}}|{{{{.Author}}}}' {n}:1"),
        format!("run --rm {n}:1"),
    ];
    let mut diffs = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let s = sim(dir.path(), line, "");
        let r = real(dir.path(), line, "");
        // create and import print new ids, different on each side.
        let same = if i == 0 || i == 2 {
            s.code == r.code && s.stdout.len() == r.stdout.len()
        } else {
            (&s.stdout, &s.stderr, s.code) == (&r.stdout, &r.stderr, r.code)
        };
        if !same {
            diffs.push(format!(
                "$ docker {line}\n  simulator: exit {} stdout {:?} stderr {:?}\n  docker:    exit {} stdout {:?} stderr {:?}",
                s.code, s.stdout, s.stderr, r.code, r.stdout, r.stderr
            ));
        }
    }
    let _ = Command::new("docker").args(["rm", "-f", &n]).output();
    let _ = Command::new("docker")
        .args(["rmi", &format!("{n}:1")])
        .output();
    assert!(
        diffs.is_empty(),
        "the simulator differs from the docker CLI:\n{}",
        diffs.join("\n")
    );
}
