//! The real engine: lessons on a daemon, the sandbox's promises, and what happens when no
//! daemon answers. Tests that need a daemon skip with a message where none answers, and fail
//! in CI where the socket exists.

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::sync::Mutex;

use assert_cmd::Command;

/// Real-engine tests share one daemon; running them one at a time keeps their "nothing of
/// ours is left" checks meaningful.
static DAEMON: Mutex<()> = Mutex::new(());

/// Whether a daemon answers; where CI has a Docker socket, a silent one is a failure.
pub fn daemon_answers() -> bool {
    let ok = StdCommand::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !(std::env::var_os("CI").is_some() && Path::new("/var/run/docker.sock").exists()),
            "CI is set and /var/run/docker.sock exists, but no Docker daemon answered"
        );
        eprintln!("skipping: no Docker daemon answered");
    }
    ok
}

/// Stand-in images from Debian's static busybox (no registry is reachable here).
pub fn prepared() -> bool {
    if !Path::new("/bin/busybox").exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install busybox-static"
        );
        eprintln!("skipping: /bin/busybox (Debian busybox-static) is not installed");
        return false;
    }
    // registry:2's stand-in runs Debian's docker-registry; without it the others still build
    // and the registry tests say they skip (see `registry_prepared`).
    let mut args = vec!["prepare", "--from-busybox", "/bin/busybox"];
    if !Path::new(REGISTRY_BINARY).exists() {
        args.extend(["busybox:latest", "ubuntu:latest", "hello-world:latest"]);
    }
    let out = Command::cargo_bin("docktutor")
        .unwrap()
        .args(&args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("left as it is") {
        eprintln!("skipping: this daemon has real images with the lessons' names; the stand-ins were not built\n{text}");
        return false;
    }
    assert!(
        out.status.success(),
        "prepare failed:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

const REGISTRY_BINARY: &str = "/usr/bin/docker-registry";

/// The stand-ins, registry:2 among them (Debian's docker-registry must be installed).
pub fn registry_prepared() -> bool {
    if !Path::new(REGISTRY_BINARY).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install docker-registry"
        );
        eprintln!("skipping: {REGISTRY_BINARY} (Debian docker-registry) is not installed");
        return false;
    }
    prepared()
}

pub fn docker(args: &[&str]) -> String {
    let out = StdCommand::new("docker")
        .args(args)
        .output()
        .expect("docker CLI");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `docktutor learn lost-files` on the real engine, its data kept in `data`, stdin piped.
fn learn_on_docker(data: &Path, output: fn() -> Stdio) -> std::process::Child {
    StdCommand::new(env!("CARGO_BIN_EXE_docktutor"))
        .args(["learn", "lost-files", "--engine", "docker"])
        .env("XDG_DATA_HOME", data)
        .env("HOME", data)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(output())
        .stderr(output())
        .spawn()
        .unwrap()
}

pub fn lock() -> std::sync::MutexGuard<'static, ()> {
    DAEMON.lock().unwrap_or_else(|e| e.into_inner())
}

/// Objects labelled with a docktutor process id.
fn objects_of_pid(pid: u32) -> String {
    let filter = format!("label=org.docktutor.pid={pid}");
    [
        docker(&["ps", "-aq", "--filter", &filter]),
        docker(&["volume", "ls", "-q", "--filter", &filter]),
        docker(&["images", "-aq", "--filter", &filter]),
    ]
    .join(" ")
    .trim()
    .to_string()
}

/// The user's own objects, created outside the tutor, and what they look like.
struct UserObjects {
    tag: String,
}

impl UserObjects {
    fn create() -> Self {
        let tag = format!("dtuser{}", std::process::id());
        docker(&[
            "create",
            "--name",
            &format!("{tag}-stopped"),
            "busybox",
            "true",
        ]);
        docker(&[
            "run",
            "-d",
            "--name",
            &format!("{tag}-running"),
            "busybox",
            "sleep",
            "600",
        ]);
        docker(&["tag", "busybox", &format!("{tag}-image:1")]);
        docker(&["volume", "create", &format!("{tag}-volume")]);
        UserObjects { tag }
    }

    /// Ids, states and start times: anything the tutor might have changed.
    fn fingerprint(&self) -> String {
        let t = &self.tag;
        [
            docker(&[
                "inspect",
                "-f",
                "{{.Id}} {{.State.Status}} {{.State.StartedAt}} {{.RestartCount}}",
                &format!("{t}-stopped"),
                &format!("{t}-running"),
            ]),
            // Other test runs on this daemon tag busybox too (`dtuser<pid>-image:1`): only
            // this run's tags and the images' own names count.
            docker(&[
                "image",
                "inspect",
                "-f",
                "{{.Id}} {{.RepoTags}}",
                &format!("{t}-image:1"),
                "busybox",
                "ubuntu",
            ])
            .lines()
            .map(|l| {
                let (id, tags) = l.split_once(' ').unwrap_or((l, ""));
                let tags: Vec<&str> = tags
                    .trim_matches(|c| c == '[' || c == ']')
                    .split(' ')
                    .filter(|tag| !tag.starts_with("dtuser") || tag.starts_with(t.as_str()))
                    .collect();
                format!("{id} [{}]", tags.join(" "))
            })
            .collect::<Vec<_>>()
            .join("\n"),
            docker(&[
                "volume",
                "inspect",
                "-f",
                "{{.Name}} {{.CreatedAt}}",
                &format!("{t}-volume"),
            ]),
        ]
        .join("\n")
    }
}

impl Drop for UserObjects {
    fn drop(&mut self) {
        let t = &self.tag;
        let _ = StdCommand::new("docker")
            .args(["rm", "-f", &format!("{t}-stopped"), &format!("{t}-running")])
            .output();
        let _ = StdCommand::new("docker")
            .args(["rmi", &format!("{t}-image:1")])
            .output();
        let _ = StdCommand::new("docker")
            .args(["volume", "rm", &format!("{t}-volume")])
            .output();
    }
}

/// Every lesson passes on the real engine, and hostile commands typed into the tutor touch
/// none of the user's containers, images or volumes; afterwards nothing of the tutor's is left.
#[test]
fn lessons_pass_on_a_real_engine_and_leave_the_users_objects_alone() {
    let _guard = lock();
    if !daemon_answers() || !prepared() {
        return;
    }
    let user = UserObjects::create();
    let before = user.fingerprint();

    let check = StdCommand::new(env!("CARGO_BIN_EXE_docktutor"))
        // Two at a time, as CI's check does: each lesson file has its own namespace.
        .args(["check", "lessons/", "--engine", "docker", "--jobs", "2"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "lessons failed on the real engine:\n{report}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // The only skips allowed: lessons that need Docker Hub, which no offline engine reaches.
    assert!(report.contains(" 0 failed, "), "{report}");
    let skipped = report
        .lines()
        .skip_while(|l| !l.starts_with("skipped:"))
        .skip(1)
        .filter(|l| l.starts_with("  "));
    for line in skipped {
        assert!(
            line.contains("needs Docker Hub"),
            "unexpected skip: {line}\n{report}"
        );
    }

    let t = &user.tag;
    let running_id = docker(&["inspect", "-f", "{{.Id}}", &format!("{t}-running")]);
    let hostile = [
        "docker run -d -i --name mine busybox sh".to_string(),
        "docker tag busybox mine:1".to_string(),
        "docker ps -a".to_string(),
        "docker images".to_string(),
        "docker rm -f $(docker ps -aq)".to_string(),
        "docker container prune -f".to_string(),
        "docker image prune -af".to_string(),
        "docker rmi -f $(docker images -q)".to_string(),
        "docker rmi -f busybox ubuntu".to_string(),
        format!("docker rm -f {t}-stopped {t}-running"),
        format!("docker stop {t}-running"),
        format!("docker rm -f {}", &running_id[..12]),
        format!("docker rmi {t}-image:1"),
        format!("docker run -v {t}-volume:/x busybox true"),
        "docker run --privileged busybox true".to_string(),
        "docker run -v /var/run/docker.sock:/s busybox true".to_string(),
        "docker run -v /etc:/host-etc busybox true".to_string(),
        ":quit".to_string(),
    ];
    let data = tempfile::tempdir().unwrap();
    let mut child = learn_on_docker(data.path(), Stdio::piped);
    let pid = child.id();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all((hostile.join("\n") + "\n").as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let transcript =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);

    assert_eq!(
        user.fingerprint(),
        before,
        "the user's objects changed; transcript:\n{transcript}"
    );
    assert_eq!(
        objects_of_pid(pid),
        "",
        "the tutor left objects behind; transcript:\n{transcript}"
    );
    // Other sessions may share the daemon: look for this session's own tag.
    assert!(
        !docker(&["images", "--format", "{{.Repository}}"])
            .lines()
            .any(|r| r.starts_with("dt-") && r.ends_with("-mine")),
        "the session's `mine` tag is left"
    );
    // The sandbox said why it refused, and `mine` (the session's own) was removed.
    for expected in [
        "refused: `--privileged`",
        "refused: mounting the Docker socket",
        "refused: bind mount of /etc",
        &format!("No such container: {t}-running"),
        "leaves it alone",
    ] {
        assert!(
            transcript.contains(expected),
            "missing {expected:?} in:\n{transcript}"
        );
    }
}

/// `docktutor docker --engine docker ARGS` in `dir`, a session of its own: exit code, stdout,
/// stderr.
fn dropin(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("docktutor")
        .unwrap()
        .args(["docker", "--engine", "docker"])
        .args(args)
        .env("DOCKTUTOR_STATE", dir.join("state.json"))
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn parallel_sessions_do_not_see_each_other() {
    let _guard = lock();
    if !daemon_answers() || !prepared() {
        return;
    }
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let run = dropin;
    let (code_a, _, err_a) = run(a.path(), &["run", "--name", "web", "busybox", "echo", "a"]);
    let (code_b, _, err_b) = run(b.path(), &["run", "--name", "web", "busybox", "echo", "b"]);
    assert_eq!((code_a, code_b), (0, 0), "{err_a}{err_b}");
    let (_, ps_a, _) = run(
        a.path(),
        &["ps", "-a", "--format", "{{.Names}} {{.Command}}"],
    );
    let (_, ps_b, _) = run(
        b.path(),
        &["ps", "-a", "--format", "{{.Names}} {{.Command}}"],
    );
    assert_eq!(ps_a, "web \"echo a\"\n");
    assert_eq!(ps_b, "web \"echo b\"\n");
    let (code, _, err) = run(a.path(), &["logs", "web"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(run(a.path(), &["rm", "web"]).0, 0);
    let (_, ps_b, _) = run(b.path(), &["ps", "-a", "--format", "{{.Names}}"]);
    assert_eq!(ps_b, "web\n", "removing a's web left b's alone");
    assert_eq!(run(b.path(), &["rm", "web"]).0, 0);
}

#[test]
fn an_unreachable_engine_names_what_was_tried_and_offers_the_simulator() {
    let out = Command::cargo_bin("docktutor")
        .unwrap()
        .args(["docker", "--engine", "docker", "ps"])
        .env("DOCKER_HOST", "unix:///nonexistent/docktutor-test.sock")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("Cannot connect to the Docker daemon at unix:///nonexistent/docktutor-test.sock. Is the docker daemon running?"),
        "{err}"
    );
    assert!(
        err.contains("unix:///nonexistent/docktutor-test.sock (DOCKER_HOST): no such socket"),
        "{err}"
    );
    assert!(err.contains("--engine sim"), "{err}");

    // `auto` falls back to the simulator.
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("docktutor")
        .unwrap()
        .args(["docker", "--engine", "auto", "ps"])
        .env("DOCKER_HOST", "unix:///nonexistent/docktutor-test.sock")
        .env("DOCKTUTOR_STATE", dir.path().join("state.json"))
        .assert()
        .success()
        .stdout("CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n");

    // And `check --engine docker` says so once instead of failing every case obscurely.
    let out = Command::cargo_bin("docktutor")
        .unwrap()
        .args(["check", "lessons/000-04-naming.toml", "--engine", "docker"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DOCKER_HOST", "unix:///nonexistent/docktutor-test.sock")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("no Docker engine answered") || text.contains("Cannot connect"),
        "{text}"
    );
}

/// Type `line` into a running `learn` and wait (up to a minute) until the container it starts
/// is running on the daemon.
fn run_and_wait(child: &mut std::process::Child, line: &str) {
    use std::io::Write;
    let stdin = child.stdin.as_mut().unwrap();
    stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
    stdin.flush().unwrap();
    let filter = format!("label=org.docktutor.pid={}", child.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while docker(&["ps", "-q", "--filter", &filter]).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the container never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Ctrl-C in the middle of a session removes what the session made before docktutor exits.
#[test]
fn ctrl_c_removes_the_sessions_objects() {
    let _guard = lock();
    if !daemon_answers() || !prepared() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let mut child = learn_on_docker(data.path(), Stdio::piped);
    let pid = child.id();
    // Wait until the container exists, then interrupt with stdin still open.
    run_and_wait(
        &mut child,
        "docker run -d --name kept-running busybox sleep 300",
    );
    let stdin = child.stdin.take();
    StdCommand::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("interrupted; removing what this session made"));
    assert_eq!(
        objects_of_pid(pid),
        "",
        "Ctrl-C left the session's objects behind"
    );
}

/// `docktutor clean` removes what a killed session left, and nothing of a live one's.
#[test]
fn clean_removes_leftovers_of_a_killed_session_only() {
    let _guard = lock();
    if !daemon_answers() || !prepared() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let spawn = || learn_on_docker(data.path(), Stdio::null);
    let start = |child: &mut std::process::Child| {
        run_and_wait(child, "docker run -d -v data:/data busybox sleep 300");
    };
    let mut crashed = spawn();
    let mut alive = spawn();
    start(&mut crashed);
    start(&mut alive);
    // SIGKILL: no handler runs, as in a crash.
    crashed.kill().unwrap();
    crashed.wait().unwrap();
    assert_ne!(
        objects_of_pid(crashed.id()),
        "",
        "the crash left objects (as it should)"
    );
    Command::cargo_bin("docktutor")
        .unwrap()
        .arg("clean")
        .assert()
        .success()
        // Other crashed sessions on a shared daemon may be cleaned too, so no exact count.
        .stdout(
            predicates::str::is_match(
                "Removed [1-9][0-9]* container\\(s\\), [1-9][0-9]* volume\\(s\\)",
            )
            .unwrap(),
        );
    assert_eq!(
        objects_of_pid(crashed.id()),
        "",
        "clean left the crashed session's objects"
    );
    assert_ne!(
        objects_of_pid(alive.id()),
        "",
        "clean removed a live session's objects"
    );
    drop(alive.stdin.take());
    alive.wait().unwrap();
    assert_eq!(
        objects_of_pid(alive.id()),
        "",
        "the live session cleaned up when it ended"
    );
}

/// A daemon behind TLS with client certificates, as `DOCKER_TLS_VERIFY=1` expects: stunnel in
/// front of the local socket, with a CA, a server and a client certificate made by openssl.
#[test]
fn tls_daemon_through_docker_tls_verify_and_cert_path() {
    let _guard = lock();
    if !daemon_answers() || !prepared() {
        return;
    }
    let tools = ["openssl", "stunnel"].map(|t| {
        StdCommand::new("sh")
            .args(["-c", &format!("command -v {t}")])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if tools.contains(&false) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install openssl and stunnel4"
        );
        eprintln!("skipping: openssl or stunnel is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sh = |script: &str| {
        let out = StdCommand::new("sh")
            .current_dir(d)
            .args(["-ec", script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=dt-ca
        openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr -subj /CN=localhost
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server.pem -days 2 -extfile server.ext
        mkdir client other
        openssl req -newkey rsa:2048 -nodes -keyout client/key.pem -out client.csr -subj /CN=client
        printf 'extendedKeyUsage=clientAuth\\n' > client.ext
        openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out client/cert.pem -days 2 -extfile client.ext
        cp ca.pem client/ca.pem
        openssl req -x509 -newkey rsa:2048 -nodes -keyout other/key.pem -out other/cert.pem -days 2 -subj /CN=stranger
        cp other/cert.pem other/ca.pem");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        d.join("stunnel.conf"),
        format!(
            "foreground = yes\npid =\n[docker]\naccept = 127.0.0.1:{port}\nconnect = /var/run/docker.sock\n\
             cert = {0}/server.pem\nkey = {0}/server-key.pem\nCAfile = {0}/ca.pem\nverifyChain = yes\nrequireCert = yes\n",
            d.display()
        ),
    )
    .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _stunnel = Kill(
        StdCommand::new("stunnel")
            .arg(d.join("stunnel.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let up = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(up, "stunnel did not listen on {port}");
    let data = tempfile::tempdir().unwrap();
    let tutor = |certs: &str, args: &[&str]| {
        Command::cargo_bin("docktutor")
            .unwrap()
            .env("DOCKER_HOST", format!("tcp://127.0.0.1:{port}"))
            .env("DOCKER_TLS_VERIFY", "1")
            .env("DOCKER_CERT_PATH", d.join(certs))
            .env("DOCKTUTOR_DATA", data.path())
            .args(["docker", "--engine", "docker"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = tutor(
        "client",
        &["run", "--rm", "busybox", "echo", "hello over TLS"],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "hello over TLS\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success());
    // A client the daemon's CA never signed is turned away, and the message names the address.
    let out = tutor("other", &["ps"]);
    assert_eq!(out.status.code(), Some(125));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("tcp://127.0.0.1:{port} (DOCKER_HOST)")),
        "{err}"
    );
    // Missing certificate files are named, not guessed at.
    let out = tutor("missing", &["ps"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing/ca.pem is missing"), "{err}");
}

/// Behaviour of the real-engine adapter that once differed from the docker CLI's, each a case
/// of `tests/fixtures/check/real-engine/adapter.toml` run on the daemon.
#[test]
fn adapter_regressions_pass_on_the_daemon() {
    let _guard = lock();
    if !daemon_answers() || !prepared() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("docktutor")
        .unwrap()
        .args([
            "check",
            "tests/fixtures/check/real-engine",
            "--engine",
            "docker",
        ])
        .env("NO_COLOR", "1")
        .env("DOCKTUTOR_DATA", data.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("6 passed, 0 failed, 0 skipped"), "{report}");
}

/// A session's build cache is its own: the same Dockerfile built in another session runs every
/// step (as on the simulator, and as on a machine that never built it), and a second build in
/// the same session uses the cache. Both sessions live in this process, as the tutor's do, so
/// a `docktutor clean` elsewhere on the daemon does not take their images away mid-test.
#[test]
fn sessions_build_with_their_own_cache_only() {
    use docktutor::engine::{open, EngineSelector, OpenOptions};
    use docktutor::session::Session;

    let _guard = lock();
    if !daemon_answers() || !prepared() {
        return;
    }
    let dockerfile = "FROM busybox\nWORKDIR /app\nRUN echo one > one\nCMD [\"cat\", \"one\"]\n";
    let session = |name: &str, dir: &Path| {
        std::fs::write(dir.join("Dockerfile"), dockerfile).unwrap();
        let options = OpenOptions {
            deterministic: true,
            namespace: format!("cache-{name}-{}", std::process::id()),
        };
        Session::new(open(EngineSelector::Docker, &options).unwrap(), dir).unwrap()
    };
    let cached = |s: &mut Session| {
        let r = s.execute("docker build -t app .");
        assert_eq!(r.exit_code, 0, "{}{}", r.stdout, r.stderr);
        r.stdout.matches("Using cache").count()
    };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut a = session("a", dir_a.path());
    let mut b = session("b", dir_b.path());
    assert_eq!(cached(&mut a), 0);
    assert_eq!(cached(&mut b), 0, "a's steps are not b's cache");
    assert_eq!(cached(&mut b), 3);
}
