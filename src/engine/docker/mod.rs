//! A real Docker daemon through bollard. The only module that imports bollard.
//!
//! Every call is made inside the tutor's [`Sandbox`]: objects carry the session's label and a
//! namespaced name, references typed by the learner resolve only among the session's own
//! objects, and daemon names are mapped back in everything shown. The engine removes what it
//! made when it is dropped (and on Ctrl-C, see [`cleanup`]).

pub mod cleanup;
mod connect;
mod convert;
mod process;
mod raw;
pub mod sandbox;
pub mod standins;

use std::collections::{BTreeSet, HashMap};
use std::future::Future;

use bollard::models::{
    ContainerCreateBody, ExecConfig, HostConfig, PortBinding as BollardPortBinding, RestartPolicy,
    RestartPolicyNameEnum, VolumeCreateRequest,
};
use bollard::query_parameters as q;
use bollard::Docker;
use futures_util::StreamExt;
use serde_json::Value;

use self::process::{Attached, PromptStyle, ShellFlavor};
use self::sandbox::{Sandbox, TTY_LABEL};
use super::{
    BuildOptions, ChangeKind, CommitOptions, ContainerDetails, ContainerSpec, ContainerStats,
    ContainerSummary, CreatedContainer, Engine, EngineError, EngineKind, EngineResult, ExecSpec,
    FileChange, HistoryEntry, ImageDeleteItem, ImageDetails, ImageRef, ImageSummary, LogLine,
    LogOptions, MountKind, PathStat, ProcessOutput, ProcessRef, ProcessTable, ProgressEvent,
    PruneReport, Stream, SystemInfo, Timestamp, VersionInfo,
};

pub use connect::{candidates, Candidate};

/// What `open` needs to know beyond the address.
#[derive(Clone, Debug, Default)]
pub struct DockerOptions {
    /// Use this namespace instead of a fresh one (the drop-in CLI keeps one across runs).
    pub namespace: Option<String>,
    /// Leave the session's objects on the daemon when the engine is dropped.
    pub keep: bool,
}

/// A real daemon, seen through one session's sandbox.
pub struct DockerEngine {
    runtime: tokio::runtime::Runtime,
    docker: Docker,
    sandbox: Sandbox,
    address: String,
    keep: bool,
    /// Attached processes by [`process_key`].
    attached: HashMap<String, Attached>,
    /// Exec instances created but not started: what was asked for, and the container's id.
    execs: HashMap<String, (ExecSpec, String)>,
    /// Images not made by the session that it has used (run, pulled, inspected): the ones
    /// `docker images` shows next to the session's own.
    used_images: BTreeSet<String>,
    /// `run --rm` containers the tutor removes itself once their attached process ends, so the
    /// exit code can still be read.
    remove_after_exit: BTreeSet<String>,
    /// Short ids of the images the session's builds went through: shown when untagged (the
    /// builder labels only the final image, yet a multi-stage build leaves each earlier
    /// stage's last image dangling, as `docker images` shows).
    build_images: BTreeSet<String>,
    /// Those of them the session's builds made (not found in the cache): removed at the end.
    built_here: BTreeSet<String>,
}

fn process_key(p: &ProcessRef) -> String {
    match p {
        ProcessRef::Main(id) => format!("main:{id}"),
        ProcessRef::Exec(id) => format!("exec:{id}"),
    }
}

impl DockerEngine {
    /// Connect as the docker CLI does; `Unreachable` names every address tried.
    pub fn connect(options: &DockerOptions) -> EngineResult<Self> {
        let (runtime, connection) = connect::connect_blocking()?;
        let namespace = options
            .namespace
            .clone()
            .unwrap_or_else(Sandbox::fresh_namespace);
        cleanup::register(&namespace);
        Ok(DockerEngine {
            runtime,
            docker: connection.docker,
            sandbox: Sandbox::new(&namespace),
            address: connection.address,
            keep: options.keep,
            attached: HashMap::new(),
            execs: HashMap::new(),
            used_images: BTreeSet::new(),
            remove_after_exit: BTreeSet::new(),
            build_images: BTreeSet::new(),
            built_here: BTreeSet::new(),
        })
    }

    /// The address that answered (`unix:///var/run/docker.sock`).
    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn namespace(&self) -> &str {
        self.sandbox.namespace()
    }

    fn block<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    fn error(&self, e: bollard::errors::Error) -> EngineError {
        use bollard::errors::Error as E;
        match e {
            E::DockerResponseServerError {
                status_code,
                message,
            } => {
                let message = self.sandbox.map_back(&message);
                EngineError::Daemon {
                    status: status_code,
                    message,
                }
            }
            E::DockerContainerWaitError { error, code } => {
                EngineError::Other(format!("container exited with {code}: {error}"))
            }
            other => EngineError::Other(format!(
                "the Docker engine at {} failed: {other}",
                self.address
            )),
        }
    }

    fn session_filter(&self) -> HashMap<String, Vec<String>> {
        HashMap::from([("label".to_string(), vec![self.sandbox.label_filter()])])
    }

    /// The session's containers as the daemon lists them (JSON rows).
    fn session_containers(&self, size: bool) -> EngineResult<Vec<Value>> {
        let options = q::ListContainersOptions {
            all: true,
            size,
            filters: Some(self.session_filter()),
            ..Default::default()
        };
        let rows = self
            .block(self.docker.list_containers(Some(options)))
            .map_err(|e| self.error(e))?;
        Ok(rows.iter().map(convert::to_json).collect())
    }

    /// Resolve what the learner typed (name, id or id prefix) among the session's containers
    /// only, the way dockerd resolves: exact id, then exact name, then a unique id prefix.
    fn resolve(&self, reference: &str) -> EngineResult<String> {
        let rows = self.session_containers(false)?;
        let id_of = |r: &Value| convert::str_of(r, "Id");
        if let Some(r) = rows.iter().find(|r| id_of(r) == reference) {
            return Ok(id_of(r));
        }
        let wanted = reference.trim_start_matches('/');
        if let Some(r) = rows.iter().find(|r| {
            r.get("Names")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .any(|n| {
                    let n = n.trim_start_matches('/');
                    self.sandbox.user_name(n) == Some(wanted) || n == wanted
                })
        }) {
            return Ok(id_of(r));
        }
        let matches: Vec<String> = rows
            .iter()
            .map(id_of)
            .filter(|id| !reference.is_empty() && id.starts_with(reference))
            .collect();
        match matches.len() {
            1 => Ok(matches[0].clone()),
            0 => Err(EngineError::not_found(format!(
                "No such container: {reference}"
            ))),
            _ => Err(EngineError::daemon(
                400,
                format!("Multiple IDs found with provided prefix: {reference}"),
            )),
        }
    }

    /// The daemon reference for an image the learner names: the session's own tag when there
    /// is one, otherwise the image itself (a base image such as `ubuntu`, or an id).
    fn image_target(&self, reference: &str) -> String {
        let with_tag = normalise_tag(reference);
        let real = self.sandbox.real_image(&with_tag);
        if self.block(self.docker.inspect_image(&real)).is_ok() {
            // As typed: `docker ps` shows the image the way `run` was given it (`goals`,
            // not `goals:latest`).
            self.sandbox.real_image(reference)
        } else {
            reference.to_string()
        }
    }

    /// Which of an image's tags the session may see.
    /// The tags the learner may see, as they typed them, in the order dockerd would list the
    /// names they typed (it sorts the `dt-…-` names it holds, which is another order).
    fn visible_tags(&self, tags: &[String]) -> Vec<String> {
        let mut v: Vec<String> = tags
            .iter()
            .filter(|t| self.sandbox.owns_tag(t) || self.used_images.contains(*t))
            .map(|t| self.sandbox.map_back(t))
            .collect();
        crate::client::reference::daemon_order(&mut v);
        v
    }

    /// Which of an image's digests (`repo@sha256:…`) the session may see, named as it named
    /// them: those of its own repositories and of the repositories it sees tags of.
    fn visible_digests(&self, digests: &[String], visible_tags: &[String]) -> Vec<String> {
        digests
            .iter()
            .filter(|d| {
                let repo = d.split_once('@').map_or(d.as_str(), |(r, _)| r);
                self.sandbox.owns_tag(d)
                    || visible_tags
                        .iter()
                        .any(|t| t.rsplit_once(':').is_some_and(|(r, _)| r == repo))
            })
            .map(|d| self.sandbox.map_back(d))
            .collect()
    }

    /// The images of the builder's steps for the session's labels that the learner never
    /// sees: each image with the pid label but not yet the session's (the pid `LABEL` step),
    /// and its parent (the Dockerfile's last step, which the final image stands for). See
    /// `convert::hide_sandbox_steps`.
    fn label_step_images(&self, rows: &[bollard::models::ImageSummary]) -> BTreeSet<String> {
        let mut hidden = BTreeSet::new();
        for r in rows {
            if r.labels.contains_key(sandbox::PID_LABEL)
                && !r.labels.contains_key(sandbox::SESSION_LABEL)
            {
                hidden.insert(r.id.clone());
                if !r.parent_id.is_empty() {
                    hidden.insert(r.parent_id.clone());
                }
            }
        }
        hidden
    }

    fn all_image_rows(&self) -> EngineResult<Vec<bollard::models::ImageSummary>> {
        let options = q::ListImagesOptions {
            all: true,
            ..Default::default()
        };
        self.block(self.docker.list_images(Some(options)))
            .map_err(|e| self.error(e))
    }

    /// Docker Hub cannot be reached (this machine is offline) and `reference` names a
    /// stand-in made by `docktutor prepare`: the stand-in is what this machine has of that
    /// image, so the pull answers as dockerd does for an image that is already up to date.
    /// The digest shown is the stand-in's image id: it has no registry digest.
    fn standin_up_to_date(&self, reference: &ImageRef) -> Option<Vec<(Option<String>, String)>> {
        let tag = reference.tag.clone().unwrap_or_else(|| "latest".into());
        let name = reference.repo_tag();
        let doc = self.block(self.docker.inspect_image(&name)).ok()?;
        let labels = doc.config.as_ref().and_then(|c| c.labels.as_ref())?;
        if !labels.contains_key(sandbox::STANDIN_LABEL) {
            return None;
        }
        let id = doc.id.unwrap_or_default();
        Some(vec![
            (
                Some(tag),
                format!(
                    "Pulling from {}",
                    crate::client::reference::remote_name(reference)
                ),
            ),
            (None, format!("Digest: {id}")),
            (None, format!("Status: Image is up to date for {reference}")),
        ])
    }

    fn note_used(&mut self, reference: &str) {
        let tag = normalise_tag(reference);
        if !self.sandbox.owns_tag(&tag) && !looks_like_id(reference) {
            self.used_images.insert(tag);
        }
    }

    fn progress_event(
        &self,
        id: Option<String>,
        status: Option<String>,
        progress: Option<String>,
        error: Option<String>,
    ) -> ProgressEvent {
        ProgressEvent {
            id,
            status: status.map(|s| self.sandbox.map_back(&s)),
            stream: None,
            progress,
            error: error.map(|s| self.sandbox.map_back(&s)),
        }
    }

    /// Create the session's named volumes before a container uses them, so they carry its
    /// label (dockerd would otherwise create them unlabelled).
    fn ensure_volume(&self, real: &str) -> EngineResult<()> {
        let labels = self.sandbox.labels().into_iter().collect();
        let request = VolumeCreateRequest {
            name: Some(real.to_string()),
            labels: Some(labels),
            ..Default::default()
        };
        self.block(self.docker.create_volume(request))
            .map(|_| ())
            .map_err(|e| self.error(e))
    }

    fn container_body(&self, spec: &ContainerSpec) -> EngineResult<ContainerCreateBody> {
        let mut labels: HashMap<String, String> = spec.labels.clone().into_iter().collect();
        labels.extend(self.sandbox.labels());
        if spec.tty {
            labels.insert(TTY_LABEL.into(), "true".into());
        }
        let mut binds = Vec::new();
        for m in &spec.mounts {
            let ro = if m.read_only { ":ro" } else { "" };
            match m.kind {
                MountKind::Bind => binds.push(format!("{}:{}{ro}", m.source, m.target)),
                MountKind::Volume if m.source.is_empty() => {}
                MountKind::Volume => {
                    let real = self.sandbox.real_name(&m.source);
                    self.ensure_volume(&real)?;
                    binds.push(format!("{real}:{}{ro}", m.target));
                }
                MountKind::Tmpfs => {}
            }
        }
        let anonymous: Vec<String> = spec
            .mounts
            .iter()
            .filter(|m| m.kind == MountKind::Volume && m.source.is_empty())
            .map(|m| m.target.clone())
            .collect();
        let tmpfs: HashMap<String, String> = spec
            .mounts
            .iter()
            .filter(|m| m.kind == MountKind::Tmpfs)
            .map(|m| (m.target.clone(), String::new()))
            .collect();
        let mut port_bindings: HashMap<String, Option<Vec<BollardPortBinding>>> = HashMap::new();
        let mut exposed: Vec<String> = spec.exposed_ports.clone();
        for p in &spec.ports {
            let key = format!("{}/{}", p.container_port, p.protocol);
            exposed.push(key.clone());
            port_bindings
                .entry(key)
                .or_insert_with(|| Some(Vec::new()))
                .get_or_insert_with(Vec::new)
                .push(BollardPortBinding {
                    host_ip: p.host_ip.clone(),
                    host_port: Some(p.host_port.map(|n| n.to_string()).unwrap_or_default()),
                });
        }
        exposed.sort();
        exposed.dedup();
        let restart_policy = spec.restart_policy.as_deref().map(|p| {
            let (name, count) = p.split_once(':').unwrap_or((p, ""));
            RestartPolicy {
                name: Some(match name {
                    "always" => RestartPolicyNameEnum::ALWAYS,
                    "unless-stopped" => RestartPolicyNameEnum::UNLESS_STOPPED,
                    "on-failure" => RestartPolicyNameEnum::ON_FAILURE,
                    _ => RestartPolicyNameEnum::NO,
                }),
                maximum_retry_count: count.parse().ok(),
            }
        });
        // `run --rm` attached: the tutor removes the container after reading its exit code.
        let daemon_auto_remove = spec.auto_remove && !spec.attach_stdout && !spec.attach_stderr;
        let volumes_from = spec
            .volumes_from
            .iter()
            .map(|v| {
                let (name, mode) = v
                    .split_once(':')
                    .map(|(a, b)| (a, Some(b)))
                    .unwrap_or((v, None));
                let id = self.resolve(name)?;
                Ok(match mode {
                    Some(m) => format!("{id}:{m}"),
                    None => id,
                })
            })
            .collect::<EngineResult<Vec<_>>>()?;
        let host_config = HostConfig {
            binds: Some(binds).filter(|b| !b.is_empty()),
            port_bindings: Some(port_bindings).filter(|p| !p.is_empty()),
            publish_all_ports: Some(spec.publish_all),
            auto_remove: Some(daemon_auto_remove),
            restart_policy,
            network_mode: spec.network.clone(),
            dns: Some(spec.dns.clone()).filter(|d| !d.is_empty()),
            volumes_from: Some(volumes_from).filter(|v| !v.is_empty()),
            memory: spec.memory,
            cpu_shares: spec.cpu_shares,
            cpuset_cpus: spec.cpuset_cpus.clone(),
            tmpfs: Some(tmpfs).filter(|t| !t.is_empty()),
            ..Default::default()
        };
        let image = self.image_target(&spec.image);
        Ok(ContainerCreateBody {
            image: Some(image),
            cmd: Some(spec.cmd.clone()).filter(|c| !c.is_empty()),
            entrypoint: spec.entrypoint.clone(),
            env: Some(spec.env.clone()).filter(|e| !e.is_empty()),
            working_dir: spec.working_dir.clone(),
            user: spec.user.clone(),
            hostname: spec.hostname.clone(),
            // Shells are driven line by line without a tty (see `process`); `-t` is a label.
            tty: Some(false),
            open_stdin: Some(spec.open_stdin),
            stdin_once: Some(spec.attach_stdin),
            attach_stdin: Some(spec.attach_stdin),
            attach_stdout: Some(spec.attach_stdout),
            attach_stderr: Some(spec.attach_stderr),
            exposed_ports: Some(exposed).filter(|e| !e.is_empty()),
            volumes: Some(anonymous).filter(|a| !a.is_empty()),
            labels: Some(labels),
            host_config: Some(host_config),
            ..Default::default()
        })
    }

    /// The command a container runs (entrypoint + cmd), its hostname, user and requested tty.
    fn process_facts(&self, id: &str) -> EngineResult<(Vec<String>, String, bool, bool, bool)> {
        let doc = self
            .block(self.docker.inspect_container(id, None))
            .map_err(|e| self.error(e))?;
        let v = convert::to_json(&doc);
        let mut argv = vec![convert::str_of(&v, "Path")];
        argv.extend(
            v.get("Args")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_string)),
        );
        let config = v.get("Config").cloned().unwrap_or(Value::Null);
        let hostname = convert::str_of(&config, "Hostname");
        let user = config
            .get("User")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let root = user.is_empty() || user == "root" || user == "0";
        let tty = config
            .pointer(&format!("/Labels/{}", TTY_LABEL))
            .and_then(Value::as_str)
            == Some("true");
        let open_stdin = config
            .get("OpenStdin")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Ok((argv, hostname, root, tty, open_stdin))
    }

    /// Attach to a container's main process (before start, so no output is lost).
    fn attach_main(&mut self, id: &str, logs: bool) -> EngineResult<()> {
        let (argv, hostname, root, tty, open_stdin) = self.process_facts(id)?;
        let options = q::AttachContainerOptions {
            stream: true,
            logs,
            stdin: open_stdin,
            stdout: true,
            stderr: true,
            ..Default::default()
        };
        let results = self
            .block(self.docker.attach_container(id, Some(options)))
            .map_err(|e| self.error(e))?;
        let shell = if open_stdin {
            ShellFlavor::of_command(&argv)
        } else {
            None
        };
        let mut attached = Attached::new(
            results.output,
            open_stdin.then_some(results.input),
            shell,
            self.sandbox.namespace().to_string(),
        );
        if let (true, Some(flavor)) = (tty, shell) {
            attached.prompt = Some(PromptStyle {
                flavor,
                hostname,
                root,
            });
        }
        self.attached
            .insert(process_key(&ProcessRef::Main(id.to_string())), attached);
        Ok(())
    }

    /// Turn an exchange with an attached process into the trait's answer.
    fn finish(
        &mut self,
        process: &ProcessRef,
        reply: process::Reply,
    ) -> EngineResult<ProcessOutput> {
        let key = process_key(process);
        let mut out = ProcessOutput {
            stdout: reply.stdout,
            stderr: reply.stderr,
            ..Default::default()
        };
        if reply.ended {
            self.attached.remove(&key);
            out.exit_code = Some(self.exit_code_of(process)?);
        } else if let Some(a) = self.attached.get(&key) {
            out.accepts_input = a.accepts_input();
            out.prompt = a.prompt_text();
        }
        Ok(out)
    }

    fn exit_code_of(&mut self, process: &ProcessRef) -> EngineResult<i64> {
        match process {
            ProcessRef::Exec(id) => {
                // The stream can end a moment before the daemon records the exit.
                for _ in 0..50 {
                    let info = self
                        .block(self.docker.inspect_exec(id))
                        .map_err(|e| self.error(e))?;
                    if info.running != Some(true) {
                        return Ok(info.exit_code.unwrap_or(0));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Ok(0)
            }
            ProcessRef::Main(id) => {
                let code = self.wait_exit(id)?;
                if self.remove_after_exit.remove(id) {
                    let options = q::RemoveContainerOptions {
                        force: true,
                        v: true,
                        ..Default::default()
                    };
                    let _ = self.block(self.docker.remove_container(id, Some(options)));
                }
                Ok(code)
            }
        }
    }

    /// After `docker stop` of a `--rm` container, wait (a moment at most) until dockerd has
    /// removed it. The daemon removes it just after the exit, asynchronously; a person typing
    /// the next command never sees it, but the tutor types faster than the removal.
    fn await_auto_remove(&self, id: &str) {
        let auto_remove = |doc: &bollard::models::ContainerInspectResponse| {
            doc.host_config
                .as_ref()
                .and_then(|h| h.auto_remove)
                .unwrap_or(false)
        };
        for _ in 0..100 {
            match self.block(self.docker.inspect_container(id, None)) {
                Ok(doc) if auto_remove(&doc) => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                _ => return,
            }
        }
    }

    fn wait_exit(&self, id: &str) -> EngineResult<i64> {
        let options = q::WaitContainerOptions {
            condition: "not-running".into(),
        };
        let next = self.block(async {
            let mut stream = self.docker.wait_container(id, Some(options));
            tokio::time::timeout(process::FOREGROUND_TIMEOUT, stream.next()).await
        });
        match next {
            Err(_) => Err(EngineError::NotSupported(
                "waiting more than 30 s for a container that keeps running".into(),
            )),
            Ok(Some(Ok(r))) => Ok(r.status_code),
            Ok(Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. }))) => {
                Ok(code)
            }
            Ok(Some(Err(e))) => Err(self.error(e)),
            Ok(None) => Ok(0),
        }
    }

    fn drive<F>(&mut self, process: &ProcessRef, f: F) -> EngineResult<ProcessOutput>
    where
        F: for<'a> FnOnce(
            &'a mut Attached,
        ) -> std::pin::Pin<Box<dyn Future<Output = process::Reply> + 'a>>,
    {
        let key = process_key(process);
        let Some(mut attached) = self.attached.remove(&key) else {
            return Ok(ProcessOutput {
                exit_code: None,
                ..Default::default()
            });
        };
        let reply = self.runtime.block_on(f(&mut attached));
        self.attached.insert(key, attached);
        self.finish(process, reply)
    }

    /// Remove everything this session made: containers (with their anonymous volumes), named
    /// volumes and image tags. Used on drop, on Ctrl-C and by `docktutor clean`.
    pub fn remove_session_objects(&mut self) -> cleanup::CleanReport {
        self.attached.clear();
        let ns = self.sandbox.namespace().to_string();
        let mut report = self.block(cleanup::remove_namespace(&self.docker, Some(&ns)));
        // What the builds left unlabelled: earlier stages' images. Removing one takes its
        // untagged parents with it; an image still in use elsewhere is refused, and kept.
        for id in std::mem::take(&mut self.built_here) {
            let options = q::RemoveImageOptions {
                force: false,
                noprune: false,
                ..Default::default()
            };
            if self
                .block(self.docker.remove_image(&id, Some(options), None))
                .is_ok()
            {
                report.images += 1;
            }
        }
        report
    }
}

impl Drop for DockerEngine {
    fn drop(&mut self) {
        if !self.keep {
            self.remove_session_objects();
            cleanup::unregister(self.sandbox.namespace());
        }
    }
}

impl DockerEngine {
    /// A registry the session started a moment ago (`run -d -p 5000:5000 registry:2`, then
    /// straight away `push localhost:5000/…`) needs a second before it listens; a person
    /// typing never notices, a lesson's check would fail by a race. So before talking to
    /// `localhost:PORT`, wait (up to 10 s) until something answers HTTP there, when one of
    /// the session's running containers publishes that port on a local daemon.
    fn wait_for_session_registry(&self, registry: &str) {
        let Some((host, port)) = registry.rsplit_once(':') else {
            return;
        };
        let Ok(port) = port.parse::<u16>() else {
            return;
        };
        if !matches!(host, "localhost" | "127.0.0.1") || !self.address.starts_with("unix://") {
            return;
        }
        let published = self.session_containers(false).is_ok_and(|rows| {
            rows.iter().any(|r| {
                r.get("State").and_then(Value::as_str) == Some("running")
                    && r.get("Ports")
                        .and_then(Value::as_array)
                        .is_some_and(|ports| {
                            ports.iter().any(|p| {
                                p.get("PublicPort").and_then(Value::as_u64) == Some(u64::from(port))
                            })
                        })
            })
        });
        if !published {
            return;
        }
        let answers = || {
            use std::io::{Read, Write};
            let timeout = std::time::Duration::from_millis(500);
            let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
            let Ok(mut s) = std::net::TcpStream::connect_timeout(&addr, timeout) else {
                return false;
            };
            s.set_read_timeout(Some(timeout)).ok();
            if s.write_all(b"GET /v2/ HTTP/1.0\r\n\r\n").is_err() {
                return false;
            }
            let mut head = [0u8; 8];
            s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !answers() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// One classic build: the image id, the builder's stream, and its failure if any.
    fn run_build(
        &self,
        request: q::BuildImageOptions,
        context_tar: &[u8],
    ) -> (String, String, Option<String>) {
        let body = bollard::body_full(bytes::Bytes::copy_from_slice(context_tar));
        let mut id = String::new();
        let mut streamed = String::new();
        let mut failure = None;
        self.block(async {
            let mut stream = self.docker.build_image(request, None, Some(body));
            while let Some(item) = stream.next().await {
                match item {
                    Ok(info) => {
                        if let Some(aux) = &info.aux {
                            if let Some(i) = convert::to_json(aux).get("ID").and_then(Value::as_str)
                            {
                                id = i.to_string();
                            }
                        }
                        if let Some(detail) = info.error_detail.and_then(|d| d.message) {
                            failure = Some(detail);
                        }
                        streamed.push_str(info.stream.as_deref().unwrap_or(""));
                    }
                    // A failed step: the builder's own text, which the CLI prints as it is.
                    Err(bollard::errors::Error::DockerStreamError { error }) => {
                        failure = Some(error);
                        break;
                    }
                    Err(e) => {
                        failure = Some(e.to_string());
                        break;
                    }
                }
            }
        });
        (id, streamed, failure)
    }

    /// After each `FROM` of a stand-in, the lines dockerd prints when `--pull` finds the base
    /// up to date (see [`Self::standin_up_to_date`]).
    fn pulled_up_to_date(&self, streamed: &str) -> String {
        let mut out = String::new();
        let mut aliases: Vec<String> = Vec::new();
        for line in streamed.split_inclusive('\n') {
            out.push_str(line);
            let Some((_, instruction)) =
                line.strip_prefix("Step ").and_then(|l| l.split_once(" : "))
            else {
                continue;
            };
            let words: Vec<&str> = instruction
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            if !words
                .first()
                .is_some_and(|w| w.eq_ignore_ascii_case("FROM"))
            {
                continue;
            }
            if words.len() >= 4 && words[2].eq_ignore_ascii_case("AS") {
                aliases.push(words[3].to_string());
            }
            let Some(base) = words.get(1) else { continue };
            if aliases[..aliases.len().saturating_sub(usize::from(words.len() >= 4))]
                .iter()
                .any(|a| a.eq_ignore_ascii_case(base))
            {
                continue;
            }
            let Ok(reference) = crate::client::reference::parse_normalized(base) else {
                continue;
            };
            if let Some(lines) = self.standin_up_to_date(&reference) {
                for (id, status) in lines {
                    match id {
                        Some(id) => out.push_str(&format!("{id}: {status}\n")),
                        None => out.push_str(&format!("{status}\n")),
                    }
                }
            }
        }
        out
    }
}

/// The daemon's words for a registry it cannot reach (no network, no DNS).
fn offline(message: &str) -> bool {
    [
        "no such host",
        "dial tcp",
        "network is unreachable",
        "i/o timeout",
        "connection refused",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// `ubuntu` → `ubuntu:latest`; ids and digests unchanged.
fn normalise_tag(reference: &str) -> String {
    if looks_like_id(reference) || reference.contains('@') {
        return reference.to_string();
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    if last.contains(':') {
        reference.to_string()
    } else {
        format!("{reference}:latest")
    }
}

fn looks_like_id(reference: &str) -> bool {
    let hex = reference.strip_prefix("sha256:").unwrap_or(reference);
    hex.len() >= 12
        && hex
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// Docker's CLI reports a failed start with 127 (not found) or 126 (not executable).
fn start_error(e: EngineError) -> EngineError {
    match e {
        EngineError::Daemon { message, .. }
            if message.contains("executable file not found")
                || message.contains("no such file or directory") =>
        {
            EngineError::Runtime {
                exit_code: 127,
                message,
            }
        }
        EngineError::Daemon { message, .. } if message.contains("permission denied") => {
            EngineError::Runtime {
                exit_code: 126,
                message,
            }
        }
        other => other,
    }
}

impl Engine for DockerEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Docker
    }

    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }

    fn confine_binds(&mut self, root: &std::path::Path) {
        self.sandbox.confine_binds(root);
    }

    fn version(&mut self) -> EngineResult<VersionInfo> {
        let v = self
            .block(self.docker.version())
            .map_err(|e| self.error(e))?;
        let j = convert::to_json(&v);
        let s = |k: &str| convert::str_of(&j, k);
        let components = j
            .get("Components")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|c| c.get("Name").and_then(Value::as_str) != Some("Engine"))
            .map(|c| {
                let name = convert::str_of(c, "Name");
                let version = convert::str_of(c, "Version");
                let commit = c
                    .pointer("/Details/GitCommit")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                (name, version, commit)
            })
            .collect();
        Ok(VersionInfo {
            version: s("Version"),
            api_version: s("ApiVersion"),
            min_api_version: s("MinAPIVersion"),
            git_commit: s("GitCommit"),
            go_version: s("GoVersion"),
            os: s("Os"),
            arch: s("Arch"),
            kernel_version: s("KernelVersion"),
            build_time: s("BuildTime"),
            components,
        })
    }

    fn info(&mut self) -> EngineResult<SystemInfo> {
        let i = self.block(self.docker.info()).map_err(|e| self.error(e))?;
        let j = convert::to_json(&i);
        let s = |k: &str| convert::str_of(&j, k);
        // Counts are the session's, not the machine's: the learner sees only the sandbox.
        let containers: Vec<ContainerSummary> = self.container_list(true, false)?;
        let count = |st: super::ContainerStatus| {
            containers.iter().filter(|c| c.status == st).count() as u64
        };
        let images = self.image_list(false)?.len() as u64;
        Ok(SystemInfo {
            containers: containers.len() as u64,
            running: count(super::ContainerStatus::Running),
            paused: count(super::ContainerStatus::Paused),
            stopped: containers.len() as u64
                - count(super::ContainerStatus::Running)
                - count(super::ContainerStatus::Paused),
            images,
            server_version: s("ServerVersion"),
            storage_driver: s("Driver"),
            docker_root_dir: s("DockerRootDir"),
            operating_system: s("OperatingSystem"),
            os_type: s("OSType"),
            architecture: s("Architecture"),
            cpus: j.get("NCPU").and_then(Value::as_u64).unwrap_or(0),
            memory: j.get("MemTotal").and_then(Value::as_u64).unwrap_or(0),
            name: s("Name"),
            kernel_version: s("KernelVersion"),
            runtimes: j
                .get("Runtimes")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default(),
            default_runtime: s("DefaultRuntime"),
            registry: s("IndexServerAddress"),
        })
    }

    fn image_list(&mut self, all: bool) -> EngineResult<Vec<ImageSummary>> {
        let options = q::ListImagesOptions {
            all,
            ..Default::default()
        };
        let rows = self
            .block(self.docker.list_images(Some(options)))
            .map_err(|e| self.error(e))?;
        // Images the session's containers run count as used, also across drop-in invocations.
        for c in self.session_containers(false)? {
            if let Some(image) = c.get("Image").and_then(Value::as_str) {
                self.note_used(image);
            }
        }
        let untagged =
            |r: &bollard::models::ImageSummary| r.repo_tags.iter().all(|t| t == "<none>:<none>");
        let shown = |r: &bollard::models::ImageSummary| {
            // The session's own images: labelled, or printed by one of its builds (a
            // multi-stage build's earlier stages carry no label of the session's).
            let short = r.id.trim_start_matches("sha256:").get(..12).unwrap_or("");
            let labelled = r
                .labels
                .get(sandbox::SESSION_LABEL)
                .is_some_and(|ns| ns == self.sandbox.namespace())
                || self.build_images.contains(short);
            !self.visible_tags(&r.repo_tags).is_empty() || (labelled && untagged(r))
        };
        let mut ids: BTreeSet<String> = rows
            .iter()
            .filter(|r| shown(r))
            .map(|r| r.id.clone())
            .collect();
        if all {
            // `-a` adds the intermediate images of the session's builds: the untagged
            // ancestors of what it shows, up to the first tagged one (the base image).
            let hidden = self.label_step_images(&rows);
            let by_id: HashMap<&str, &bollard::models::ImageSummary> =
                rows.iter().map(|r| (r.id.as_str(), r)).collect();
            let owned = |r: &bollard::models::ImageSummary| {
                r.labels
                    .get(sandbox::SESSION_LABEL)
                    .is_some_and(|ns| ns == self.sandbox.namespace())
                    || r.repo_tags.iter().any(|t| self.sandbox.owns_tag(t))
            };
            let starts: Vec<String> = rows
                .iter()
                .filter(|r| ids.contains(&r.id) && owned(r))
                .map(|r| r.id.clone())
                .collect();
            for start in starts {
                let mut at = by_id.get(start.as_str()).map(|r| r.parent_id.as_str());
                while let Some(parent) = at.and_then(|p| by_id.get(p)) {
                    if !untagged(parent) {
                        break;
                    }
                    if !hidden.contains(&parent.id) {
                        ids.insert(parent.id.clone());
                    }
                    at = Some(parent.parent_id.as_str());
                }
            }
        }
        let mut out = Vec::new();
        for row in rows.iter().filter(|r| ids.contains(&r.id)) {
            let v = convert::to_json(row);
            let visible = self.visible_tags(&row.repo_tags);
            let digests = self.visible_digests(&row.repo_digests, &visible);
            let mut summary = convert::image_summary(&v, visible);
            summary.repo_digests = digests;
            out.push(summary);
        }
        Ok(out)
    }

    fn image_inspect(&mut self, reference: &str) -> EngineResult<ImageDetails> {
        let target = self.image_target(reference);
        let doc = self
            .block(self.docker.inspect_image(&target))
            .map_err(|e| match self.error(e) {
                EngineError::Daemon { status: 404, .. } => {
                    EngineError::not_found(format!("No such image: {}", normalise_tag(reference)))
                }
                other => other,
            })?;
        if target == reference {
            self.note_used(reference);
        }
        let tags = doc.repo_tags.clone().unwrap_or_default();
        let visible = self.visible_tags(&tags);
        Ok(convert::image_details(
            convert::to_json(&doc),
            &self.sandbox,
            visible,
        ))
    }

    fn image_history(&mut self, reference: &str) -> EngineResult<Vec<HistoryEntry>> {
        let target = self.image_target(reference);
        let rows = self
            .block(self.docker.image_history(&target))
            .map_err(|e| self.error(e))?;
        let rows: Vec<Value> = rows.iter().map(convert::to_json).collect();
        let labels = rows
            .iter()
            .take_while(|r| convert::is_sandbox_history(r))
            .count();
        let mut out: Vec<HistoryEntry> = rows
            .iter()
            .filter(|r| !convert::is_sandbox_history(r))
            .map(|r| convert::history_entry(r, &self.sandbox))
            .collect();
        // The Dockerfile's last step stands for the final image (see `label_step_images`).
        if labels > 0 {
            if let (Some(top), Some(first)) = (rows.first(), out.first_mut()) {
                let final_entry = convert::history_entry(top, &self.sandbox);
                first.id = final_entry.id;
                first.tags = final_entry.tags;
            }
        }
        Ok(out)
    }

    fn image_pull(
        &mut self,
        reference: &ImageRef,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<()> {
        if let Some(registry) = &reference.registry {
            self.wait_for_session_registry(registry);
        }
        // A pull from a registry named in the reference (`localhost:5000/x`) fetches what the
        // session pushed there, under its sandbox name; Docker Hub's images are the machine's.
        let from_image = if reference.registry.is_some() {
            self.sandbox.real_image(&reference.full_repository())
        } else {
            reference.full_repository()
        };
        let options = q::CreateImageOptions {
            from_image: Some(from_image),
            tag: Some(reference.tag.clone().unwrap_or_else(|| "latest".into())),
            ..Default::default()
        };
        let mut events = Vec::new();
        let result: Result<(), bollard::errors::Error> = self.block(async {
            let mut stream = self.docker.create_image(Some(options), None, None);
            while let Some(item) = stream.next().await {
                match item {
                    Ok(info) => events.push((
                        info.id,
                        info.status,
                        // A bar the CLI draws only on a terminal ("Downloading [=> ] 1MB/4MB").
                        info.progress_detail
                            .filter(|d| d.current.unwrap_or(0) > 0 || d.total.unwrap_or(0) > 0)
                            .map(|d| {
                                format!("{}/{}", d.current.unwrap_or(0), d.total.unwrap_or(0))
                            }),
                        info.error_detail.and_then(|d| d.message),
                    )),
                    // An error inside the message stream is the daemon's text for the CLI to
                    // print as it is (`docker pull` prints no "Error response from daemon").
                    Err(bollard::errors::Error::DockerStreamError { error }) => {
                        events.push((None, None, None, Some(error)));
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        });
        let failed = events.iter().any(|(_, _, _, e)| e.is_some());
        let unreachable = match &result {
            Err(bollard::errors::Error::DockerResponseServerError { message, .. }) => {
                offline(message)
            }
            _ => false,
        } || events
            .iter()
            .any(|(_, _, _, e)| e.as_deref().is_some_and(offline));
        if unreachable && reference.registry.is_none() {
            if let Some(lines) = self.standin_up_to_date(reference) {
                for status in lines {
                    progress(&self.progress_event(status.0, Some(status.1), None, None));
                }
                self.note_used(&reference.repo_tag());
                return Ok(());
            }
        }
        for (id, status, bar, error) in events {
            progress(&self.progress_event(id, status, bar, error));
        }
        // The learner asked for this image: `docker images` shows it from now on if the
        // daemon has it, also when the pull failed (no registry reachable), as dockerd lists
        // every image it holds.
        // (A registry's image is stored under the session's own name, so it shows anyway.)
        let tag = reference.repo_tag();
        if reference.registry.is_none()
            && (!failed || self.block(self.docker.inspect_image(&tag)).is_ok())
        {
            self.note_used(&tag);
        }
        result.map_err(|e| self.error(e))?;
        Ok(())
    }

    fn image_push(
        &mut self,
        reference: &ImageRef,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<()> {
        if let Some(registry) = &reference.registry {
            self.wait_for_session_registry(registry);
        }
        let real = self.sandbox.real_image(&reference.full_repository());
        let version = self.docker.client_version();
        let path = format!(
            "/v{}.{}/images/{real}/push?tag={}",
            version.major_version,
            version.minor_version,
            raw::query_escape(reference.tag.as_deref().unwrap_or("latest"))
        );
        // No credentials: `e30=` is `{}`, what the CLI sends for a registry it has none for.
        let answer =
            raw::post(&self.address, &path, &[("X-Registry-Auth", "e30=")]).map_err(|e| {
                EngineError::Other(format!("the Docker engine at {} failed: {e}", self.address))
            })?;
        let text = |m: &Value, k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
        if answer.status >= 400 {
            let message = answer
                .messages
                .first()
                .and_then(|m| text(m, "message"))
                .unwrap_or_default();
            // `docker push` prints the daemon's refusal as it is, like an error in the stream.
            progress(&self.progress_event(None, None, None, Some(message)));
            return Ok(());
        }
        for m in &answer.messages {
            let error = m
                .pointer("/errorDetail/message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| text(m, "error"));
            let progress_text = text(m, "progress");
            progress(&self.progress_event(
                text(m, "id"),
                text(m, "status"),
                progress_text,
                error.clone(),
            ));
            if error.is_some() {
                break;
            }
        }
        Ok(())
    }

    fn image_tag(&mut self, source: &str, target: &ImageRef) -> EngineResult<()> {
        let source_real = self.image_target(source);
        let real = self.sandbox.real_image(&target.full_repository());
        let options = q::TagImageOptions {
            repo: Some(real),
            tag: Some(target.tag.clone().unwrap_or_else(|| "latest".into())),
        };
        self.block(self.docker.tag_image(&source_real, Some(options)))
            .map_err(|e| match self.error(e) {
                EngineError::Daemon { status: 404, .. } => {
                    EngineError::not_found(format!("No such image: {source}"))
                }
                other => other,
            })
    }

    fn image_remove(&mut self, reference: &str, force: bool) -> EngineResult<Vec<ImageDeleteItem>> {
        let target = self.image_target(reference);
        if !self.sandbox.owns_tag(&target) {
            // An id or a tag the session did not make: only its own (labelled, untagged by
            // the user) images may go.
            let doc = self
                .block(self.docker.inspect_image(&target))
                .map_err(|_| {
                    EngineError::not_found(format!("No such image: {}", normalise_tag(reference)))
                })?;
            let ours = doc
                .config
                .as_ref()
                .and_then(|c| c.labels.as_ref())
                .and_then(|l| l.get(sandbox::SESSION_LABEL))
                .is_some_and(|ns| ns == self.sandbox.namespace());
            let foreign_tags = doc
                .repo_tags
                .unwrap_or_default()
                .iter()
                .any(|t| !self.sandbox.owns_tag(t));
            if !ours || foreign_tags {
                return Err(EngineError::Refused {
                    reason: format!(
                        "{reference} is an image of this machine, not one the tutor made; the tutor leaves it alone"
                    ),
                });
            }
        }
        // The images of the builder's steps for the session's labels go too, unseen.
        let label_steps = self.label_step_images(&self.all_image_rows()?);
        let options = q::RemoveImageOptions {
            force,
            ..Default::default()
        };
        let shown_target = self.sandbox.map_back(&target);
        let items = self
            .block(self.docker.remove_image(&target, Some(options), None))
            .map_err(|e| match self.error(e) {
                // The daemon quotes the reference it was given (`app:latest`); the CLI
                // quotes what the learner typed.
                EngineError::Daemon { status, message } => EngineError::Daemon {
                    status,
                    message: message.replace(
                        &format!("reference \"{shown_target}\""),
                        &format!("reference \"{reference}\""),
                    ),
                },
                other => other,
            })?;
        let mut untagged: Vec<String> = items
            .iter()
            .filter_map(|i| i.untagged.as_deref().map(|u| self.sandbox.map_back(u)))
            .collect();
        // dockerd untags in the order of its own (`dt-…-`) names; list the learner's in the
        // order it would have used for them. Untagging comes before any deletion.
        crate::client::reference::daemon_order(&mut untagged);
        Ok(untagged
            .into_iter()
            .map(ImageDeleteItem::Untagged)
            .chain(
                items
                    .into_iter()
                    .filter_map(|i| i.deleted.filter(|d| !label_steps.contains(d)))
                    .map(ImageDeleteItem::Deleted),
            )
            .collect())
    }

    fn image_prune(&mut self, all: bool) -> EngineResult<PruneReport> {
        let mut filters = self.session_filter();
        filters.insert("dangling".into(), vec![(!all).to_string()]);
        let options = q::PruneImagesOptions {
            filters: Some(filters),
        };
        let label_steps = self.label_step_images(&self.all_image_rows()?);
        let r = self
            .block(self.docker.prune_images(Some(options)))
            .map_err(|e| self.error(e))?;
        let mut deleted = Vec::new();
        for i in r.images_deleted.unwrap_or_default() {
            if let Some(u) = i.untagged {
                deleted.push(format!("untagged: {}", self.sandbox.map_back(&u)));
            }
            if let Some(d) = i.deleted.filter(|d| !label_steps.contains(d)) {
                deleted.push(format!("deleted: {d}"));
            }
        }
        Ok(PruneReport {
            deleted,
            space_reclaimed: r.space_reclaimed.unwrap_or(0).max(0) as u64,
        })
    }

    fn container_create(&mut self, spec: &ContainerSpec) -> EngineResult<CreatedContainer> {
        self.sandbox.vet(spec)?;
        if let Some(n) = &spec.network {
            if !matches!(n.as_str(), "bridge" | "default" | "none") {
                return Err(EngineError::NotSupported(format!(
                    "networks other than bridge and none on the real engine (`--network {n}`)"
                )));
            }
        }
        let body = self.container_body(spec)?;
        let image = body.image.clone().unwrap_or_default();
        let options = q::CreateContainerOptions {
            name: spec.name.as_deref().map(|n| self.sandbox.real_name(n)),
            ..Default::default()
        };
        let created = self
            .block(self.docker.create_container(Some(options), body))
            .map_err(|e| match self.error(e) {
                EngineError::Daemon {
                    status: 404,
                    message,
                } if message.contains("image") => {
                    EngineError::not_found(format!("No such image: {}", normalise_tag(&spec.image)))
                }
                other => other,
            })?;
        if image == spec.image {
            self.note_used(&spec.image);
        }
        if spec.auto_remove && (spec.attach_stdout || spec.attach_stderr) {
            self.remove_after_exit.insert(created.id.clone());
        }
        Ok(CreatedContainer {
            id: created.id,
            warnings: created.warnings,
        })
    }

    fn container_list(&mut self, all: bool, size: bool) -> EngineResult<Vec<ContainerSummary>> {
        let rows = self.session_containers(size)?;
        let mut out: Vec<ContainerSummary> = rows
            .iter()
            .map(|r| convert::container_summary(r, &self.sandbox))
            .filter(|c| all || c.status.is_running())
            .collect();
        out.sort_by_key(|c| std::cmp::Reverse(c.created));
        Ok(out)
    }

    fn container_inspect(&mut self, reference: &str) -> EngineResult<ContainerDetails> {
        let id = self.resolve(reference)?;
        let doc = self
            .block(self.docker.inspect_container(&id, None))
            .map_err(|e| self.error(e))?;
        Ok(convert::container_details(
            convert::to_json(&doc),
            &self.sandbox,
        ))
    }

    fn container_start(&mut self, reference: &str, attach: bool) -> EngineResult<ProcessOutput> {
        let id = self.resolve(reference)?;
        if attach {
            self.attach_main(&id, false)?;
        }
        let started = self.block(
            self.docker
                .start_container(&id, None::<q::StartContainerOptions>),
        );
        if let Err(e) = started {
            self.attached
                .remove(&process_key(&ProcessRef::Main(id.clone())));
            if self.remove_after_exit.remove(&id) {
                let options = q::RemoveContainerOptions {
                    force: true,
                    ..Default::default()
                };
                let _ = self.block(self.docker.remove_container(&id, Some(options)));
            }
            return Err(start_error(self.error(e)));
        }
        if !attach {
            return Ok(ProcessOutput::default());
        }
        let process = ProcessRef::Main(id);
        self.drive(&process, |a| Box::pin(a.settle()))
    }

    fn container_stop(&mut self, reference: &str, timeout_secs: Option<i64>) -> EngineResult<()> {
        let id = self.resolve(reference)?;
        let options = q::StopContainerOptions {
            t: timeout_secs.map(|t| t as i32),
            ..Default::default()
        };
        self.block(self.docker.stop_container(&id, Some(options)))
            .map_err(|e| self.error(e))?;
        self.await_auto_remove(&id);
        Ok(())
    }

    fn container_restart(
        &mut self,
        reference: &str,
        timeout_secs: Option<i64>,
    ) -> EngineResult<()> {
        let id = self.resolve(reference)?;
        let options = q::RestartContainerOptions {
            t: timeout_secs.map(|t| t as i32),
            ..Default::default()
        };
        self.block(self.docker.restart_container(&id, Some(options)))
            .map_err(|e| self.error(e))
    }

    fn container_kill(&mut self, reference: &str, signal: &str) -> EngineResult<()> {
        let id = self.resolve(reference)?;
        let options = q::KillContainerOptions {
            signal: signal.to_string(),
        };
        self.block(self.docker.kill_container(&id, Some(options)))
            .map_err(|e| self.error(e))?;
        if matches!(signal, "" | "KILL" | "SIGKILL" | "9") {
            // dockerd waits for a killed container to exit, not for its removal.
            self.await_auto_remove(&id);
        }
        Ok(())
    }

    fn container_pause(&mut self, reference: &str) -> EngineResult<()> {
        let id = self.resolve(reference)?;
        self.block(self.docker.pause_container(&id))
            .map_err(|e| self.error(e))
    }

    fn container_unpause(&mut self, reference: &str) -> EngineResult<()> {
        let id = self.resolve(reference)?;
        self.block(self.docker.unpause_container(&id))
            .map_err(|e| self.error(e))
    }

    fn container_remove(
        &mut self,
        reference: &str,
        force: bool,
        volumes: bool,
    ) -> EngineResult<()> {
        let id = self.resolve(reference)?;
        let options = q::RemoveContainerOptions {
            force,
            v: volumes,
            ..Default::default()
        };
        self.attached
            .remove(&process_key(&ProcessRef::Main(id.clone())));
        self.block(self.docker.remove_container(&id, Some(options)))
            .map_err(|e| self.error(e))
    }

    fn container_wait(&mut self, reference: &str) -> EngineResult<i64> {
        let id = self.resolve(reference)?;
        self.wait_exit(&id)
    }

    fn container_attach(&mut self, reference: &str) -> EngineResult<ProcessOutput> {
        let id = self.resolve(reference)?;
        let details = self.container_inspect(&id)?;
        if !details.summary.status.is_running() {
            return Err(EngineError::daemon(
                409,
                "You cannot attach to a stopped container, start it first",
            ));
        }
        self.attach_main(&id, false)?;
        let process = ProcessRef::Main(id);
        let key = process_key(&process);
        // An attached shell shows nothing until a line is typed; learn its directory quietly.
        let accepts = self.attached.get(&key).is_some_and(Attached::accepts_input);
        if accepts {
            self.drive(&process, |a| Box::pin(a.send(b"")))
        } else {
            self.drive(&process, |a| {
                Box::pin(a.read_to_end(process::FOREGROUND_TIMEOUT))
            })
        }
    }

    fn container_logs(
        &mut self,
        reference: &str,
        options: &LogOptions,
    ) -> EngineResult<Vec<LogLine>> {
        let id = self.resolve(reference)?;
        let request = q::LogsOptions {
            follow: false,
            stdout: true,
            stderr: true,
            timestamps: true,
            since: options.since.map(|t| t.timestamp() as i32).unwrap_or(0),
            tail: options
                .tail
                .map(|n| n.to_string())
                .unwrap_or_else(|| "all".into()),
            ..Default::default()
        };
        let items: Vec<Result<bollard::container::LogOutput, bollard::errors::Error>> =
            self.block(self.docker.logs(&id, Some(request)).collect());
        let mut lines = Vec::new();
        for item in items {
            let item = item.map_err(|e| self.error(e))?;
            let (stream, bytes) = match item {
                bollard::container::LogOutput::StdErr { message } => (Stream::Stderr, message),
                bollard::container::LogOutput::StdOut { message }
                | bollard::container::LogOutput::Console { message } => (Stream::Stdout, message),
                bollard::container::LogOutput::StdIn { .. } => continue,
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let (stamp, rest) = text.split_once(' ').unwrap_or(("", &text));
            lines.push(LogLine {
                stream,
                time: convert::timestamp_text(stamp).unwrap_or_else(chrono::Utc::now),
                text: rest.to_string(),
            });
        }
        Ok(lines)
    }

    fn container_top(&mut self, reference: &str) -> EngineResult<ProcessTable> {
        let id = self.resolve(reference)?;
        let top = self
            .block(self.docker.top_processes(&id, None::<q::TopOptions>))
            .map_err(|e| self.error(e))?;
        Ok(ProcessTable {
            titles: top.titles.unwrap_or_default(),
            rows: top.processes.unwrap_or_default(),
        })
    }

    fn container_changes(&mut self, reference: &str) -> EngineResult<Vec<FileChange>> {
        let id = self.resolve(reference)?;
        let changes = self
            .block(self.docker.container_changes(&id))
            .map_err(|e| self.error(e))?
            .unwrap_or_default();
        Ok(changes
            .iter()
            .map(|c| {
                let v = convert::to_json(c);
                let kind = match v.get("Kind").and_then(Value::as_u64) {
                    Some(1) => ChangeKind::Added,
                    Some(2) => ChangeKind::Deleted,
                    _ => ChangeKind::Changed,
                };
                FileChange {
                    kind,
                    path: c.path.clone(),
                }
            })
            .collect())
    }

    fn container_rename(&mut self, reference: &str, new_name: &str) -> EngineResult<()> {
        let id = self.resolve(reference)?;
        let new_name = crate::engine::container_name::for_rename(new_name)?;
        let options = q::RenameContainerOptions {
            name: self.sandbox.real_name(new_name),
        };
        self.block(self.docker.rename_container(&id, options))
            .map_err(|e| self.error(e))
    }

    fn container_commit(
        &mut self,
        reference: &str,
        options: &CommitOptions,
    ) -> EngineResult<String> {
        let id = self.resolve(reference)?;
        let mut changes = options.changes.clone();
        changes.push(format!(
            "LABEL {}={}",
            sandbox::SESSION_LABEL,
            self.sandbox.namespace()
        ));
        let request = q::CommitContainerOptions {
            container: Some(id),
            repo: options
                .reference
                .as_ref()
                .map(|r| self.sandbox.real_image(&r.full_repository())),
            tag: options
                .reference
                .as_ref()
                .map(|r| r.tag.clone().unwrap_or_else(|| "latest".into())),
            comment: options.message.clone(),
            author: options.author.clone(),
            pause: options.pause,
            changes: Some(changes.join("\n")),
        };
        let r = self
            .block(
                self.docker
                    .commit_container(request, bollard::models::ContainerConfig::default()),
            )
            .map_err(|e| self.error(e))?;
        Ok(r.id)
    }

    fn container_prune(&mut self) -> EngineResult<PruneReport> {
        let options = q::PruneContainersOptions {
            filters: Some(self.session_filter()),
        };
        let r = self
            .block(self.docker.prune_containers(Some(options)))
            .map_err(|e| self.error(e))?;
        Ok(PruneReport {
            deleted: r.containers_deleted.unwrap_or_default(),
            space_reclaimed: r.space_reclaimed.unwrap_or(0).max(0) as u64,
        })
    }

    fn container_stats(&mut self, reference: &str) -> EngineResult<ContainerStats> {
        let id = self.resolve(reference)?;
        let options = q::StatsOptions {
            stream: false,
            one_shot: true,
        };
        let first = self.block(async { self.docker.stats(&id, Some(options)).next().await });
        let s = match first {
            Some(Ok(s)) => convert::to_json(&s),
            Some(Err(e)) => return Err(self.error(e)),
            None => Value::Null,
        };
        let n = |p: &str| s.pointer(p).and_then(Value::as_u64).unwrap_or(0);
        Ok(ContainerStats {
            cpu_percent: 0.0,
            memory_usage: n("/memory_stats/usage"),
            memory_limit: n("/memory_stats/limit"),
            net_rx: 0,
            net_tx: 0,
            block_read: 0,
            block_write: 0,
            pids: n("/pids_stats/current"),
        })
    }

    fn path_stat(&mut self, reference: &str, path: &str) -> EngineResult<PathStat> {
        let id = self.resolve(reference)?;
        let options = q::ContainerArchiveInfoOptions {
            path: path.to_string(),
        };
        let stat = self
            .block(self.docker.get_container_archive_info(&id, Some(options)))
            .map_err(|e| self.error(e))?;
        Ok(PathStat {
            name: stat.name,
            size: stat.size.max(0) as u64,
            mode: go_mode_to_unix(u64::from(stat.file_mode)),
            mtime: stat.modification_time.unwrap_or_default(),
            link_target: stat.link_target,
        })
    }

    fn archive_get(&mut self, reference: &str, path: &str) -> EngineResult<Vec<u8>> {
        let id = self.resolve(reference)?;
        let options = q::DownloadFromContainerOptions {
            path: path.to_string(),
        };
        let chunks: Vec<Result<bytes::Bytes, bollard::errors::Error>> = self.block(
            self.docker
                .download_from_container(&id, Some(options))
                .collect(),
        );
        let mut out = Vec::new();
        for c in chunks {
            out.extend_from_slice(&c.map_err(|e| self.error(e))?);
        }
        Ok(out)
    }

    fn archive_put(&mut self, reference: &str, dir: &str, tar: &[u8]) -> EngineResult<()> {
        let id = self.resolve(reference)?;
        let options = q::UploadToContainerOptions {
            path: dir.to_string(),
            ..Default::default()
        };
        let body = bollard::body_full(bytes::Bytes::copy_from_slice(tar));
        self.block(self.docker.upload_to_container(&id, Some(options), body))
            .map_err(|e| self.error(e))
    }

    fn exec_create(&mut self, reference: &str, spec: &ExecSpec) -> EngineResult<String> {
        let id = self.resolve(reference)?;
        if spec.privileged {
            return Err(EngineError::Refused {
                reason: "`exec --privileged` gives the process the whole machine; the tutor does not run it on a real engine".into(),
            });
        }
        let config = ExecConfig {
            cmd: Some(spec.cmd.clone()),
            attach_stdin: Some(spec.interactive && !spec.detach),
            attach_stdout: Some(!spec.detach),
            attach_stderr: Some(!spec.detach),
            tty: Some(false),
            user: spec.user.clone(),
            working_dir: spec.working_dir.clone(),
            env: Some(spec.env.clone()).filter(|e| !e.is_empty()),
            ..Default::default()
        };
        let created = self
            .block(self.docker.create_exec(&id, config))
            .map_err(|e| self.error(e))?;
        self.execs.insert(created.id.clone(), (spec.clone(), id));
        Ok(created.id)
    }

    fn exec_start(&mut self, exec_id: &str) -> EngineResult<ProcessOutput> {
        let (spec, container) = self.execs.remove(exec_id).unwrap_or_default();
        let options = bollard::exec::StartExecOptions {
            detach: spec.detach,
            tty: false,
            output_capacity: None,
        };
        let started = self
            .block(self.docker.start_exec(exec_id, Some(options)))
            .map_err(|e| start_error(self.error(e)))?;
        let (output, input) = match started {
            bollard::exec::StartExecResults::Detached => return Ok(ProcessOutput::default()),
            bollard::exec::StartExecResults::Attached { output, input } => (output, input),
        };
        let shell = if spec.interactive {
            ShellFlavor::of_command(&spec.cmd)
        } else {
            None
        };
        let mut attached = Attached::new(
            output,
            spec.interactive.then_some(input),
            shell,
            self.sandbox.namespace().to_string(),
        );
        if let (true, Some(flavor)) = (spec.tty, shell) {
            let (_, hostname, root, _, _) = self.process_facts(&container)?;
            let root = match spec.user.as_deref() {
                Some(u) => u == "root" || u == "0",
                None => root,
            };
            attached.prompt = Some(PromptStyle {
                flavor,
                hostname,
                root,
            });
        }
        let process = ProcessRef::Exec(exec_id.to_string());
        self.attached.insert(process_key(&process), attached);
        let reply = self.drive(&process, |a| Box::pin(a.settle()))?;
        // A failed exec (`exec sandbox nosuch`) ends at once with the runtime's exit code.
        Ok(reply)
    }

    fn process_input(&mut self, process: &ProcessRef, data: &[u8]) -> EngineResult<ProcessOutput> {
        let data = data.to_vec();
        self.drive(process, move |a| {
            Box::pin(async move { a.send(&data).await })
        })
    }

    fn process_close_stdin(&mut self, process: &ProcessRef) -> EngineResult<ProcessOutput> {
        self.drive(process, |a| Box::pin(a.close_stdin()))
    }

    fn image_save(&mut self, references: &[String]) -> EngineResult<Vec<u8>> {
        let targets: Vec<String> = references.iter().map(|r| self.image_target(r)).collect();
        let names: Vec<&str> = targets.iter().map(String::as_str).collect();
        let bytes = self.block(async {
            let mut stream = self.docker.export_images(&names);
            let mut data = Vec::new();
            while let Some(chunk) = stream.next().await {
                data.extend_from_slice(&chunk?);
            }
            Ok::<_, bollard::errors::Error>(data)
        });
        let bytes = bytes.map_err(|e| self.error(e))?;
        convert::rename_archive(&bytes, |n| self.sandbox.map_back(n))
            .map_err(|e| EngineError::Other(format!("cannot read the saved archive: {e}")))
    }

    fn image_load(&mut self, tar: &[u8]) -> EngineResult<Vec<String>> {
        // The images get the session's names; a load of an archive it cannot read leaves the
        // archive to the daemon, which says why.
        let renamed = convert::rename_archive(tar, |n| self.sandbox.real_image(n))
            .unwrap_or_else(|_| tar.to_vec());
        let body = bollard::body_full(bytes::Bytes::from(renamed));
        let options = q::ImportImageOptions {
            quiet: true,
            ..Default::default()
        };
        let mut lines = Vec::new();
        let result = self.block(async {
            let mut stream = self.docker.import_image(options, body, None);
            while let Some(item) = stream.next().await {
                match item {
                    Ok(info) => {
                        if let Some(s) = info.stream {
                            lines.extend(s.lines().map(str::to_string));
                        }
                    }
                    // `docker load` prints an error from the stream as it is.
                    Err(bollard::errors::Error::DockerStreamError { error }) => {
                        return Err(EngineError::Other(error));
                    }
                    Err(e) => return Err(self.error(e)),
                }
            }
            Ok(())
        });
        result.map_err(|e| match e {
            EngineError::Other(m) => EngineError::Other(self.sandbox.map_back(&m)),
            other => other,
        })?;
        Ok(lines
            .iter()
            .filter(|l| !l.is_empty())
            .map(|l| self.sandbox.map_back(l))
            .collect())
    }

    fn container_export(&mut self, reference: &str) -> EngineResult<Vec<u8>> {
        let id = self.resolve(reference)?;
        let bytes = self.block(async {
            let mut stream = self.docker.export_container(&id);
            let mut data = Vec::new();
            while let Some(chunk) = stream.next().await {
                data.extend_from_slice(&chunk?);
            }
            Ok::<_, bollard::errors::Error>(data)
        });
        bytes.map_err(|e| self.error(e))
    }

    fn image_import(&mut self, tar: &[u8], reference: Option<&ImageRef>) -> EngineResult<String> {
        let options = q::CreateImageOptions {
            from_src: Some("-".into()),
            repo: reference.map(|r| self.sandbox.real_image(&r.full_repository())),
            tag: reference.map(|r| r.tag.clone().unwrap_or_else(|| "latest".into())),
            // The label lets the session's clean-up find an import it did not tag.
            changes: vec![format!(
                "LABEL {}={}",
                sandbox::SESSION_LABEL,
                self.sandbox.namespace()
            )],
            ..Default::default()
        };
        let body = bollard::body_full(bytes::Bytes::copy_from_slice(tar));
        let mut id = String::new();
        let result = self.block(async {
            let mut stream = self.docker.create_image(Some(options), Some(body), None);
            while let Some(item) = stream.next().await {
                match item {
                    Ok(info) => {
                        if let Some(s) = info.status.filter(|s| s.starts_with("sha256:")) {
                            id = s;
                        }
                    }
                    Err(bollard::errors::Error::DockerStreamError { error }) => {
                        return Err(EngineError::daemon(500, error));
                    }
                    Err(e) => return Err(self.error(e)),
                }
            }
            Ok(())
        });
        result?;
        Ok(id)
    }

    fn image_build(
        &mut self,
        context_tar: &[u8],
        options: &BuildOptions,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<String> {
        let mut labels: HashMap<String, String> = options.labels.clone().into_iter().collect();
        labels.extend(self.sandbox.labels());
        let tags: Vec<String> = options
            .tags
            .iter()
            .map(|t| self.sandbox.real_image(&t.repo_tag()))
            .collect();
        // The session's build cache is its own images' steps, as the simulator's is: without
        // `cachefrom` the classic builder reuses steps of any build on the machine (another
        // session's, the user's), and whether a step runs would depend on what ran before. A
        // name that never exists keeps the list from being empty (empty means every image).
        let mut cache_from = vec![self.sandbox.real_image("no-cache-yet:none")];
        let own = q::ListImagesOptions {
            filters: Some(self.session_filter()),
            ..Default::default()
        };
        if let Ok(images) = self.block(self.docker.list_images(Some(own))) {
            cache_from.extend(images.into_iter().map(|i| i.id));
        }
        // And every image its earlier builds printed: a multi-stage build's earlier stages
        // carry no session label, yet a later `--target` build reuses them, as dockerd would.
        cache_from.extend(self.build_images.iter().cloned());
        let request = q::BuildImageOptions {
            cachefrom: Some(cache_from),
            dockerfile: if options.dockerfile.is_empty() {
                "Dockerfile".into()
            } else {
                options.dockerfile.clone()
            },
            t: tags.first().cloned(),
            q: options.quiet,
            nocache: options.no_cache,
            pull: options.pull.then(|| "1".to_string()),
            rm: true,
            forcerm: false,
            buildargs: Some(options.build_args.clone().into_iter().collect()),
            labels: Some(labels),
            target: options.target.clone().unwrap_or_default(),
            ..Default::default()
        };
        let (mut id, mut streamed, mut failure) = self.run_build(request.clone(), context_tar);
        // `--pull` asks Docker Hub for every base; offline, the stand-ins are what this
        // machine has, so build from them and say they are up to date, as dockerd does.
        if options.pull && failure.as_deref().is_some_and(offline) {
            let request = q::BuildImageOptions {
                pull: None,
                ..request
            };
            (id, streamed, failure) = self.run_build(request, context_tar);
            streamed = self.pulled_up_to_date(&streamed);
        }
        let mut text = convert::hide_sandbox_steps(&self.sandbox.map_back(&streamed));
        let seen = build_trace(&text);
        for base in &seen.bases {
            self.note_used(base);
        }
        self.build_images.extend(seen.images);
        self.built_here.extend(seen.stage_images);
        if failure.is_none() {
            for (extra, shown) in tags.iter().zip(&options.tags).skip(1) {
                let (repo, tag) = extra.rsplit_once(':').unwrap_or((extra, "latest"));
                let tag_options = q::TagImageOptions {
                    repo: Some(repo.to_string()),
                    tag: Some(tag.to_string()),
                };
                self.block(self.docker.tag_image(&id, Some(tag_options)))
                    .map_err(|e| self.error(e))?;
                // The daemon tags every `-t` itself and says so, one line each.
                text.push_str(&format!("Successfully tagged {}\n", shown.repo_tag()));
            }
        }
        if options.quiet {
            // `-q`: the stream is the image id, which the CLI prints itself.
            if id.is_empty() {
                id = text.trim().to_string();
            }
        } else {
            for line in text.split_inclusive('\n') {
                progress(&ProgressEvent {
                    stream: Some(line.to_string()),
                    ..Default::default()
                });
            }
        }
        if let Some(f) = failure {
            let message = self.sandbox.map_back(&f);
            // The CLI exits with the failed RUN's status, and 1 for any other failure.
            let exit_code = message
                .rsplit_once("returned a non-zero code: ")
                .and_then(|(_, n)| n.trim().parse().ok())
                .unwrap_or(1);
            progress(&ProgressEvent {
                error: Some(message.clone()),
                ..Default::default()
            });
            return Err(EngineError::Runtime { exit_code, message });
        }
        Ok(id)
    }
}

/// What a classic build's output says about images: the bases its stages start `FROM`, every
/// image id it printed, and the last image of each stage that was not the final one, when the
/// build made it rather than found it in the cache.
#[derive(Debug, Default, PartialEq)]
struct BuildTrace {
    bases: Vec<String>,
    images: Vec<String>,
    stage_images: Vec<String>,
}

fn build_trace(text: &str) -> BuildTrace {
    let mut trace = BuildTrace::default();
    let mut aliases: Vec<String> = Vec::new();
    let mut last: Option<(String, bool)> = None;
    let mut cached = false;
    let mut first_from = true;
    for line in text.lines() {
        if let Some(id) = line.strip_prefix(" ---> ") {
            let id = id.trim();
            if id == "Using cache" {
                cached = true;
                continue;
            }
            if id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
                trace.images.push(id.to_string());
                last = Some((id.to_string(), !cached));
            }
            cached = false;
            continue;
        }
        let Some((_, instruction)) = line.strip_prefix("Step ").and_then(|l| l.split_once(" : "))
        else {
            continue;
        };
        let words: Vec<&str> = instruction.split_whitespace().collect();
        if !words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("FROM"))
        {
            continue;
        }
        if !first_from {
            if let Some((id, made)) = last.take() {
                if made {
                    trace.stage_images.push(id);
                }
            }
        }
        first_from = false;
        let args: Vec<&str> = words[1..]
            .iter()
            .copied()
            .filter(|w| !w.starts_with("--"))
            .collect();
        if let Some(base) = args.first() {
            let is_stage = aliases.iter().any(|a| a.eq_ignore_ascii_case(base));
            if !is_stage && !base.eq_ignore_ascii_case("scratch") && !base.contains('$') {
                trace.bases.push(base.to_string());
            }
        }
        if args.len() >= 3 && args[1].eq_ignore_ascii_case("AS") {
            aliases.push(args[2].to_string());
        }
    }
    trace
}

/// Go's `os.FileMode` bits (what the archive API reports) to Unix `st_mode` bits.
fn go_mode_to_unix(mode: u64) -> u32 {
    const GO_DIR: u64 = 1 << 31;
    const GO_SYMLINK: u64 = 1 << 27;
    let perm = (mode & 0o777) as u32;
    if mode & GO_DIR != 0 {
        0o040000 | perm
    } else if mode & GO_SYMLINK != 0 {
        0o120000 | perm
    } else {
        0o100000 | perm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_ids() {
        assert_eq!(normalise_tag("ubuntu"), "ubuntu:latest");
        assert_eq!(
            normalise_tag("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
        assert_eq!(normalise_tag("busybox:1.23"), "busybox:1.23");
        assert!(looks_like_id("5af244124dd8"));
        assert!(looks_like_id("sha256:5af244124dd8"));
        assert!(!looks_like_id("ubuntu"));
    }

    /// A multi-stage build as dockerd 20.10 streamed it, sandbox labels included.
    const STREAMED: &str = "Step 1/9 : FROM busybox AS builder
 ---> 33d4ede3b56b
Step 2/9 : WORKDIR /src
 ---> Running in ddc7b1d43a8a
Removing intermediate container ddc7b1d43a8a
 ---> 1aac24633519
Step 3/9 : COPY src/ .
 ---> Using cache
 ---> 4be288ab68d1
Step 4/9 : RUN mkdir /out && echo junk > /src/build.log
 ---> Running in 25662f2b57ab
Removing intermediate container 25662f2b57ab
 ---> d2025f1c6b2a
Step 5/9 : FROM busybox
 ---> 33d4ede3b56b
Step 6/9 : COPY --from=builder /out/myapp /usr/local/bin/myapp
 ---> 529c83892984
Step 7/9 : CMD [\"myapp\"]
 ---> Running in e0b4ff78d86f
Removing intermediate container e0b4ff78d86f
 ---> b82dca7a0b5a
Step 8/9 : LABEL org.docktutor.pid=5142
 ---> Running in 297b1c6dd307
Removing intermediate container 297b1c6dd307
 ---> 4e4e00781ca5
Step 9/9 : LABEL org.docktutor.session=5c95a35e
 ---> Running in d1b5a1ac87a3
Removing intermediate container d1b5a1ac87a3
 ---> ca08e4132518
Successfully built ca08e4132518
Successfully tagged myapp:1.0
";

    #[test]
    fn a_failed_build_is_renumbered_without_the_label_steps_it_never_reached() {
        let shown = convert::hide_sandbox_steps(STREAMED);
        assert!(
            shown.starts_with("Step 1/7 : FROM busybox AS builder\n"),
            "{shown}"
        );
        assert!(!shown.contains("org.docktutor"), "{shown}");
        // The build failed at step 2: dockerd still counted its two label steps.
        let failed = "Step 1/4 : FROM busybox\n ---> 33d4ede3b56b\nStep 2/4 : COPY x /x\n";
        assert_eq!(
            convert::hide_sandbox_steps(failed),
            "Step 1/2 : FROM busybox\n ---> 33d4ede3b56b\nStep 2/2 : COPY x /x\n"
        );
    }

    #[test]
    fn a_build_trace_names_bases_and_stage_images() {
        let t = build_trace(STREAMED);
        assert_eq!(t.bases, ["busybox", "busybox"]);
        // The builder stage ended with d2025f1c6b2a, which this build made.
        assert_eq!(t.stage_images, ["d2025f1c6b2a"]);
        assert!(t.images.contains(&"4be288ab68d1".to_string()));
        let cached = STREAMED.replace(
            " ---> Running in 25662f2b57ab\nRemoving intermediate container 25662f2b57ab\n",
            " ---> Using cache\n",
        );
        assert!(build_trace(&cached).stage_images.is_empty());
    }

    #[test]
    fn go_modes() {
        assert_eq!(go_mode_to_unix((1 << 31) | 0o755), 0o040755);
        assert_eq!(go_mode_to_unix(0o644), 0o100644);
        assert_eq!(go_mode_to_unix((1 << 27) | 0o777), 0o120777);
    }

    #[test]
    fn failed_starts_exit_127_or_126() {
        let e = start_error(EngineError::daemon(400, "failed to create task for container: exec: \"nosuch\": executable file not found in $PATH: unknown"));
        assert!(matches!(e, EngineError::Runtime { exit_code: 127, .. }));
        let e = start_error(EngineError::daemon(
            400,
            "exec: \"/etc/passwd\": permission denied: unknown",
        ));
        assert!(matches!(e, EngineError::Runtime { exit_code: 126, .. }));
    }
}
