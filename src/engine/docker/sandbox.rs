//! The tutor's sandbox on a shared daemon: a session namespace for every object the tutor makes,
//! name mapping between what the learner types and what the daemon holds, and the options a
//! lesson has no business using on somebody's machine.
//!
//! Pure functions over the project's own types, so every rule is unit-tested without a daemon.

use std::path::{Component, Path, PathBuf};

use crate::engine::{ContainerSpec, EngineError, MountKind};

/// Label on every container, volume and image the tutor creates: its session namespace.
pub const SESSION_LABEL: &str = "org.docktutor.session";
/// Label naming the process that owns the session, so `docktutor clean` can tell a crashed
/// session's leftovers from a live one's.
pub const PID_LABEL: &str = "org.docktutor.pid";
/// Every label the sandbox puts on what it makes.
pub const LABEL_KEYS: [&str; 2] = [SESSION_LABEL, PID_LABEL];
/// Label recording that the learner asked for `-t` (the tutor drives shells without a tty).
pub const TTY_LABEL: &str = "org.docktutor.tty";
/// Label on stand-in images built by `docktutor prepare --from-busybox`.
pub const STANDIN_LABEL: &str = "org.docktutor.standin";

/// One session's namespace: `dt-<8 hex>-` in front of every name the learner chooses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sandbox {
    namespace: String,
    prefix: String,
    workspace: Option<PathBuf>,
}

impl Sandbox {
    pub fn new(namespace: &str) -> Self {
        Sandbox {
            namespace: namespace.to_string(),
            prefix: format!("dt-{namespace}-"),
            workspace: None,
        }
    }

    /// A fresh namespace, unique on this machine for the life of the process.
    pub fn fresh_namespace() -> String {
        use sha2::{Digest, Sha256};
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let seed = format!(
            "{}-{}-{:?}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
        );
        let digest = Sha256::digest(seed.as_bytes());
        digest[..4].iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Bind mounts must stay inside this folder (the lesson's workspace).
    pub fn confine_binds(&mut self, root: &Path) {
        self.workspace = Some(root.canonicalize().unwrap_or_else(|_| root.to_path_buf()));
    }

    /// The daemon's name for a container or volume the learner calls `name`.
    pub fn real_name(&self, name: &str) -> String {
        // `--name /web` is `web`, as dockerd reads it.
        let name = name.strip_prefix('/').unwrap_or(name);
        format!("{}{name}", self.prefix)
    }

    /// The learner's name for a daemon object, if it is one of this session's.
    pub fn user_name<'a>(&self, real: &'a str) -> Option<&'a str> {
        real.strip_prefix('/')
            .unwrap_or(real)
            .strip_prefix(&self.prefix)
    }

    /// The daemon's reference for an image the learner names `repo[:tag]`: the session prefix
    /// goes in front of the last path component's owner, after any registry, so
    /// `localhost:5000/app` stays on its registry (`localhost:5000/dt-…-app`).
    pub fn real_image(&self, reference: &str) -> String {
        match split_registry(reference) {
            Some((registry, rest)) => format!("{registry}/{}{rest}", self.prefix),
            None => format!("{}{reference}", self.prefix),
        }
    }

    /// Whether a daemon tag (`dt-…-app:latest`) belongs to this session.
    pub fn owns_tag(&self, tag: &str) -> bool {
        let rest = match split_registry(tag) {
            Some((_, rest)) => rest,
            None => tag,
        };
        rest.starts_with(&self.prefix)
    }

    /// Every daemon name in `text` turned back into the learner's (output, errors, JSON).
    pub fn map_back(&self, text: &str) -> String {
        text.replace(&self.prefix, "")
    }

    /// Labels for a new object of this session (keys: [`LABEL_KEYS`]).
    pub fn labels(&self) -> Vec<(String, String)> {
        vec![
            (SESSION_LABEL.to_string(), self.namespace.clone()),
            (PID_LABEL.to_string(), std::process::id().to_string()),
        ]
    }

    /// `label=…` filter value selecting this session's objects.
    pub fn label_filter(&self) -> String {
        format!("{SESSION_LABEL}={}", self.namespace)
    }

    /// Refuse what could reach outside the sandbox: host namespaces, extra privileges,
    /// devices, the docker socket, and bind mounts outside the workspace.
    pub fn vet(&self, spec: &ContainerSpec) -> Result<(), EngineError> {
        // The daemon would accept any name behind the session's prefix; the learner's must
        // pass Docker's own rule.
        if let Some(typed) = &spec.name {
            crate::engine::container_name::for_run(typed)?;
        }
        let refuse = |reason: String| Err(EngineError::Refused { reason });
        if spec.privileged {
            return refuse("`--privileged` gives the container the whole machine; the tutor does not run it on a real engine".into());
        }
        if spec.network.as_deref() == Some("host") {
            return refuse("`--network host` shares this machine's network with the container; the tutor does not run it on a real engine".into());
        }
        for (field, flag) in [
            ("PidMode", "--pid"),
            ("IpcMode", "--ipc"),
            ("UTSMode", "--uts"),
        ] {
            if let Some(v) = spec.extra.get(field) {
                if v == "host" || v.starts_with("container:") {
                    return refuse(format!("`{flag} {v}` shares a namespace outside the container; the tutor does not run it on a real engine"));
                }
            }
        }
        for (field, flag, why) in [
            ("CapAdd", "--cap-add", "adds kernel privileges"),
            (
                "Devices",
                "--device",
                "gives the container this machine's devices",
            ),
            (
                "SecurityOpt",
                "--security-opt",
                "changes the container's confinement",
            ),
            (
                "Mounts",
                "--mount",
                "is not supported on the real engine by the tutor yet (use -v)",
            ),
        ] {
            if spec.extra.contains_key(field) {
                return refuse(format!(
                    "`{flag}` {why}; the tutor does not run it on a real engine"
                ));
            }
        }
        if spec.gpus.is_some() {
            return refuse("`--gpus` gives the container this machine's GPUs; the tutor does not run it on a real engine".into());
        }
        for m in &spec.mounts {
            if m.kind != MountKind::Bind {
                continue;
            }
            let source = Path::new(&m.source);
            if is_docker_socket(source) {
                return refuse(format!(
                    "mounting the Docker socket ({}) would hand the container control of this machine's Docker",
                    m.source
                ));
            }
            self.vet_bind_source(source)?;
        }
        Ok(())
    }

    fn vet_bind_source(&self, source: &Path) -> Result<(), EngineError> {
        let Some(root) = &self.workspace else {
            return Err(EngineError::Refused {
                reason: format!(
                    "bind mount of {}: this session has no workspace folder to mount from",
                    source.display()
                ),
            });
        };
        // Docker creates a missing bind source, so resolve the longest existing ancestor and
        // re-append the rest (after refusing `..`), which also sees through symlinks.
        let resolved = resolve_lexically_existing(source);
        if resolved.starts_with(root) {
            Ok(())
        } else {
            Err(EngineError::Refused {
                reason: format!(
                    "bind mount of {}: only folders inside the lesson workspace ({}) can be mounted",
                    source.display(),
                    root.display()
                ),
            })
        }
    }
}

/// The classic builder turns the labels the tutor puts on every built image into `LABEL` steps
/// of their own (`Step 4/5 : LABEL org.docktutor.session=…`). The learner's build has none:
/// drop them, number the learner's steps out of their own count, and show the image the build
/// ends with as the last visible step's result, as `docker build` shows it.
pub fn hide_tutor_label_steps(text: &str) -> String {
    let tutor = |instruction: &str| instruction.starts_with("LABEL org.docktutor.");
    let step = |line: &str| -> Option<(usize, String)> {
        let rest = line.strip_prefix("Step ")?;
        let (counts, instruction) = rest.split_once(" : ")?;
        let (_, total) = counts.split_once('/')?;
        Some((total.parse().ok()?, instruction.to_string()))
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let hidden = lines
        .iter()
        .filter(|l| step(l).is_some_and(|(_, i)| tutor(&i)))
        .count();
    if hidden == 0 {
        return text.to_string();
    }
    let mut out: Vec<String> = Vec::new();
    let mut shown = 0;
    let mut hiding = false;
    let mut last_result: Option<usize> = None;
    for line in lines {
        if let Some((total, instruction)) = step(line) {
            hiding = tutor(&instruction);
            if !hiding {
                shown += 1;
                out.push(format!(
                    "Step {shown}/{} : {instruction}",
                    total.saturating_sub(hidden)
                ));
            }
            continue;
        }
        if let Some(id) = line.strip_prefix("Successfully built ") {
            hiding = false;
            if let Some(i) = last_result {
                out[i] = format!(" ---> {id}");
            }
        }
        if hiding {
            continue;
        }
        let result = line.strip_prefix(" ---> ").map(str::trim_end);
        if result.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_hexdigit())) {
            last_result = Some(out.len());
        }
        out.push(line.to_string());
    }
    out.concat()
}

fn is_docker_socket(p: &Path) -> bool {
    let canonical = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    [p, canonical.as_path()].iter().any(|p| {
        p.file_name()
            .is_some_and(|n| n == "docker.sock" || n == "podman.sock")
            || p == &Path::new("/var/run")
            || p == &Path::new("/run")
    })
}

/// Canonicalise the longest existing prefix of `p`, then append the rest; any `..` in the
/// part that does not exist yet makes the path unusable (it stays outside every root).
fn resolve_lexically_existing(p: &Path) -> PathBuf {
    let mut existing = p.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for part in rest.into_iter().rev() {
        out.push(part);
    }
    if out.components().any(|c| c == Component::ParentDir) {
        return PathBuf::from("/..");
    }
    out
}

/// `localhost:5000/app:1` → `Some(("localhost:5000", "app:1"))`; Docker Hub names → `None`.
fn split_registry(reference: &str) -> Option<(&str, &str)> {
    let (first, rest) = reference.split_once('/')?;
    if first.contains('.') || first.contains(':') || first == "localhost" {
        Some((first, rest))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tutors_label_steps_are_not_the_learners() {
        // What dockerd 20.10 streamed for a three-step Dockerfile built with the tutor's labels.
        let daemon = "Step 1/5 : FROM busybox\n ---> 33d4ede3b56b\nStep 2/5 : RUN echo git > /git\n ---> Running in 58750c2b95a5\nRemoving intermediate container 58750c2b95a5\n ---> 8e752b7e0a80\nStep 3/5 : CMD [\"sh\"]\n ---> Using cache\n ---> 691059c978de\nStep 4/5 : LABEL org.docktutor.pid=25184\n ---> Running in 73689c60a285\nRemoving intermediate container 73689c60a285\n ---> 16984a60b8d0\nStep 5/5 : LABEL org.docktutor.session=3ec210b4\n ---> Running in c488103f958e\nRemoving intermediate container c488103f958e\n ---> a4d286833adb\nSuccessfully built a4d286833adb\nSuccessfully tagged dt-3ec210b4-app:latest\n";
        let learner = "Step 1/3 : FROM busybox\n ---> 33d4ede3b56b\nStep 2/3 : RUN echo git > /git\n ---> Running in 58750c2b95a5\nRemoving intermediate container 58750c2b95a5\n ---> 8e752b7e0a80\nStep 3/3 : CMD [\"sh\"]\n ---> Using cache\n ---> a4d286833adb\nSuccessfully built a4d286833adb\nSuccessfully tagged dt-3ec210b4-app:latest\n";
        assert_eq!(hide_tutor_label_steps(daemon), learner);
        // The learner's own labels stay, and so does a build without the tutor's.
        let own = "Step 1/2 : FROM busybox\n ---> 33d4ede3b56b\nStep 2/2 : LABEL team=web\n";
        assert_eq!(hide_tutor_label_steps(own), own);
    }
    use crate::engine::Mount;

    fn sandbox_in(dir: &Path) -> Sandbox {
        let mut s = Sandbox::new("0a1b2c3d");
        s.confine_binds(dir);
        s
    }

    #[test]
    fn names_round_trip() {
        let s = Sandbox::new("0a1b2c3d");
        assert_eq!(s.real_name("web"), "dt-0a1b2c3d-web");
        assert_eq!(s.user_name("/dt-0a1b2c3d-web"), Some("web"));
        assert_eq!(s.user_name("dt-0a1b2c3d-web"), Some("web"));
        assert_eq!(s.user_name("dt-99999999-web"), None, "another session's");
        assert_eq!(s.user_name("web"), None, "the user's own");
        assert_eq!(
            s.map_back("Conflict. The container name \"/dt-0a1b2c3d-web\" is already in use"),
            "Conflict. The container name \"/web\" is already in use"
        );
    }

    #[test]
    fn image_names_keep_their_registry() {
        let s = Sandbox::new("0a1b2c3d");
        for (user, real) in [
            ("app", "dt-0a1b2c3d-app"),
            ("app:v1", "dt-0a1b2c3d-app:v1"),
            ("me/app:v1", "dt-0a1b2c3d-me/app:v1"),
            ("localhost:5000/app", "localhost:5000/dt-0a1b2c3d-app"),
            (
                "registry.example.com/me/app",
                "registry.example.com/dt-0a1b2c3d-me/app",
            ),
        ] {
            assert_eq!(s.real_image(user), real, "{user}");
            assert!(s.owns_tag(&s.real_image(user)));
            assert_eq!(s.map_back(real), user);
        }
        assert!(!s.owns_tag("ubuntu:latest"));
        assert!(!s.owns_tag("dt-99999999-app:latest"));
    }

    #[test]
    fn fresh_namespaces_differ() {
        let a = Sandbox::fresh_namespace();
        let b = Sandbox::fresh_namespace();
        assert_eq!(a.len(), 8);
        assert_ne!(a, b);
    }

    fn spec_with(f: impl FnOnce(&mut ContainerSpec)) -> ContainerSpec {
        let mut spec = ContainerSpec {
            image: "ubuntu".into(),
            ..Default::default()
        };
        f(&mut spec);
        spec
    }

    fn bind(source: &Path) -> Mount {
        Mount {
            kind: MountKind::Bind,
            source: source.display().to_string(),
            target: "/data".into(),
            read_only: false,
        }
    }

    #[test]
    fn refusals_name_the_option() {
        let dir = tempfile::tempdir().unwrap();
        let s = sandbox_in(dir.path());
        let cases: Vec<(ContainerSpec, &str)> = vec![
            (spec_with(|s| s.privileged = true), "--privileged"),
            (
                spec_with(|s| s.network = Some("host".into())),
                "--network host",
            ),
            (
                spec_with(|s| {
                    s.extra.insert("PidMode".into(), "host".into());
                }),
                "--pid host",
            ),
            (
                spec_with(|s| {
                    s.extra.insert("IpcMode".into(), "host".into());
                }),
                "--ipc host",
            ),
            (
                spec_with(|s| {
                    s.extra.insert("UTSMode".into(), "host".into());
                }),
                "--uts host",
            ),
            (
                spec_with(|s| {
                    s.extra.insert("CapAdd".into(), "SYS_ADMIN".into());
                }),
                "--cap-add",
            ),
            (
                spec_with(|s| {
                    s.extra.insert("Devices".into(), "/dev/sda".into());
                }),
                "--device",
            ),
            (
                spec_with(|s| {
                    s.extra
                        .insert("SecurityOpt".into(), "seccomp=unconfined".into());
                }),
                "--security-opt",
            ),
            (
                spec_with(|s| s.mounts.push(bind(Path::new("/var/run/docker.sock")))),
                "Docker socket",
            ),
            (
                spec_with(|s| s.mounts.push(bind(Path::new("/run/docker.sock")))),
                "Docker socket",
            ),
            (
                spec_with(|s| s.mounts.push(bind(Path::new("/var/run")))),
                "Docker socket",
            ),
            (
                spec_with(|s| s.mounts.push(bind(Path::new("/etc")))),
                "only folders inside the lesson workspace",
            ),
            (
                spec_with(|s| s.mounts.push(bind(&dir.path().join("../escape")))),
                "only folders inside the lesson workspace",
            ),
            (
                spec_with(|s| s.mounts.push(bind(&dir.path().join("new/../../escape")))),
                "only folders inside the lesson workspace",
            ),
        ];
        for (spec, expected) in cases {
            match s.vet(&spec) {
                Err(EngineError::Refused { reason }) => {
                    assert!(
                        reason.contains(expected),
                        "{reason:?} should mention {expected}"
                    )
                }
                other => panic!("{spec:?} was not refused: {other:?}"),
            }
        }
    }

    #[test]
    fn symlink_out_of_the_workspace_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/etc", dir.path().join("etc-link")).unwrap();
        let s = sandbox_in(dir.path());
        let spec = spec_with(|s| s.mounts.push(bind(&dir.path().join("etc-link"))));
        assert!(matches!(s.vet(&spec), Err(EngineError::Refused { .. })));
    }

    #[test]
    fn workspace_binds_and_volumes_are_allowed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("mydata")).unwrap();
        let s = sandbox_in(dir.path());
        let ok = [
            spec_with(|s| s.mounts.push(bind(&dir.path().join("mydata")))),
            spec_with(|s| s.mounts.push(bind(&dir.path().join("not-yet/there")))),
            spec_with(|s| {
                s.mounts.push(Mount {
                    kind: MountKind::Volume,
                    source: "mydata".into(),
                    target: "/data".into(),
                    read_only: false,
                })
            }),
            spec_with(|s| s.network = Some("bridge".into())),
        ];
        for spec in ok {
            assert_eq!(s.vet(&spec), Ok(()), "{spec:?}");
        }
    }

    #[test]
    fn no_workspace_means_no_binds() {
        let s = Sandbox::new("0a1b2c3d");
        let spec = spec_with(|s| s.mounts.push(bind(Path::new("/tmp"))));
        assert!(matches!(s.vet(&spec), Err(EngineError::Refused { .. })));
    }
}
