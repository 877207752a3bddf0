//! Images and registries on the simulator and on the real engine through docktutor's own
//! engine (in-process sessions, sandboxed), compared line by line after normalisation: the
//! note-000 local registry flow, and the image bookkeeping commands.

use docktutor::engine::{open, EngineSelector, OpenOptions};
use docktutor::runner::compare::normalize;
use docktutor::session::{LineResult, Session};

use super::docker::{daemon_answers, lock, prepared, registry_prepared};

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
        self.same_shaped(line, "", canonical)
    }

    /// As [`Both::same`], comparing stdout as `shape` leaves it (`note` says how, in the
    /// report); stderr is always compared whole.
    fn same_shaped(
        &mut self,
        line: &str,
        note: &str,
        shape: impl Fn(&str) -> String,
    ) -> (LineResult, LineResult) {
        let (s, d) = self.each(line);
        let (so, doo) = (shape(&s.stdout), shape(&d.stdout));
        let (se, de) = (canonical(&s.stderr), canonical(&d.stderr));
        if so != doo || se != de || s.exit_code != d.exit_code {
            self.diffs.push(format!(
                "$ {line}{note}\n  simulator: exit {}\n{}{}  docker:    exit {}\n{}{}",
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
        self.finish_then(|| {});
    }

    /// End both sessions (the real one removes what it made), run `cleanup`, then fail with
    /// every difference noted.
    pub fn finish_then(self, cleanup: impl FnOnce()) {
        let Both {
            sim, docker, diffs, ..
        } = self;
        drop((sim, docker));
        cleanup();
        assert!(
            diffs.is_empty(),
            "the simulator differs from the real engine:\n{}",
            diffs.join("\n")
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

/// Remove the daemon's images with `label` (children first, so run until none is left).
pub fn remove_images_labelled(label: &str) {
    for _ in 0..20 {
        let ids = super::docker::docker(&["images", "-aq", "--filter", &format!("label={label}")]);
        if ids.is_empty() {
            return;
        }
        for id in ids.split_whitespace() {
            let _ = std::process::Command::new("docker")
                .args(["rmi", id])
                .output();
        }
    }
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
    if !daemon_answers() || !registry_prepared() {
        return;
    }
    if std::net::TcpStream::connect("127.0.0.1:5000").is_ok() {
        // The test's registry publishes port 5000 on this machine.
        eprintln!(
            "skipping: something already listens on 127.0.0.1:5000 (a docker-registry service?)"
        );
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

impl Both {
    /// Like [`Both::same`], on the first `n` lines of stdout only: for listings that end in
    /// the base image's own rows, which a stand-in does not share with the image it stands
    /// for (`docker history` of an image built here).
    pub fn same_head(&mut self, line: &str, n: usize) {
        let head = |t: &str| {
            canonical(t)
                .lines()
                .take(n)
                .map(|l| format!("{l}\n"))
                .collect::<String>()
        };
        self.same_shaped(line, &format!(" (first {n} lines)"), head);
    }

    /// Like [`Both::same`] with stdout's lines sorted: `image prune` deletes in the order of
    /// a Go map, which is no order.
    pub fn same_unordered(&mut self, line: &str) {
        let sorted = |t: &str| {
            let mut v: Vec<String> = canonical(t).lines().map(str::to_string).collect();
            v.sort();
            v.join("\n")
        };
        self.same_shaped(line, " (lines sorted)", sorted);
    }

    /// Write `text` to `path` in both sessions' workspaces.
    pub fn write(&self, path: &str, text: &str) {
        for ws in [self.sim.workspace(), self.docker.workspace()] {
            let p = ws.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }
}

/// images (-a, -q, dangling, --format), `<none>` after a re-tagging build, history, tag, rmi
/// (untag, delete, refused while a stopped container uses it, -f), image prune (-a), image
/// inspect and commit (-m, -c), on both engines.
#[test]
fn image_bookkeeping_matches_the_real_engine() {
    let _guard = lock();
    if !daemon_answers() || !prepared() {
        return;
    }
    let mut b = Both::open();
    // The sandbox shows the daemon's own images once the session has used them.
    b.each("docker image inspect busybox ubuntu");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let token = format!("{}-{nanos}", std::process::id());
    b.write(
        "ctx/Dockerfile",
        &format!(
            "FROM busybox\nLABEL test.run={token}\nRUN echo one > /one\nCMD [\"cat\", \"/one\"]\n"
        ),
    );
    b.same("docker images");
    b.same("docker build -t app ctx");
    b.write(
        "ctx/Dockerfile",
        &format!(
            "FROM busybox\nLABEL test.run={token}\nRUN echo two > /two\nCMD [\"cat\", \"/two\"]\n"
        ),
    );
    b.same("docker build -t app ctx");
    b.same("docker images");
    b.same("docker images -a");
    b.same("docker images -q");
    b.same("docker images -aq");
    b.same("docker images --filter dangling=true");
    b.same("docker images -f dangling=false --format '{{.Repository}}:{{.Tag}}'");
    b.same("docker images --format '{{.Repository}} {{.Tag}} {{.ID}} {{.Size}}' app");
    b.same("docker images --format 'table {{.Repository}}\t{{.Tag}}'");
    b.same_head("docker history app", 4);
    b.same_head("docker history --no-trunc app", 4);
    b.same_head("docker history --format '{{.CreatedBy}}|{{.Size}}' app", 3);
    b.same_head("docker history -q app", 3);
    b.same("docker image inspect -f '{{.RepoTags}} {{.RepoDigests}} {{.Config.Cmd}} {{.Config.Entrypoint}} {{.Config.WorkingDir}} {{.Config.Env}} {{.Config.ExposedPorts}} {{.Config.Labels}} {{.Config.User}} {{.Architecture}} {{.Os}} {{.RootFS.Type}}' app");
    b.same("docker image inspect nothere");
    b.same("docker image inspect -f '{{.Id}}' app nothere");
    b.same("docker tag app app:v2");
    b.same("docker tag app:v2 other/app:v3");
    b.same("docker images --format '{{.Repository}}:{{.Tag}}' app");
    b.same("docker tag nothere:1 x");
    b.same("docker rmi app:v2");
    b.same("docker rmi other/app:v3");
    b.same("docker rmi nothere");
    b.same("docker run --name user app");
    b.same("docker rmi app");
    b.same("docker tag app app:keep");
    b.same("docker rmi app");
    b.same("docker rmi app:keep");
    b.same("docker images --format '{{.Repository}}:{{.Tag}}'");
    b.same("docker rm user");
    b.same_unordered("docker image prune -f");
    b.same("docker images -a --format '{{.Repository}}:{{.Tag}}'");
    b.same("docker build -t app ctx");
    b.same("docker run --name user2 app");
    b.same("docker rmi -f app");
    b.same("docker images --format '{{.Repository}}:{{.Tag}}'");
    b.same("docker ps -a --format '{{.Names}} {{.Status}}'");
    b.same("docker rm user2");
    // By id: several tags need -f; a parent with a child cannot go; a running container's
    // image cannot go even with -f.
    b.same("docker build -q -t multi:1 ctx");
    b.same("docker tag multi:1 multi:2");
    b.same("docker tag multi:1 other:1");
    let id = id_of(&mut b.sim, "multi:1");
    let did = id_of(&mut b.docker, "multi:1");
    let by_id = |id: &str, flags: &str| format!("docker rmi {flags}{}", &id[7..19]);
    let (s, d) = (
        b.sim.execute(&by_id(&id, "")),
        b.docker.execute(&by_id(&did, "")),
    );
    b.expect(
        canonical(&s.stderr) == canonical(&d.stderr) && s.exit_code == d.exit_code,
        format!("rmi ID with three tags: simulator {s:?}\n  docker {d:?}"),
    );
    b.same("docker run -d --name running multi:1 sleep 60");
    let (s, d) = (
        b.sim.execute(&by_id(&id, "-f ")),
        b.docker.execute(&by_id(&did, "-f ")),
    );
    b.expect(
        canonical(&s.stderr) == canonical(&d.stderr) && s.exit_code == d.exit_code,
        format!("rmi -f ID under a running container: simulator {s:?}\n  docker {d:?}"),
    );
    b.same("docker rm -f running");
    let (s, d) = (
        b.sim.execute(&by_id(&id, "-f ")),
        b.docker.execute(&by_id(&did, "-f ")),
    );
    b.expect(
        canonical(&s.stdout) == canonical(&d.stdout) && s.exit_code == d.exit_code,
        format!("rmi -f ID with three tags: simulator {s:?}\n  docker {d:?}"),
    );
    b.same("docker images --format '{{.Repository}}:{{.Tag}}' multi");
    b.same("docker run --name parent busybox touch /p");
    b.same("docker commit parent base:1");
    b.same("docker rm parent");
    b.same("docker run --name child base:1 touch /c");
    b.same("docker commit child derived:1");
    b.same("docker rm child");
    let pid = id_of(&mut b.sim, "base:1");
    let dpid = id_of(&mut b.docker, "base:1");
    b.same("docker rmi base:1");
    let (s, d) = (
        b.sim.execute(&by_id(&pid, "")),
        b.docker.execute(&by_id(&dpid, "")),
    );
    b.expect(
        canonical(&s.stderr) == canonical(&d.stderr) && s.exit_code == d.exit_code,
        format!("rmi of a parent image: simulator {s:?}\n  docker {d:?}"),
    );
    b.same("docker rmi derived:1");
    // commit
    b.same("docker run --name c1 busybox sh -c 'echo hi > /f'");
    b.same("docker commit -m 'my message' -c 'CMD [\"cat\", \"/f\"]' -c 'ENV X=1' c1 snap:1");
    b.same("docker run --rm snap:1");
    b.same("docker image inspect -f '{{.Config.Cmd}} {{.Comment}} {{.RepoTags}} {{index .Config.Env 1}}' snap:1");
    b.same_head(
        "docker history --format '{{.CreatedBy}}|{{.Comment}}' snap:1",
        1,
    );
    b.same("docker commit c1");
    b.same("docker images --filter dangling=true --format '{{.Repository}}:{{.Tag}}'");
    b.same("docker commit nosuch x");
    // save / load: the image comes back with its id and tag.
    let before = (id_of(&mut b.sim, "snap:1"), id_of(&mut b.docker, "snap:1"));
    b.same("docker save -o snap.tar snap:1");
    b.same("docker rmi snap:1");
    b.same("docker load -i snap.tar");
    let after = (id_of(&mut b.sim, "snap:1"), id_of(&mut b.docker, "snap:1"));
    b.expect(
        before == after,
        format!("save/load changed the id: before {before:?}, after {after:?}"),
    );
    b.same("docker tag busybox snap:1");
    b.same("docker load -i snap.tar");
    b.same("docker run --rm snap:1");
    b.same("docker save -o nothere.tar nothere:1");
    // export / import: a container's files as a new one-layer image without a command.
    b.same("docker export -o c1.tar c1");
    b.same("docker import c1.tar imported:1");
    b.same("docker run --rm imported:1 cat /f");
    b.same("docker run --rm imported:1");
    b.same_head("docker history imported:1", 2);
    b.same("docker image inspect -f '{{.Comment}} {{.Config.Cmd}} {{.Parent}}' imported:1");
    b.same("docker import c1.tar");
    b.same("docker images --filter dangling=true --format '{{.Repository}}:{{.Tag}}'");
    b.write("garbage.tar", "not a tar archive\n");
    b.same("docker load -i garbage.tar");
    b.same("docker import garbage.tar x");
    b.same("docker rm c1");
    // Stopped containers keep the base images from `prune -a` (the sandbox would keep the
    // daemon's own images anyway).
    b.same("docker create --name keep1 busybox");
    b.same("docker create --name keep2 ubuntu");
    b.same_unordered("docker image prune -a -f");
    b.same("docker images --format '{{.Repository}}:{{.Tag}}'");
    b.finish_then(|| remove_images_labelled(&format!("test.run={token}")));
}

/// Each `Step N/M : …` of a classic build and whether the builder took it from the cache.
fn cache_pattern(output: &str) -> Vec<(String, bool)> {
    let mut steps: Vec<(String, bool)> = Vec::new();
    for line in output.lines() {
        if line.starts_with("Step ") {
            steps.push((line.to_string(), false));
        } else if line == " ---> Using cache" {
            if let Some(last) = steps.last_mut() {
                last.1 = true;
            }
        }
    }
    steps
}

#[test]
fn cache_pattern_reads_the_steps() {
    let out = "Step 1/3 : FROM busybox\n ---> 33d4ede3b56b\nStep 2/3 : WORKDIR /src\n ---> Using cache\n ---> 1a5f52c09310\nStep 3/3 : COPY a .\n ---> 516c334b78dc\n";
    assert_eq!(
        cache_pattern(out),
        [
            ("Step 1/3 : FROM busybox".to_string(), false),
            ("Step 2/3 : WORKDIR /src".to_string(), true),
            ("Step 3/3 : COPY a .".to_string(), false),
        ]
    );
}

/// A three-stage build, built again (all from the cache), then with one COPY source changed
/// (that COPY and everything after it in the stages that depend on it run again), then with a
/// file only the last stage copies changed: the simulator and the daemon's classic builder
/// take the same steps from the cache, step by step, and print the same output.
#[test]
fn build_cache_hits_and_misses_agree_step_by_step() {
    let _guard = lock();
    if !daemon_answers() || !prepared() {
        return;
    }
    let mut b = Both::open();
    // The daemon's cache is shared with earlier runs and other tests; a label unique to this
    // run at the top of each stage makes its first build cold, as the simulator's is.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let token = format!("{}-{nanos}", std::process::id());
    let dockerfile = format!(
        "FROM busybox AS base\nLABEL test.run={token}\nWORKDIR /src\nCOPY config.txt .\nRUN cat config.txt > /config.out\n\nFROM base AS build\nCOPY app.txt .\nRUN cat app.txt config.txt > /app.out\n\nFROM busybox\nLABEL test.stage={token}\nCOPY --from=build /app.out /app.out\nCOPY notes.txt /notes.txt\nCMD [\"cat\", \"/app.out\"]\n"
    );
    let write = |b: &Both, name: &str, text: &str| {
        for ws in [b.sim.workspace(), b.docker.workspace()] {
            std::fs::create_dir_all(ws.join("ctx")).unwrap();
            std::fs::write(ws.join("ctx").join(name), text).unwrap();
        }
    };
    write(&b, "Dockerfile", &dockerfile);
    write(&b, "config.txt", "config 1\n");
    write(&b, "app.txt", "app 1\n");
    write(&b, "notes.txt", "notes 1\n");
    let mut patterns = Vec::new();
    let mut build = |b: &mut Both, what: &str| {
        let (s, d) = b.same("docker build -t cacheflow ctx");
        let (ps, pd) = (cache_pattern(&s.stdout), cache_pattern(&d.stdout));
        b.expect(
            ps == pd,
            format!("{what}: cache hits differ\n  simulator: {ps:?}\n  docker:    {pd:?}"),
        );
        patterns.push(pd);
    };
    build(&mut b, "first build");
    build(&mut b, "second build");
    write(&b, "app.txt", "app 2\n");
    build(&mut b, "app.txt changed");
    write(&b, "notes.txt", "notes 2\n");
    build(&mut b, "notes.txt changed");
    b.same("docker run --rm cacheflow");
    b.same("docker rmi cacheflow");
    // The expected pattern itself, so the comparison cannot pass on two empty outputs.
    let hits = |p: &Vec<(String, bool)>| p.iter().map(|(_, c)| u8::from(*c)).collect::<Vec<_>>();
    let expected: [[u8; 13]; 4] = [
        // Cold: every step runs (the stages' labels differ; see builds.rs on cachefrom).
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        // Everything again (a FROM is never "from the cache").
        [0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1],
        // app.txt: its COPY and all after it in its stage, and the last stage from the
        // COPY --from on.
        [0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0],
        // notes.txt: only the last stage's COPY of it and what follows.
        [0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0],
    ];
    let got: Vec<Vec<u8>> = patterns.iter().map(hits).collect();
    // The builder's intermediate images carry no session label; they carry this run's.
    b.finish_then(|| remove_images_labelled(&format!("test.run={token}")));
    assert_eq!(got, expected, "the daemon's own cache hits");
}
