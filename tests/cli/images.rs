//! Images and registries on the simulator and on the real engine through docktutor's own
//! engine (in-process sessions, sandboxed), compared line by line after normalisation: the
//! note-000 local registry flow, and the image bookkeeping commands.

use std::path::Path;

use docktutor::engine::{open, EngineSelector, OpenOptions};
use docktutor::runner::compare::normalize;
use docktutor::session::{LineResult, Session};

use super::docker::{lock, prepared, registry_prepared};

/// Whether a daemon answers; required (a failure, not a skip) in CI where the socket exists.
fn daemon() -> bool {
    let ok = std::process::Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !(std::env::var_os("CI").is_some() && Path::new("/var/run/docker.sock").exists()),
            "CI is set and /var/run/docker.sock exists, but no Docker daemon answered"
        );
        eprintln!("skipping the real-engine comparison: no Docker daemon answered");
    }
    ok
}

/// One session on each engine, typed into side by side.
pub struct Both {
    pub sim: Session,
    pub docker: Session,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    diffs: Vec<String>,
}

impl Both {
    pub fn open() -> Both {
        let options = OpenOptions {
            deterministic: true,
            namespace: String::new(),
        };
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let sim = open(EngineSelector::Sim, &options).unwrap();
        let docker = open(EngineSelector::Docker, &options).unwrap();
        let mut both = Both {
            sim: Session::new(sim, a.path()).unwrap(),
            docker: Session::new(docker, b.path()).unwrap(),
            _dirs: (a, b),
            diffs: Vec::new(),
        };
        // The simulator starts empty; the daemon has the stand-ins.
        for image in ["busybox", "ubuntu"] {
            let r = both.sim.execute(&format!("docker pull {image}"));
            assert_eq!(r.exit_code, 0, "{r:?}");
        }
        both
    }

    /// Type `line` on both engines, without comparing.
    pub fn each(&mut self, line: &str) -> (LineResult, LineResult) {
        (self.sim.execute(line), self.docker.execute(line))
    }

    /// Type `line` on both engines and note any difference in stdout, stderr or exit code.
    pub fn same(&mut self, line: &str) -> (LineResult, LineResult) {
        let (s, d) = self.each(line);
        let (so, doo) = (canonical(&s.stdout), canonical(&d.stdout));
        let (se, de) = (canonical(&s.stderr), canonical(&d.stderr));
        if so != doo || se != de || s.exit_code != d.exit_code {
            self.diffs.push(format!(
                "$ {line}\n  simulator: exit {}\n{}{}  docker:    exit {}\n{}{}",
                s.exit_code,
                indent("stdout", &so),
                indent("stderr", &se),
                d.exit_code,
                indent("stdout", &doo),
                indent("stderr", &de),
            ));
        }
        (s, d)
    }

    /// Note a difference found by the test itself (state after a step).
    pub fn expect(&mut self, ok: bool, what: String) {
        if !ok {
            self.diffs.push(what);
        }
    }

    /// Fail with every difference noted.
    pub fn finish(self) {
        assert!(
            self.diffs.is_empty(),
            "the simulator differs from the real engine:\n{}",
            self.diffs.join("\n")
        );
    }
}

fn indent(what: &str, text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let mut out = format!("    {what}:\n");
    for l in text.lines() {
        out.push_str(&format!("      |{l}\n"));
    }
    out
}

/// The runner's normalisation (ids, digests, sizes, ages, column widths), and what differs
/// only because the daemon's images are stand-ins: a stand-in has other layers than the
/// image it stands for, so each run of per-layer progress lines (`<ID>: Pushed`) becomes the
/// distinct statuses it holds, in a fixed order (the daemon pushes layers concurrently), and
/// a manifest's size is not compared.
pub fn canonical(text: &str) -> String {
    let text = normalize(text);
    let mut out = String::new();
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut String| {
        let rank = |s: &str| match s {
            "Preparing" | "Waiting" | "Pulling fs layer" | "Already exists" => 0,
            "Verifying Checksum" | "Download complete" => 1,
            _ => 2,
        };
        run.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
        run.dedup();
        for s in run.drain(..) {
            out.push_str(&format!("[CID]: {s}\n"));
        }
    };
    for line in text.lines() {
        if let Some(status) = line.strip_prefix("[CID]: ") {
            // dockerd hands a watcher only the latest state of each layer, so these short-lived
            // ones are printed or not by chance.
            if !matches!(status, "Verifying Checksum" | "Waiting") {
                run.push(status.to_string());
            }
            continue;
        }
        flush(&mut run, &mut out);
        let line = match line.split_once(" size: ") {
            Some((head, n)) if head.contains(": digest: ") && n.parse::<u64>().is_ok() => {
                format!("{head} size: [N]")
            }
            _ => line.to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    flush(&mut run, &mut out);
    out
}

/// Poll until the registry container answers (it listens a moment after `run -d` returns).
fn wait_for_registry(both: &mut Both) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (s, d) = both.each("docker logs registry");
        let listening = |r: &LineResult| (r.stdout.clone() + &r.stderr).contains("listening on");
        if listening(&s) && listening(&d) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the registry never listened: {d:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn id_of(session: &mut Session, reference: &str) -> String {
    let r = session.execute(&format!(
        "docker image inspect -f '{{{{.Id}}}}' {reference}"
    ));
    r.stdout.trim().to_string()
}

#[test]
fn canonical_output_keeps_statuses_and_drops_layer_counts() {
    let daemon = "The push refers to repository [localhost:5000/x]\ne2eacaf84fe1: Preparing\ncf3f6da9bcc1: Preparing\ncf3f6da9bcc1: Layer already exists\ne2eacaf84fe1: Pushed\nlatest: digest: sha256:3ef98e238d6bffd31d017bb5269a6a569fc9723d9faa258db3821227ad621859 size: 943\n";
    let sim = "The push refers to repository [localhost:5000/x]\ndfdd6f9eeb69: Preparing\ndfdd6f9eeb69: Pushed\n0123456789ab: Preparing\n0123456789ab: Layer already exists\nlatest: digest: sha256:58d49c45c376698a33d7d3e113ddf7ec33d6e6b5d56f35c761765e75c9c53e7a size: 529\n";
    assert_eq!(canonical(daemon), canonical(sim));
    assert_eq!(
        canonical(daemon),
        "The push refers to repository [localhost:5000/x]\n[CID]: Preparing\n[CID]: Layer already exists\n[CID]: Pushed\nlatest: digest: [DIGEST] size: [N]\n"
    );
    assert_ne!(
        canonical("e2eacaf84fe1: Pushed\n"),
        canonical("e2eacaf84fe1: Layer already exists\n")
    );
}

/// Note 000: `registry:2` run as a container serves localhost:5000 while it runs; push and
/// pull print Docker's progress lines; an image pushed, removed and pulled back keeps its id;
/// with the registry stopped, push and pull fail with Docker's messages.
#[test]
fn registry_flow_matches_the_real_engine() {
    let _guard = lock();
    if !daemon() || !registry_prepared() {
        return;
    }
    let mut b = Both::open();
    b.sim.execute("docker pull registry:2");
    b.same("docker run -d -p 5000:5000 --restart=always --name registry registry:2");
    wait_for_registry(&mut b);
    b.same("docker tag ubuntu localhost:5000/ubuntu");
    let before = (
        id_of(&mut b.sim, "localhost:5000/ubuntu"),
        id_of(&mut b.docker, "localhost:5000/ubuntu"),
    );
    b.same("docker push localhost:5000/ubuntu");
    b.same("docker images --digests --format '{{.Repository}}:{{.Tag}} {{.Digest}}' localhost:5000/ubuntu");
    b.same("docker rmi localhost:5000/ubuntu");
    b.same("docker images -q localhost:5000/ubuntu");
    b.same("docker pull localhost:5000/ubuntu");
    let after = (
        id_of(&mut b.sim, "localhost:5000/ubuntu"),
        id_of(&mut b.docker, "localhost:5000/ubuntu"),
    );
    b.expect(
        before == after && !before.0.is_empty() && !before.1.is_empty(),
        format!("pulled back with another id: before {before:?}, after {after:?}"),
    );
    b.same("docker images --digests --format '{{.Repository}}:{{.Tag}} {{.Digest}}' localhost:5000/ubuntu");
    b.same("docker pull localhost:5000/ubuntu");
    b.same("docker push localhost:5000/ubuntu");
    // A second repository on the same registry mounts the layers it already has.
    b.same("docker tag ubuntu localhost:5000/other:v1");
    b.same("docker push localhost:5000/other:v1");
    // An image made here, pushed, removed entirely, and pulled back: same id.
    b.same("docker run --name snap ubuntu touch /i-was-here");
    b.same("docker commit -m snapshot snap localhost:5000/snap:1");
    let before = (
        id_of(&mut b.sim, "localhost:5000/snap:1"),
        id_of(&mut b.docker, "localhost:5000/snap:1"),
    );
    b.same("docker push localhost:5000/snap:1");
    b.same("docker rm snap");
    b.same("docker rmi localhost:5000/snap:1");
    b.same("docker pull localhost:5000/snap:1");
    let after = (
        id_of(&mut b.sim, "localhost:5000/snap:1"),
        id_of(&mut b.docker, "localhost:5000/snap:1"),
    );
    b.expect(
        before == after,
        format!("a removed image pulled back with another id: before {before:?}, after {after:?}"),
    );
    b.same("docker run --rm localhost:5000/snap:1 ls /i-was-here");
    b.same("docker pull localhost:5000/nothere");
    b.same("docker push localhost:5000/nothere");
    b.same("docker stop registry");
    b.same("docker push localhost:5000/ubuntu");
    b.same("docker pull localhost:5000/ubuntu");
    b.same("docker pull localhost:5000/snap:2");
    b.finish();
}

#[allow(dead_code)]
fn uses_prepared() -> bool {
    prepared()
}
