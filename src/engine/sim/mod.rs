//! The simulated Docker daemon: containers, images, copy-on-write filesystems and processes,
//! answering with dockerd's own messages. State is plain data, saved atomically as JSON.

mod archive;
mod build;
pub mod catalog;
pub mod dockerfile;
pub mod fs;
mod names;
pub mod shell;
mod state;
mod tar_entries;
mod tools;
pub use tools::EXTERNALLY_MANAGED;

use std::path::{Path, PathBuf};

use chrono::Duration;

use self::catalog::{ShellFlavor, HELLO_TEXT};
use self::fs::{Layer, View};
use self::shell::{Machine, ShellState};
use self::state::{Container, Exec, Image, Proc};
pub use self::state::{SimState, StateError};
use super::{
    ChangeKind, CommitOptions, ContainerDetails, ContainerSpec, ContainerStats, ContainerStatus,
    ContainerSummary, CreatedContainer, Engine, EngineError, EngineKind, EngineResult, ExecSpec,
    FileChange, HistoryEntry, ImageDeleteItem, ImageDetails, ImageRef, ImageSummary, LogLine,
    LogOptions, MountKind, PathStat, PortBinding, ProcessOutput, ProcessRef, ProcessTable,
    ProgressEvent, PruneReport, Stream, SystemInfo, Timestamp, VersionInfo,
};
use crate::engine::container_name;
use crate::render::units::human_duration;

pub struct SimEngine {
    state: SimState,
}

fn short(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..12.min(hex.len())]
}

impl SimEngine {
    /// A simulator on the real clock.
    pub fn new() -> Self {
        SimEngine {
            state: SimState::new(false, 0),
        }
    }

    /// Seeded ids and names, and a virtual clock that advances one second per change.
    pub fn deterministic(seed: u64) -> Self {
        SimEngine {
            state: SimState::new(true, seed),
        }
    }

    /// Load `path`, or start fresh when it does not exist. A corrupt or newer file is an error
    /// and is left untouched.
    pub fn load_or_new(path: &Path, deterministic: bool) -> Result<Self, StateError> {
        match SimState::load(path)? {
            Some(state) => Ok(SimEngine { state }),
            None => Ok(SimEngine {
                state: SimState::new(deterministic, 0),
            }),
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        self.state.save(path)
    }

    fn tick(&mut self) -> Timestamp {
        self.state.tick();
        self.reap();
        self.state.now()
    }

    /// Containers whose processes ended on their own (a `sleep` that ran out) become exited.
    fn reap(&mut self) {
        let now = self.state.now();
        let mut removed = Vec::new();
        for c in self.state.containers.values_mut() {
            if let (ContainerStatus::Running, Some(Proc::Sleep { until, exit_code })) =
                (c.status, &c.process)
            {
                if *until <= now {
                    let (until, code) = (*until, *exit_code);
                    c.finish(code, until);
                    if c.spec.auto_remove {
                        removed.push(c.id.clone());
                    }
                }
            }
        }
        for id in removed {
            self.state.containers.remove(&id);
        }
    }

    fn find_container(&self, reference: &str) -> EngineResult<String> {
        if reference.is_empty() {
            return Err(EngineError::not_found("No such container: "));
        }
        if let Some(c) = self
            .state
            .containers
            .values()
            .find(|c| c.name == reference.trim_start_matches('/'))
        {
            return Ok(c.id.clone());
        }
        let matches: Vec<&String> = self
            .state
            .containers
            .keys()
            .filter(|id| id.starts_with(reference))
            .collect();
        match matches.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(EngineError::not_found(format!(
                "No such container: {reference}"
            ))),
            _ => Err(EngineError::daemon(
                400,
                format!("Multiple IDs found with provided prefix: {reference}"),
            )),
        }
    }

    /// An image by `repo:tag` (with `latest` default), full id or unique id prefix.
    fn find_image(&self, reference: &str) -> EngineResult<String> {
        let parsed = crate::client::reference::parse_normalized(reference);
        if let Ok(r) = &parsed {
            if let Some(d) = &r.digest {
                let wanted = format!("{}@{d}", r.full_repository());
                if let Some(img) = self
                    .state
                    .images
                    .values()
                    .find(|i| i.repo_digests.contains(&wanted))
                {
                    return Ok(img.id.clone());
                }
            }
        }
        let normalized = match parsed {
            Ok(r) => r.repo_tag(),
            Err(_) => reference.to_string(),
        };
        if let Some(img) = self
            .state
            .images
            .values()
            .find(|i| i.repo_tags.contains(&normalized))
        {
            return Ok(img.id.clone());
        }
        let hex = reference.strip_prefix("sha256:").unwrap_or(reference);
        if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            let hits: Vec<&String> = self
                .state
                .images
                .keys()
                .filter(|id| id[7..].starts_with(hex))
                .collect();
            if let [one] = hits.as_slice() {
                return Ok((*one).clone());
            }
        }
        Err(EngineError::not_found(format!(
            "No such image: {normalized}"
        )))
    }

    fn container(&self, id: &str) -> &Container {
        &self.state.containers[id]
    }

    fn lower_layers(&self, image_id: &str) -> Vec<&Layer> {
        match self.image_of(image_id) {
            Some(img) => img.layers(),
            None => vec![],
        }
    }

    /// An image by id, also one deleted while a container still uses it.
    fn image_of(&self, id: &str) -> Option<&Image> {
        self.state
            .images
            .get(id)
            .or_else(|| self.state.detached_images.get(id))
    }

    /// Forget deleted images no container uses any more.
    fn drop_unused_detached(&mut self) {
        let used: std::collections::BTreeSet<&String> = self
            .state
            .containers
            .values()
            .map(|c| &c.image_id)
            .collect();
        let gone: Vec<String> = self
            .state
            .detached_images
            .keys()
            .filter(|id| !used.contains(id))
            .cloned()
            .collect();
        for id in gone {
            self.state.detached_images.remove(&id);
        }
    }

    fn flavor(&self, image_id: &str) -> ShellFlavor {
        self.image_of(image_id)
            .and_then(|i| i.base.as_deref())
            .and_then(catalog::find)
            .map_or(ShellFlavor::Busybox, |c| c.shell)
    }

    fn binds(c: &Container) -> Vec<(String, PathBuf)> {
        c.spec
            .mounts
            .iter()
            .filter(|m| m.kind == MountKind::Bind)
            .map(|m| (m.target.clone(), PathBuf::from(&m.source)))
            .collect()
    }

    /// Run a shell line (or an argv) inside a container against its filesystem; the clock
    /// moves on by whatever it slept.
    fn with_machine<R>(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Machine, &mut Container) -> R,
    ) -> R {
        let (result, slept) = self.with_machine_untimed(id, f);
        if slept > 0 {
            self.state.advance(slept as i64);
        }
        result
    }

    /// As [`Self::with_machine`], returning the seconds the program slept instead of
    /// advancing the clock by them.
    fn with_machine_untimed<R>(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Machine, &mut Container) -> R,
    ) -> (R, u64) {
        let now = self.state.now().timestamp();
        let mut c = self.state.containers.remove(id).expect("container exists");
        let flavor = self.flavor(&c.image_id);
        let lower: Vec<Layer> = self
            .lower_layers(&c.image_id)
            .into_iter()
            .cloned()
            .collect();
        let mut upper = std::mem::take(&mut c.rw);
        let (result, slept) = {
            let mut m = Machine {
                view: View {
                    lower: lower.iter().collect(),
                    upper: &mut upper,
                    binds: Self::binds(&c),
                    now,
                },
                flavor,
                hostname: c.hostname.clone(),
                tty: c.spec.tty,
                slept: 0,
                processes: c.process_list(),
                timeline: None,
                stdin_open: false,
                blocked: false,
                consumed: 0,
            };
            let r = f(&mut m, &mut c);
            (r, m.slept)
        };
        c.rw = upper;
        self.state.containers.insert(id.to_string(), c);
        (result, slept)
    }

    fn status_text(&self, c: &Container) -> String {
        let now = self.state.now();
        match c.status {
            ContainerStatus::Running => {
                format!("Up {}", human_duration(now - c.started_at.unwrap_or(now)))
            }
            ContainerStatus::Paused => format!(
                "Up {} (Paused)",
                human_duration(now - c.started_at.unwrap_or(now))
            ),
            ContainerStatus::Exited => format!(
                "Exited ({}) {} ago",
                c.exit_code,
                human_duration(now - c.finished_at.unwrap_or(now))
            ),
            ContainerStatus::Created => "Created".into(),
            ContainerStatus::Restarting => "Restarting".into(),
            ContainerStatus::Removing => "Removal In Progress".into(),
            ContainerStatus::Dead => "Dead".into(),
        }
    }

    fn summary(&self, c: &Container, size: bool) -> ContainerSummary {
        let image_size = self.image_of(&c.image_id).map_or(0, |i| i.size);
        let rw: u64 = fs::layer_size(&c.rw);
        let mut ports = Vec::new();
        for p in &c.spec.ports {
            // dockerd binds both address families when no host address is given.
            match &p.host_ip {
                Some(_) => ports.push(p.clone()),
                None => {
                    let hp = p.host_port.or(Some(32768 + p.container_port % 1000));
                    ports.push(PortBinding {
                        host_ip: Some("0.0.0.0".into()),
                        host_port: hp,
                        ..p.clone()
                    });
                    ports.push(PortBinding {
                        host_ip: Some("::".into()),
                        host_port: hp,
                        ..p.clone()
                    });
                }
            }
        }
        // Ports the image or `--expose` declares without a binding: `docker ps` shows them as
        // `80/tcp` next to the published ones.
        let image_exposed = self
            .state
            .images
            .get(&c.image_id)
            .map(|i| i.config.exposed_ports.clone())
            .unwrap_or_default();
        for key in image_exposed.iter().chain(&c.spec.exposed_ports) {
            let (port, protocol) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
            let Ok(container_port) = port.parse::<u16>() else {
                continue;
            };
            if !ports
                .iter()
                .any(|p| p.container_port == container_port && p.protocol == protocol)
            {
                ports.push(PortBinding {
                    host_ip: None,
                    host_port: None,
                    container_port,
                    protocol: protocol.to_string(),
                });
            }
        }
        if !c.status.is_running() {
            ports.clear();
        }
        ContainerSummary {
            id: c.id.clone(),
            name: c.name.clone(),
            // dockerd shows the name the container was made with while it still names the
            // container's image, and the image's id once it does not (retagged, deleted).
            image: if self.find_image(&c.spec.image).ok().as_deref() == Some(c.image_id.as_str()) {
                c.spec.image.clone()
            } else {
                c.image_id.clone()
            },
            image_id: c.image_id.clone(),
            command: list_command(&c.argv),
            created: c.created,
            status: c.status,
            status_text: self.status_text(c),
            exit_code: c.exit_code,
            ports,
            labels: c.spec.labels.clone(),
            mounts: c.spec.mounts.clone(),
            networks: vec!["bridge".into()],
            size_rw: size.then_some(rw),
            size_root_fs: size.then_some(rw + image_size),
        }
    }

    /// Start the main process; returns what it printed at once.
    fn start_process(&mut self, id: &str) -> EngineResult<ProcessOutput> {
        let now = self.tick();
        let c = self.container(id).clone();
        let argv = c.argv.clone();
        let program = argv.first().cloned().unwrap_or_default();
        let found = self.with_machine(id, |m, c| {
            let st = ShellState::new(&c.working_dir(), &c.env);
            m.which(&st, &program)
                .map(|p| (p.clone(), m.view.stat(&p).is_some_and(|n| n.is_dir())))
        });
        match found {
            None => {
                let c = self.state.containers.get_mut(id).expect("exists");
                c.exit_code = 127;
                let message = format!(
                    "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown"
                );
                if c.spec.auto_remove {
                    self.state.containers.remove(id);
                }
                return Err(EngineError::Runtime {
                    exit_code: 127,
                    message,
                });
            }
            Some((_, true)) => {
                let c = self.state.containers.get_mut(id).expect("exists");
                c.exit_code = 126;
                let message = format!(
                    "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"{program}\": permission denied: unknown"
                );
                return Err(EngineError::Runtime {
                    exit_code: 126,
                    message,
                });
            }
            Some(_) => {}
        }
        let base = program.rsplit('/').next().unwrap_or("").to_string();
        let service = self
            .state
            .images
            .get(&c.image_id)
            .and_then(|i| i.base.as_deref())
            .and_then(catalog::find)
            .and_then(|ci| ci.service.as_ref());
        let is_service = service.is_some_and(|s| {
            argv.iter()
                .any(|a| a.ends_with(s.program) || a.ends_with("entrypoint.sh"))
        });
        let shell_interactive = matches!(base.as_str(), "sh" | "bash" | "ash" | "dash")
            && !argv.iter().any(|a| a == "-c");
        {
            let c = self.state.containers.get_mut(id).expect("exists");
            c.status = ContainerStatus::Running;
            c.started_at = Some(now);
            c.finished_at = None;
            c.exit_code = 0;
        }
        if is_service {
            let lines: Vec<String> = service
                .map(|s| s.logs.iter().map(|l| format!("{l}\n")).collect())
                .unwrap_or_default();
            let c = self.state.containers.get_mut(id).expect("exists");
            c.process = Some(Proc::Service);
            let text: String = lines.concat();
            c.log(Stream::Stderr, &text, now);
            return Ok(ProcessOutput {
                stderr: text.into_bytes(),
                ..Default::default()
            });
        }
        if shell_interactive || (base == "cat" && argv.len() == 1) {
            let c = self.state.containers.get_mut(id).expect("exists");
            if !c.spec.open_stdin {
                // No stdin: the shell reads EOF and exits at once.
                c.finish(0, now);
                let out = ProcessOutput {
                    exit_code: Some(0),
                    ..Default::default()
                };
                self.after_exit(id);
                return Ok(out);
            }
            let state = ShellState::new(&c.working_dir(), &c.env);
            c.process = Some(if base == "cat" {
                Proc::Cat
            } else {
                Proc::Shell { state }
            });
            let prompt = self.prompt_for(id);
            return Ok(ProcessOutput {
                accepts_input: true,
                prompt,
                ..Default::default()
            });
        }
        if base == "sleep" {
            let secs: i64 = argv
                .get(1)
                .and_then(|a| a.parse::<f64>().ok())
                .map_or(0, |s| s.ceil() as i64);
            let c = self.state.containers.get_mut(id).expect("exists");
            c.process = Some(Proc::Sleep {
                until: now + Duration::seconds(secs),
                exit_code: 0,
            });
            return Ok(ProcessOutput::default());
        }
        // busybox httpd serves in the foreground with -f; without it, it forks into the
        // background and the main process ends at once (so does the container).
        if base == "httpd" && argv.iter().any(|a| a == "-f") {
            let c = self.state.containers.get_mut(id).expect("exists");
            c.process = Some(Proc::Server);
            return Ok(ProcessOutput::default());
        }
        if program == "/hello" {
            let c = self.state.containers.get_mut(id).expect("exists");
            c.log(Stream::Stdout, HELLO_TEXT, now);
            c.finish(0, now);
            self.after_exit(id);
            return Ok(ProcessOutput {
                stdout: HELLO_TEXT.as_bytes().to_vec(),
                exit_code: Some(0),
                ..Default::default()
            });
        }
        if c.spec.open_stdin {
            let base = self.container(id).rw.clone();
            let process = Proc::Script {
                input: Vec::new(),
                base,
                shown: (0, 0),
            };
            self.state.containers.get_mut(id).expect("exists").process = Some(process);
            if let Some(out) = self.feed_script(id, true, true)? {
                return Ok(out);
            }
            self.state.containers.get_mut(id).expect("exists").process = None;
        }
        // Anything else runs to completion, at once or, when it sleeps on the way
        // (`sh -c 'echo ready; sleep 3600'`), once its sleeps have run out: until then the
        // container is running, as a detached one shows in `ps`.
        let ((out, err, status, timeline), slept) = self.with_machine_untimed(id, |m, c| {
            let mut st = ShellState::new(&c.working_dir(), &c.env);
            m.timeline = Some(Vec::new());
            let r = m.program(&mut st, &argv, &[]);
            (
                r.stdout,
                r.stderr,
                r.status,
                m.timeline.take().unwrap_or_default(),
            )
        });
        let c = self.state.containers.get_mut(id).expect("exists");
        // Each command's output is logged when it ran: after the sleeps before it.
        for segment in &timeline {
            let at = now + Duration::seconds(segment.after as i64);
            c.log(
                Stream::Stdout,
                &String::from_utf8_lossy(&segment.stdout),
                at,
            );
            c.log(
                Stream::Stderr,
                &String::from_utf8_lossy(&segment.stderr),
                at,
            );
        }
        // A program run directly (no script) has no timeline: its output comes at once.
        if timeline.is_empty() {
            c.log(Stream::Stdout, &String::from_utf8_lossy(&out), now);
            c.log(Stream::Stderr, &String::from_utf8_lossy(&err), now);
        }
        if slept > 0 {
            c.process = Some(Proc::Sleep {
                until: now + Duration::seconds(slept as i64),
                exit_code: status as i64,
            });
            return Ok(ProcessOutput {
                stdout: out,
                stderr: err,
                ..Default::default()
            });
        }
        let end = self.state.now();
        let c = self.state.containers.get_mut(id).expect("exists");
        c.finish(status as i64, end);
        self.after_exit(id);
        Ok(ProcessOutput {
            stdout: out,
            stderr: err,
            exit_code: Some(status as i64),
            ..Default::default()
        })
    }

    /// Run a [`Proc::Script`] again from its base layer with all its input so far. While it
    /// still waits for input, returns what it printed since last time and keeps it running.
    /// Once it would finish: `None` when `first` (nothing was shown, so the caller runs it the
    /// ordinary way, sleeps and all), else its last output and exit status, the container
    /// exited.
    fn feed_script(
        &mut self,
        id: &str,
        first: bool,
        open: bool,
    ) -> EngineResult<Option<ProcessOutput>> {
        let Some(Proc::Script { input, base, shown }) = self.container(id).process.clone() else {
            return Ok(None);
        };
        let argv = self.container(id).argv.clone();
        let saved = std::mem::replace(
            &mut self.state.containers.get_mut(id).expect("exists").rw,
            base.clone(),
        );
        let ((r, blocked), _) = self.with_machine_untimed(id, |m, c| {
            let mut st = ShellState::new(&c.working_dir(), &c.env);
            m.stdin_open = open;
            let r = m.program(&mut st, &argv, &input);
            (r, m.blocked)
        });
        let now = self.state.now();
        let c = self.state.containers.get_mut(id).expect("exists");
        if !blocked && first {
            c.rw = saved;
            return Ok(None);
        }
        let new_out = r.stdout.get(shown.0..).unwrap_or_default().to_vec();
        let new_err = r.stderr.get(shown.1..).unwrap_or_default().to_vec();
        c.log(Stream::Stdout, &String::from_utf8_lossy(&new_out), now);
        c.log(Stream::Stderr, &String::from_utf8_lossy(&new_err), now);
        let mut out = ProcessOutput {
            stdout: new_out,
            stderr: new_err,
            ..Default::default()
        };
        if blocked {
            // Its changes so far are thrown away: the next run starts from `base` again.
            c.rw = base.clone();
            c.process = Some(Proc::Script {
                input,
                base,
                shown: (r.stdout.len(), r.stderr.len()),
            });
            out.accepts_input = true;
        } else {
            c.finish(r.status as i64, now);
            out.exit_code = Some(r.status as i64);
            self.after_exit(id);
        }
        Ok(Some(out))
    }

    /// A host port can be published by one running container at a time; dockerd refuses to
    /// start a second one (it stays `Created`).
    fn check_ports_free(&self, id: &str) -> EngineResult<()> {
        let c = self.container(id);
        for p in &c.spec.ports {
            let Some(port) = p.host_port else { continue };
            let ip = p.host_ip.clone().unwrap_or_else(|| "0.0.0.0".into());
            let taken = self.state.containers.values().any(|o| {
                o.id != c.id
                    && o.status.is_running()
                    && o.spec.ports.iter().any(|q| {
                        q.host_port == Some(port)
                            && q.protocol == p.protocol
                            && (q.host_ip.is_none()
                                || p.host_ip.is_none()
                                || q.host_ip == p.host_ip)
                    })
            });
            if taken {
                let endpoint =
                    catalog::hex(&sha2::Sha256::digest_str(&format!("endpoint {}", c.id)));
                return Err(EngineError::daemon(
                    500,
                    format!(
                        "driver failed programming external connectivity on endpoint {} ({endpoint}): Bind for {ip}:{port} failed: port is already allocated",
                        c.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `--rm` containers go away when their process ends.
    fn after_exit(&mut self, id: &str) {
        if self
            .state
            .containers
            .get(id)
            .is_some_and(|c| c.spec.auto_remove && c.status == ContainerStatus::Exited)
        {
            self.state.containers.remove(id);
        }
    }

    fn prompt_for(&mut self, id: &str) -> Option<String> {
        let c = self.state.containers.get(id)?;
        if !c.spec.tty {
            return None;
        }
        let st = match &c.process {
            Some(Proc::Shell { state }) => state.clone(),
            _ => return None,
        };
        Some(self.with_machine(id, |m, _| m.prompt(&st)))
    }

    fn exec_prompt(&mut self, exec_id: &str) -> Option<String> {
        let e = self.state.execs.get(exec_id)?.clone();
        if !e.spec.tty {
            return None;
        }
        let st = e.shell.clone()?;
        Some(self.with_machine(&e.container, |m, _| m.prompt(&st)))
    }

    /// An image's tags and digests, as dockerd's reference store lists them (lexically).
    fn references(&self, id: &str) -> Vec<String> {
        let img = &self.state.images[id];
        let mut refs: Vec<String> = img
            .repo_tags
            .iter()
            .chain(&img.repo_digests)
            .cloned()
            .collect();
        // dockerd's reference store sorts by the fully qualified name (lexicalRefs).
        crate::client::reference::daemon_order(&mut refs);
        refs
    }

    fn remove_reference(&mut self, id: &str, reference: &str) {
        if let Some(img) = self.state.images.get_mut(id) {
            img.repo_tags.retain(|t| t != reference);
            img.repo_digests.retain(|d| d != reference);
        }
    }

    /// dockerd's checkImageDeleteConflict.
    fn delete_conflict(&self, id: &str, mask: u8) -> Option<DeleteConflict> {
        if mask & CONFLICT_DEPENDENT_CHILD != 0
            && self
                .state
                .images
                .values()
                .any(|i| i.parent.as_deref() == Some(id))
        {
            return Some(DeleteConflict {
                hard: true,
                used: false,
                message: "image has dependent child images".into(),
            });
        }
        if mask & CONFLICT_RUNNING_CONTAINER != 0 {
            if let Some(c) = self
                .state
                .containers
                .values()
                .find(|c| c.image_id == id && c.status.is_running())
            {
                return Some(DeleteConflict {
                    hard: true,
                    used: true,
                    message: format!("image is being used by running container {}", short(&c.id)),
                });
            }
        }
        if mask & CONFLICT_ACTIVE_REFERENCE != 0 && !self.references(id).is_empty() {
            return Some(DeleteConflict {
                hard: false,
                used: false,
                message: "image is referenced in multiple repositories".into(),
            });
        }
        if mask & CONFLICT_STOPPED_CONTAINER != 0 {
            if let Some(c) = self
                .state
                .containers
                .values()
                .find(|c| c.image_id == id && !c.status.is_running())
            {
                return Some(DeleteConflict {
                    hard: false,
                    used: true,
                    message: format!("image is being used by stopped container {}", short(&c.id)),
                });
            }
        }
        None
    }

    /// dockerd's imageDeleteHelper: delete the image (its references, then itself, then the
    /// layers no other image uses) and, with `prune`, its parent when nothing else needs it.
    fn delete_image(
        &mut self,
        id: &str,
        records: &mut Vec<ImageDeleteItem>,
        force: bool,
        prune: bool,
        quiet: bool,
    ) -> EngineResult<()> {
        let mut mask = CONFLICT_HARD;
        if !force {
            mask |= CONFLICT_SOFT;
        }
        if let Some(c) = self.delete_conflict(id, mask) {
            let dangling = self.references(id).is_empty()
                && !self
                    .state
                    .images
                    .values()
                    .any(|i| i.parent.as_deref() == Some(id));
            if quiet && (!dangling || c.used) {
                return Ok(());
            }
            return Err(c.error(id));
        }
        let parent = self.state.images[id].parent.clone();
        for r in self.references(id) {
            self.remove_reference(id, &r);
            records.push(ImageDeleteItem::Untagged(r));
        }
        let img = self.state.images.remove(id).expect("found");
        records.push(ImageDeleteItem::Deleted(id.to_string()));
        if self.state.containers.values().any(|c| c.image_id == id) {
            self.state
                .detached_images
                .insert(id.to_string(), img.clone());
        }
        // A layer goes with the last image, or container, that has it.
        let in_use: std::collections::BTreeSet<String> = self
            .state
            .images
            .values()
            .chain(self.state.detached_images.values())
            .flat_map(Image::layer_chain)
            .collect();
        for layer in img.layer_chain().iter().rev() {
            if !in_use.contains(layer) {
                records.push(ImageDeleteItem::Deleted(format!("sha256:{layer}")));
            }
        }
        match parent {
            Some(p) if prune && self.state.images.contains_key(&p) => {
                self.delete_image(&p, records, false, true, true)
            }
            _ => Ok(()),
        }
    }

    fn image_ref_text(r: &ImageRef) -> String {
        r.repo_tag()
    }

    fn pull_catalog(
        &mut self,
        reference: &ImageRef,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<()> {
        if reference_domain_has_uppercase(reference) {
            return Err(EngineError::daemon(
                400,
                "invalid reference format: repository name must be lowercase",
            ));
        }
        let repo_tag = Self::image_ref_text(reference);
        let tag = reference.tag.clone().unwrap_or_else(|| "latest".into());
        let remote = crate::client::reference::remote_name(reference);
        let Some(entry) = (if reference.registry.is_none() {
            catalog::find(&repo_tag)
        } else {
            None
        }) else {
            if let Some(reg) = &reference.registry {
                return self.pull_registry(reg, reference, progress);
            }
            // What a learner pushed to the simulated Docker Hub can be pulled back.
            if let Some(id) = self.state.registry.get(&reference.repo_tag()).cloned() {
                return self.pull_stored(&id, reference, progress);
            }
            return Err(EngineError::not_found(format!(
                "pull access denied for {}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
                reference.repository
            )));
        };
        let ev = |id: Option<&str>, status: &str| ProgressEvent {
            id: id.map(str::to_string),
            status: Some(status.to_string()),
            ..Default::default()
        };
        progress(&ev(Some(&tag), &format!("Pulling from {remote}")));
        let id = catalog::image_id(entry.repo_tag);
        let present = self.state.images.contains_key(&id);
        if !present {
            let layered: Vec<_> = entry.history.iter().filter(|(_, s)| *s > 0).collect();
            for lid in catalog::layer_ids(entry.repo_tag, layered.len()) {
                progress(&ev(Some(&lid), "Pulling fs layer"));
                progress(&ev(Some(&lid), "Verifying Checksum"));
                progress(&ev(Some(&lid), "Download complete"));
                progress(&ev(Some(&lid), "Pull complete"));
            }
        }
        progress(&ev(
            None,
            &format!("Digest: {}", catalog::digest(entry.repo_tag)),
        ));
        let now = self.tick();
        let img = self
            .state
            .images
            .entry(id.clone())
            .or_insert_with(|| Image::from_catalog(entry, now));
        let had_tag = img.repo_tags.contains(&repo_tag);
        if !had_tag {
            img.repo_tags.push(repo_tag.clone());
        }
        // The tag moves to this image if another image held it.
        for other in self.state.images.values_mut().filter(|i| i.id != id) {
            other.repo_tags.retain(|t| *t != repo_tag);
        }
        let familiar = reference.to_string();
        if present && had_tag {
            progress(&ev(
                None,
                &format!("Status: Image is up to date for {familiar}"),
            ));
        } else {
            progress(&ev(
                None,
                &format!("Status: Downloaded newer image for {familiar}"),
            ));
        }
        Ok(())
    }

    /// A running `registry:2` container publishing the registry's port serves it.
    fn registry_running(&self, registry: &str) -> bool {
        let port: u16 = registry
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or(80);
        let host_ok = registry.starts_with("localhost") || registry.starts_with("127.0.0.1");
        host_ok
            && self.state.containers.values().any(|c| {
                c.status == ContainerStatus::Running
                    && c.spec.image.starts_with("registry")
                    && c.spec
                        .ports
                        .iter()
                        .any(|p| p.host_port == Some(port) && p.container_port == 5000)
            })
    }

    fn pull_registry(
        &mut self,
        registry: &str,
        reference: &ImageRef,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<()> {
        if !self.registry_running(registry) {
            return Err(EngineError::daemon(500, format!("Get \"http://{registry}/v2/\": dial tcp 127.0.0.1:{}: connect: connection refused", registry.rsplit(':').next().unwrap_or("80"))));
        }
        let key = reference.repo_tag();
        let Some(id) = self.state.registry.get(&key).cloned() else {
            return Err(EngineError::not_found(format!(
                "manifest for {key} not found: manifest unknown: manifest unknown"
            )));
        };
        self.pull_stored(&id, reference, progress)
    }

    /// Pull image `id`, which a push stored in a registry (local or the simulated hub).
    fn pull_stored(
        &mut self,
        id: &str,
        reference: &ImageRef,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<()> {
        let id = id.to_string();
        let key = reference.repo_tag();
        let tag = reference.tag.clone().unwrap_or_else(|| "latest".into());
        let ev = |id: Option<&str>, status: &str| ProgressEvent {
            id: id.map(str::to_string),
            status: Some(status.to_string()),
            ..Default::default()
        };
        progress(&ev(
            Some(&tag),
            &format!("Pulling from {}", reference.repository),
        ));
        let had = self
            .state
            .images
            .get(&id)
            .is_some_and(|i| i.repo_tags.contains(&key));
        if !self.state.images.contains_key(&id) {
            let chain = self
                .state
                .registry_images
                .get(&id)
                .map(Image::layer_chain)
                .unwrap_or_default();
            let local: std::collections::BTreeSet<String> = self
                .state
                .images
                .values()
                .flat_map(Image::layer_chain)
                .collect();
            let (present, missing): (Vec<&String>, Vec<&String>) =
                chain.iter().partition(|l| local.contains(*l));
            for l in &present {
                progress(&ev(Some(short(l)), "Already exists"));
            }
            for l in &missing {
                progress(&ev(Some(short(l)), "Pulling fs layer"));
            }
            for l in &missing {
                progress(&ev(Some(short(l)), "Verifying Checksum"));
                progress(&ev(Some(short(l)), "Download complete"));
            }
            for l in &missing {
                progress(&ev(Some(short(l)), "Pull complete"));
            }
        }
        let digest = format!("sha256:{}", catalog::hex(&sha2::Sha256::digest_str(&id)));
        progress(&ev(None, &format!("Digest: {digest}")));
        let now = self.tick();
        let img = match self.state.images.get_mut(&id) {
            Some(i) => i,
            None => {
                let stored = self
                    .state
                    .registry_images
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| EngineError::Other("registry lost the image".into()))?;
                self.state.images.entry(id.clone()).or_insert(Image {
                    created: stored.created.min(now),
                    ..stored
                })
            }
        };
        if !img.repo_tags.contains(&key) {
            img.repo_tags.push(key.clone());
        }
        let repo_digest = format!("{}@{digest}", reference.full_repository());
        if !img.repo_digests.contains(&repo_digest) {
            img.repo_digests.push(repo_digest);
        }
        // The tag moves to the pulled image if another held it.
        for other in self.state.images.values_mut().filter(|i| i.id != id) {
            other.repo_tags.retain(|t| *t != key);
        }
        progress(&ev(
            None,
            &format!(
                "Status: {} for {reference}",
                if had {
                    "Image is up to date"
                } else {
                    "Downloaded newer image"
                }
            ),
        ));
        Ok(())
    }
}

/// sha256 of text, for stable digests.
trait DigestStr {
    fn digest_str(s: &str) -> Vec<u8>;
}
impl DigestStr for sha2::Sha256 {
    fn digest_str(s: &str) -> Vec<u8> {
        use sha2::Digest;
        sha2::Sha256::digest(s.as_bytes()).to_vec()
    }
}

impl Default for SimEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine for SimEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Sim
    }

    fn now(&self) -> Timestamp {
        self.state.now()
    }

    fn version(&mut self) -> EngineResult<VersionInfo> {
        Ok(VersionInfo {
            version: "28.2.2".into(),
            api_version: "1.50".into(),
            min_api_version: "1.24".into(),
            git_commit: "docktutor-sim".into(),
            go_version: "go1.24.3".into(),
            os: "linux".into(),
            arch: "amd64".into(),
            kernel_version: "6.1.0-docktutor".into(),
            build_time: "Fri May 30 12:07:14 2025".into(),
            components: vec![
                ("containerd".into(), "1.7.27".into(), "simulated".into()),
                ("runc".into(), "1.2.5".into(), "simulated".into()),
                ("docker-init".into(), "0.19.0".into(), "de40ad0".into()),
            ],
        })
    }

    fn info(&mut self) -> EngineResult<SystemInfo> {
        self.reap();
        let cs: Vec<&Container> = self.state.containers.values().collect();
        Ok(SystemInfo {
            containers: cs.len() as u64,
            running: cs
                .iter()
                .filter(|c| c.status == ContainerStatus::Running)
                .count() as u64,
            paused: cs
                .iter()
                .filter(|c| c.status == ContainerStatus::Paused)
                .count() as u64,
            stopped: cs.iter().filter(|c| !c.status.is_running()).count() as u64,
            images: self.state.images.len() as u64,
            server_version: "28.2.2".into(),
            storage_driver: "overlay2".into(),
            docker_root_dir: "/var/lib/docker".into(),
            operating_system: "docktutor simulated engine".into(),
            os_type: "linux".into(),
            architecture: "x86_64".into(),
            cpus: 2,
            memory: 25_000_000_000,
            name: "docktutor".into(),
            kernel_version: "6.1.0-docktutor".into(),
            runtimes: vec!["io.containerd.runc.v2".into(), "runc".into()],
            default_runtime: "runc".into(),
            registry: "https://index.docker.io/v1/".into(),
        })
    }

    fn image_list(&mut self, all: bool) -> EngineResult<Vec<ImageSummary>> {
        self.reap();
        // Like dockerd, hide untagged images that are parents of others (a build's
        // intermediate steps) unless `-a` asks for them.
        let parents: std::collections::BTreeSet<&String> = self
            .state
            .images
            .values()
            .filter_map(|i| i.parent.as_ref())
            .collect();
        let ids: Vec<String> = self
            .state
            .images
            .values()
            .filter(|i| all || !i.repo_tags.is_empty() || !parents.contains(&i.id))
            .map(|i| i.id.clone())
            .collect();
        Ok(ids
            .iter()
            .map(|id| {
                self.state.images[id].summary(
                    self.state
                        .containers
                        .values()
                        .filter(|c| c.image_id == *id)
                        .count() as i64,
                )
            })
            .collect())
    }

    fn image_inspect(&mut self, reference: &str) -> EngineResult<ImageDetails> {
        let id = self.find_image(reference)?;
        let img = &self.state.images[&id];
        Ok(ImageDetails {
            summary: img.summary(-1),
            config: img.config.clone(),
            raw: img.inspect_json(),
        })
    }

    fn image_history(&mut self, reference: &str) -> EngineResult<Vec<HistoryEntry>> {
        let id = self.find_image(reference)?;
        Ok(self.state.images[&id].history_entries())
    }

    fn image_pull(
        &mut self,
        reference: &ImageRef,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<()> {
        self.pull_catalog(reference, progress)
    }

    fn image_push(
        &mut self,
        reference: &ImageRef,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<()> {
        let key = reference.repo_tag();
        let status = |text: String| ProgressEvent {
            status: Some(text),
            ..Default::default()
        };
        let layer = |id: &str, text: &str| ProgressEvent {
            id: Some(id.to_string()),
            status: Some(text.to_string()),
            ..Default::default()
        };
        let failure = |text: String| ProgressEvent {
            error: Some(text),
            ..Default::default()
        };
        // dockerd streams this line first, then finds out what there is to push.
        progress(&status(format!(
            "The push refers to repository [{}]",
            push_repo(reference)
        )));
        let Ok(id) = self.find_image(&key) else {
            progress(&failure(format!(
                "An image does not exist locally with the tag: {}",
                reference.full_repository()
            )));
            return Ok(());
        };
        let chain = self.state.images[&id].layer_chain();
        match &reference.registry {
            Some(reg) if self.registry_running(reg) => {}
            Some(reg) => {
                progress(&failure(format!(
                    "Get \"http://{reg}/v2/\": dial tcp 127.0.0.1:{}: connect: connection refused",
                    reg.rsplit(':').next().unwrap_or("80")
                )));
                return Ok(());
            }
            None => {
                if !reference.repository.contains('/')
                    || !self
                        .state
                        .logged_in
                        .as_ref()
                        .is_some_and(|u| reference.repository.starts_with(&format!("{u}/")))
                {
                    if let Some(top) = chain.last() {
                        progress(&layer(short(top), "Preparing"));
                    }
                    progress(&failure(
                        "denied: requested access to the resource is denied".into(),
                    ));
                    return Ok(());
                }
            }
        }
        let repo = reference.full_repository();
        let host = reference.registry.clone().unwrap_or_default();
        // Top layer first, as dockerd lists them.
        for l in chain.iter().rev() {
            progress(&layer(short(l), "Preparing"));
        }
        for l in chain.iter().rev() {
            let holders = self
                .state
                .registry_blobs
                .entry(short(l).to_string())
                .or_default();
            let same_registry = |r: &&String| r.split_once('/').is_some_and(|(h, _)| h == host);
            let text = if holders.contains(&repo) {
                "Layer already exists".to_string()
            } else if let Some(other) = holders.iter().rev().find(same_registry) {
                let name = other.split_once('/').map_or(other.as_str(), |(_, r)| r);
                format!("Mounted from {name}")
            } else {
                "Pushed".to_string()
            };
            holders.retain(|r| *r != repo);
            holders.push(repo.clone());
            progress(&layer(short(l), &text));
        }
        let tag = reference.tag.clone().unwrap_or_else(|| "latest".into());
        let digest = format!("sha256:{}", catalog::hex(&sha2::Sha256::digest_str(&id)));
        // A schema 2 manifest: about 319 bytes and 208 more per layer.
        let size = 319 + 208 * chain.len();
        progress(&status(format!("{tag}: digest: {digest} size: {size}")));
        let img = self.state.images.get_mut(&id).expect("found");
        let repo_digest = format!("{repo}@{digest}");
        if !img.repo_digests.contains(&repo_digest) {
            img.repo_digests.push(repo_digest);
        }
        let stored = Image {
            repo_tags: vec![],
            repo_digests: vec![],
            ..img.clone()
        };
        self.state.registry.insert(key, id.clone());
        self.state.registry_images.insert(id, stored);
        Ok(())
    }

    fn image_tag(&mut self, source: &str, target: &ImageRef) -> EngineResult<()> {
        // The CLI takes an uppercase first component for a registry (`A/b`); dockerd's own
        // parser does not.
        if reference_domain_has_uppercase(target) {
            return Err(EngineError::daemon(
                400,
                "invalid reference format: repository name must be lowercase",
            ));
        }
        let id = self.find_image(source)?;
        let tag = target.repo_tag();
        self.tick();
        for img in self.state.images.values_mut() {
            img.repo_tags.retain(|t| *t != tag);
        }
        let img = self.state.images.get_mut(&id).expect("found");
        img.repo_tags.push(tag);
        Ok(())
    }

    fn image_remove(&mut self, reference: &str, force: bool) -> EngineResult<Vec<ImageDeleteItem>> {
        // dockerd's ImageDelete (daemon/images/image_delete.go), step by step.
        self.drop_unused_detached();
        let id = self.find_image(reference)?;
        self.tick();
        let mut records = Vec::new();
        let refs = self.references(&id);
        let hex = reference.strip_prefix("sha256:").unwrap_or(reference);
        let by_id = !hex.is_empty() && id[7..].starts_with(hex);
        let mut removed_repository_ref = false;
        if !by_id {
            if !force && is_single_reference(&refs) {
                if let Some(c) = self.state.containers.values().find(|c| c.image_id == id) {
                    return Err(EngineError::conflict(format!(
                        "conflict: unable to remove repository reference \"{reference}\" (must force) - container {} is using its referenced image {}",
                        short(&c.id),
                        short(&id)
                    )));
                }
            }
            let named = crate::client::reference::parse_normalized(reference)
                .map(|r| match &r.digest {
                    Some(d) => format!("{}@{d}", r.full_repository()),
                    None => r.repo_tag(),
                })
                .unwrap_or_else(|_| reference.to_string());
            self.remove_reference(&id, &named);
            records.push(ImageDeleteItem::Untagged(named.clone()));
            // A tag went and no other tag of its repository is left: its digests go too.
            if !named.contains('@') {
                let repo = reference_name(&named);
                let left = self.references(&id);
                if !left
                    .iter()
                    .any(|r| !r.contains('@') && reference_name(r) == repo)
                {
                    for d in left
                        .iter()
                        .filter(|r| r.contains('@') && reference_name(r) == repo)
                    {
                        self.remove_reference(&id, d);
                        records.push(ImageDeleteItem::Untagged(d.clone()));
                    }
                }
            }
            if !self.references(&id).is_empty() {
                return Ok(records);
            }
            removed_repository_ref = true;
        } else if is_single_reference(&refs) {
            let mut mask = CONFLICT_HARD;
            if !force {
                mask |= CONFLICT_SOFT & !CONFLICT_ACTIVE_REFERENCE;
            }
            if let Some(c) = self.delete_conflict(&id, mask) {
                return Err(c.error(&id));
            }
            for r in refs {
                self.remove_reference(&id, &r);
                records.push(ImageDeleteItem::Untagged(r));
            }
        }
        self.delete_image(&id, &mut records, force, true, removed_repository_ref)?;
        Ok(records)
    }

    fn image_prune(&mut self, all: bool) -> EngineResult<PruneReport> {
        // dockerd's ImagesPrune: the candidates are the images without children (all images
        // with `-a`) that are tagged or have no children; each is deleted as `docker rmi`
        // would, without force, its parents going with it; conflicts are skipped.
        self.tick();
        self.drop_unused_detached();
        let mut layer_sizes: std::collections::BTreeMap<String, u64> = Default::default();
        for img in self.state.images.values() {
            for (layer, size) in img.sized_layer_chain() {
                layer_sizes.insert(format!("sha256:{layer}"), size);
            }
        }
        let has_children = |s: &Self, id: &str| {
            s.state
                .images
                .values()
                .any(|i| i.parent.as_deref() == Some(id))
        };
        let candidates: Vec<String> = self
            .state
            .images
            .keys()
            .filter(|id| {
                let children = has_children(self, id);
                // Heads only, unless `-a`; an untagged parent is never a candidate itself.
                !children || (all && !self.references(id).is_empty())
            })
            .cloned()
            .collect();
        let mut records = Vec::new();
        for id in candidates {
            if !self.state.images.contains_key(&id) {
                continue;
            }
            let refs = self.references(&id);
            if refs.is_empty() {
                if let Ok(r) = self.image_remove(&id, false) {
                    records.extend(r);
                }
            } else if all || refs.iter().all(|r| r.contains('@')) {
                for r in refs {
                    if let Ok(r) = self.image_remove(&r, false) {
                        records.extend(r);
                    }
                }
            }
        }
        let mut report = PruneReport::default();
        for r in records {
            match r {
                ImageDeleteItem::Untagged(t) => report.deleted.push(format!("untagged: {t}")),
                ImageDeleteItem::Deleted(d) => {
                    report.space_reclaimed += layer_sizes.get(&d).copied().unwrap_or(0);
                    report.deleted.push(format!("deleted: {d}"));
                }
            }
        }
        Ok(report)
    }

    fn container_create(&mut self, spec: &ContainerSpec) -> EngineResult<CreatedContainer> {
        let image_id = self.find_image(&spec.image)?;
        let name = spec
            .name
            .as_deref()
            .map(container_name::for_run)
            .transpose()?;
        if let Some(name) = name {
            if let Some(c) = self.state.containers.values().find(|c| c.name == *name) {
                return Err(EngineError::conflict(format!(
                    "Conflict. The container name \"/{name}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.",
                    c.id
                )));
            }
        }
        if let Some(p) = &spec.restart_policy {
            let name = p.split(':').next().unwrap_or("");
            if !matches!(name, "no" | "always" | "unless-stopped" | "on-failure") {
                return Err(EngineError::daemon(
                    400,
                    format!("invalid restart policy '{p}'"),
                ));
            }
        }
        if spec.gpus.is_some() {
            return Err(EngineError::daemon(
                500,
                "could not select device driver \"\" with capabilities: [[gpu]]",
            ));
        }
        let now = self.tick();
        let id = self.state.new_id();
        let name = match name {
            Some(n) => n.to_string(),
            None => {
                let taken: Vec<String> = self
                    .state
                    .containers
                    .values()
                    .map(|c| c.name.clone())
                    .collect();
                self.state.new_name(&taken)
            }
        };
        let img = &self.state.images[&image_id];
        let entry = spec
            .entrypoint
            .clone()
            .or(img.config.entrypoint.clone())
            .unwrap_or_default();
        let cmd = if spec.cmd.is_empty() && spec.entrypoint.is_none() {
            img.config.cmd.clone().unwrap_or_default()
        } else {
            spec.cmd.clone()
        };
        let argv: Vec<String> = entry.into_iter().chain(cmd).collect();
        if argv.is_empty() {
            // An image without CMD or ENTRYPOINT (an import) and nothing on the command line.
            return Err(EngineError::daemon(400, "No command specified"));
        }
        let mut env = img.config.env.clone();
        for e in &spec.env {
            let key = e.split('=').next().unwrap_or("");
            env.retain(|x| x.split('=').next() != Some(key));
            env.push(e.clone());
        }
        let hostname = spec
            .hostname
            .clone()
            .unwrap_or_else(|| id[..12].to_string());
        let workdir = spec
            .working_dir
            .clone()
            .unwrap_or_else(|| img.config.working_dir.clone());
        // Bind-mount sources are created on the host when missing, as `-v` does.
        for m in spec.mounts.iter().filter(|m| m.kind == MountKind::Bind) {
            if std::fs::create_dir_all(&m.source).is_err() && !Path::new(&m.source).exists() {
                return Err(EngineError::daemon(400, format!("invalid mount config for type \"bind\": bind source path does not exist: {}", m.source)));
            }
        }
        let c = Container {
            id: id.clone(),
            name,
            image_id,
            spec: spec.clone(),
            argv,
            env,
            workdir,
            hostname,
            created: now,
            status: ContainerStatus::Created,
            exit_code: 0,
            started_at: None,
            finished_at: None,
            rw: Layer::new(),
            process: None,
            logs: Vec::new(),
        };
        self.state.containers.insert(id.clone(), c);
        Ok(CreatedContainer {
            id,
            warnings: vec![],
        })
    }

    fn container_list(&mut self, all: bool, size: bool) -> EngineResult<Vec<ContainerSummary>> {
        self.reap();
        let mut rows: Vec<ContainerSummary> = self
            .state
            .containers
            .values()
            .filter(|c| all || c.status.is_running())
            .map(|c| self.summary(c, size))
            .collect();
        // Newest first, as dockerd lists them (clients keep this order for equal seconds).
        rows.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.id.cmp(&a.id)));
        Ok(rows)
    }

    fn container_inspect(&mut self, reference: &str) -> EngineResult<ContainerDetails> {
        self.reap();
        let id = self.find_container(reference)?;
        let c = self.container(&id);
        let summary = self.summary(c, false);
        let raw = c.inspect_json(&summary);
        Ok(ContainerDetails {
            summary,
            started_at: c.started_at,
            finished_at: c.finished_at,
            tty: c.spec.tty,
            open_stdin: c.spec.open_stdin,
            hostname: c.hostname.clone(),
            raw,
        })
    }

    fn container_start(&mut self, reference: &str, _attach: bool) -> EngineResult<ProcessOutput> {
        self.reap();
        let id = self.find_container(reference)?;
        match self.container(&id).status {
            ContainerStatus::Running | ContainerStatus::Paused => {
                return Ok(ProcessOutput::default())
            }
            _ => {}
        }
        self.check_ports_free(&id)?;
        self.start_process(&id)
    }

    fn container_stop(&mut self, reference: &str, timeout_secs: Option<i64>) -> EngineResult<()> {
        self.reap();
        let id = self.find_container(reference)?;
        let c = self.container(&id);
        if !c.status.is_running() {
            return Ok(());
        }
        // PID 1 gets no default signal handlers: shells, cat and sleep ignore SIGTERM and are
        // killed after the grace period.
        let ignores_term = matches!(
            c.process,
            Some(Proc::Shell { .. })
                | Some(Proc::Sleep { .. })
                | Some(Proc::Cat)
                | Some(Proc::Script { .. })
                | Some(Proc::Server)
        );
        let code = if ignores_term {
            self.state.advance(timeout_secs.unwrap_or(10).max(0));
            137
        } else {
            143
        };
        let now = self.tick();
        self.state
            .containers
            .get_mut(&id)
            .expect("exists")
            .finish(code, now);
        self.after_exit(&id);
        Ok(())
    }

    fn container_restart(
        &mut self,
        reference: &str,
        timeout_secs: Option<i64>,
    ) -> EngineResult<()> {
        self.container_stop(reference, timeout_secs)?;
        let id = self.find_container(reference)?;
        self.start_process(&id).map(|_| ())
    }

    fn container_kill(&mut self, reference: &str, signal: &str) -> EngineResult<()> {
        self.reap();
        let id = self.find_container(reference)?;
        let c = self.container(&id);
        if !c.status.is_running() {
            return Err(EngineError::conflict(format!(
                "Cannot kill container: {reference}: Container {id} is not running"
            )));
        }
        let sig = signal.trim_start_matches("SIG").to_ascii_uppercase();
        let code = match sig.as_str() {
            "KILL" | "9" => 137,
            "TERM" | "15"
                if matches!(
                    c.process,
                    Some(Proc::Shell { .. })
                        | Some(Proc::Sleep { .. })
                        | Some(Proc::Cat)
                        | Some(Proc::Script { .. })
                ) =>
            {
                return Ok(())
            }
            "TERM" | "15" => 143,
            "INT" | "2" => 130,
            "HUP" | "1" => 129,
            _ => 137,
        };
        let now = self.tick();
        self.state
            .containers
            .get_mut(&id)
            .expect("exists")
            .finish(code, now);
        self.after_exit(&id);
        Ok(())
    }

    fn container_pause(&mut self, reference: &str) -> EngineResult<()> {
        let id = self.find_container(reference)?;
        self.tick();
        let c = self.state.containers.get_mut(&id).expect("exists");
        match c.status {
            ContainerStatus::Running => {
                c.status = ContainerStatus::Paused;
                Ok(())
            }
            ContainerStatus::Paused => Err(EngineError::conflict(format!(
                "Container {id} is already paused"
            ))),
            _ => Err(EngineError::conflict(format!(
                "Container {id} is not running"
            ))),
        }
    }

    fn container_unpause(&mut self, reference: &str) -> EngineResult<()> {
        let id = self.find_container(reference)?;
        self.tick();
        let c = self.state.containers.get_mut(&id).expect("exists");
        if c.status != ContainerStatus::Paused {
            return Err(EngineError::conflict(format!(
                "Container {id} is not paused"
            )));
        }
        c.status = ContainerStatus::Running;
        Ok(())
    }

    fn container_remove(
        &mut self,
        reference: &str,
        force: bool,
        _volumes: bool,
    ) -> EngineResult<()> {
        self.reap();
        let id = self.find_container(reference)?;
        let c = self.container(&id);
        if c.status.is_running() && !force {
            return Err(EngineError::conflict(format!(
                "You cannot remove a running container {id}. Stop the container before attempting removal or force remove"
            )));
        }
        self.tick();
        self.state.containers.remove(&id);
        self.state.execs.retain(|_, e| e.container != id);
        Ok(())
    }

    fn container_wait(&mut self, reference: &str) -> EngineResult<i64> {
        self.reap();
        let id = self.find_container(reference)?;
        let c = self.container(&id);
        match (&c.status, &c.process) {
            (s, _) if !s.is_running() => Ok(c.exit_code),
            (_, Some(Proc::Sleep { until, .. })) => {
                let wait = seconds_until(*until, self.state.now());
                self.state.advance(wait);
                self.reap();
                Ok(self.state.containers.get(&id).map_or(0, |c| c.exit_code))
            }
            _ => Err(EngineError::NotSupported(
                "waiting for a container that never exits on its own".into(),
            )),
        }
    }

    fn container_attach(&mut self, reference: &str) -> EngineResult<ProcessOutput> {
        self.reap();
        let id = self.find_container(reference)?;
        let c = self.container(&id);
        let accepts = c.spec.open_stdin
            && matches!(
                c.process,
                Some(Proc::Shell { .. }) | Some(Proc::Cat) | Some(Proc::Script { .. })
            );
        // An attached client sees what the process prints from now on, until it ends.
        let now = self.state.now();
        let mut to_come = (Vec::new(), Vec::new());
        for l in c.logs.iter().filter(|l| l.time > now) {
            match l.stream {
                Stream::Stderr if !c.spec.tty => to_come.1.extend(l.text.as_bytes()),
                _ => to_come.0.extend(l.text.as_bytes()),
            }
        }
        let prompt = self.prompt_for(&id);
        Ok(ProcessOutput {
            stdout: to_come.0,
            stderr: to_come.1,
            accepts_input: accepts,
            prompt,
            ..Default::default()
        })
    }

    fn container_logs(
        &mut self,
        reference: &str,
        options: &LogOptions,
    ) -> EngineResult<Vec<LogLine>> {
        self.reap();
        let id = self.find_container(reference)?;
        if options.follow {
            if let Some(Proc::Sleep { until, .. }) = &self.container(&id).process {
                let wait = seconds_until(*until, self.state.now());
                self.state.advance(wait);
                self.reap();
            }
        }
        let c = self
            .state
            .containers
            .get(&id)
            .ok_or_else(|| EngineError::not_found(format!("No such container: {reference}")))?;
        // Lines a sleeping script prints later are not there yet.
        let now = self.state.now();
        let mut lines: Vec<LogLine> = c.logs.iter().filter(|l| l.time <= now).cloned().collect();
        if c.spec.tty {
            for l in &mut lines {
                l.stream = Stream::Stdout;
            }
        }
        if let Some(n) = options.tail {
            let skip = lines.len().saturating_sub(n);
            lines.drain(..skip);
        }
        Ok(lines)
    }

    fn container_top(&mut self, reference: &str) -> EngineResult<ProcessTable> {
        let id = self.find_container(reference)?;
        let c = self.container(&id);
        if !c.status.is_running() {
            return Err(EngineError::conflict(format!(
                "Container {id} is not running"
            )));
        }
        let start = c
            .started_at
            .unwrap_or(self.state.now())
            .format("%H:%M")
            .to_string();
        let rows = c
            .process_list()
            .into_iter()
            .enumerate()
            .map(|(i, (pid, cmd))| {
                vec![
                    "root".into(),
                    (4000 + pid).to_string(),
                    if i == 0 { "3980".into() } else { "4001".into() },
                    "0".into(),
                    start.clone(),
                    if c.spec.tty {
                        "pts/0".into()
                    } else {
                        "?".into()
                    },
                    "00:00:00".into(),
                    cmd,
                ]
            })
            .collect();
        Ok(ProcessTable {
            titles: ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows,
        })
    }

    fn container_changes(&mut self, reference: &str) -> EngineResult<Vec<FileChange>> {
        let id = self.find_container(reference)?;
        let c = self.container(&id);
        let lower = self.lower_layers(&c.image_id);
        Ok(fs::changes(&lower, &c.rw)
            .into_iter()
            .map(|(k, path)| FileChange {
                kind: match k {
                    'A' => ChangeKind::Added,
                    'D' => ChangeKind::Deleted,
                    _ => ChangeKind::Changed,
                },
                path,
            })
            .collect())
    }

    fn container_rename(&mut self, reference: &str, new_name: &str) -> EngineResult<()> {
        let id = self.find_container(reference)?;
        let new_name = container_name::for_rename(new_name)?;
        if let Some(other) = self.state.containers.values().find(|c| c.name == new_name) {
            return Err(EngineError::conflict(format!(
                "Error when allocating new name: Conflict. The container name \"/{new_name}\" is already in use by container \"{}\". You have to remove (or rename) that container to be able to reuse that name.",
                other.id
            )));
        }
        self.tick();
        self.state.containers.get_mut(&id).expect("exists").name = new_name.to_string();
        Ok(())
    }

    fn container_commit(
        &mut self,
        reference: &str,
        options: &CommitOptions,
    ) -> EngineResult<String> {
        let id = self.find_container(reference)?;
        let now = self.tick();
        let c = self.container(&id).clone();
        let parent = self
            .image_of(&c.image_id)
            .cloned()
            .ok_or_else(|| EngineError::not_found(format!("No such image: {}", c.image_id)))?;
        let mut config = parent.config.clone();
        config.cmd = Some(c.argv.clone());
        config.env = c.env.clone();
        for change in &options.changes {
            apply_change(&mut config, change);
        }
        let new_id = self.state.new_image_id();
        // dockerd counts the bytes of the files in the layer, nothing for folders: a commit of
        // `echo "hello world" > /tmp/hello.txt` is a 12-byte layer.
        let size = fs::layer_size(&c.rw);
        let mut history = parent.history.clone();
        history.push(state::HistoryItem {
            id: Some(new_id.clone()),
            created: now,
            created_by: c.argv.join(" "),
            size,
            comment: options.message.clone().unwrap_or_default(),
        });
        let mut layers = parent.extra_layers.clone();
        layers.push(c.rw.clone());
        let img = Image {
            id: new_id.clone(),
            repo_tags: vec![],
            repo_digests: vec![],
            created: now,
            base: parent.base.clone(),
            extra_layers: layers,
            config,
            history,
            size: parent.size + size,
            parent: Some(parent.id.clone()),
            comment: options.message.clone().unwrap_or_default(),
        };
        if let Some(r) = &options.reference {
            let tag = r.repo_tag();
            for other in self.state.images.values_mut() {
                other.repo_tags.retain(|t| *t != tag);
            }
            self.state.images.insert(
                new_id.clone(),
                Image {
                    repo_tags: vec![tag],
                    ..img
                },
            );
        } else {
            self.state.images.insert(new_id.clone(), img);
        }
        Ok(new_id)
    }

    fn container_prune(&mut self) -> EngineResult<PruneReport> {
        self.reap();
        self.tick();
        let victims: Vec<String> = self
            .state
            .containers
            .values()
            .filter(|c| !c.status.is_running())
            .map(|c| c.id.clone())
            .collect();
        let mut report = PruneReport::default();
        for id in victims {
            let c = self.state.containers.remove(&id).expect("listed");
            report.space_reclaimed += fs::layer_size(&c.rw);
            report.deleted.push(id);
        }
        Ok(report)
    }

    fn container_stats(&mut self, reference: &str) -> EngineResult<ContainerStats> {
        let id = self.find_container(reference)?;
        let running = self.container(&id).status.is_running();
        Ok(ContainerStats {
            cpu_percent: 0.0,
            memory_usage: if running {
                1_048_576 + self.container(&id).rw.len() as u64 * 4096
            } else {
                0
            },
            memory_limit: 25_000_000_000,
            net_rx: if running { 1_046 } else { 0 },
            net_tx: 0,
            block_read: 0,
            block_write: 0,
            pids: if running {
                self.container(&id).process_list().len() as u64
            } else {
                0
            },
        })
    }

    fn path_stat(&mut self, reference: &str, path: &str) -> EngineResult<PathStat> {
        let id = self.find_container(reference)?;
        let name = self.container(&id).name.clone();
        let p = fs::normalize("/", path);
        let node = self.with_machine(&id, |m, _| m.view.stat(&p));
        match node {
            Some(n) => Ok(PathStat {
                name: fs::base(&p).to_string(),
                size: match n {
                    fs::Node::File { size, .. } => size,
                    _ => 4096,
                },
                mode: match n {
                    fs::Node::Dir { mode, .. } => 0o040000 | mode,
                    fs::Node::File { mode, .. } => 0o100000 | mode,
                    fs::Node::Symlink { .. } => 0o120777,
                },
                mtime: String::new(),
                link_target: String::new(),
            }),
            None => Err(EngineError::not_found(format!(
                "Could not find the file {path} in container {name}"
            ))),
        }
    }

    fn archive_get(&mut self, reference: &str, path: &str) -> EngineResult<Vec<u8>> {
        let id = self.find_container(reference)?;
        let name = self.container(&id).name.clone();
        let p = fs::normalize("/", path);
        let r: Result<Vec<u8>, String> = self.with_machine(&id, |m, _| {
            let mut builder = tar::Builder::new(Vec::new());
            fn add(
                m: &Machine,
                b: &mut tar::Builder<Vec<u8>>,
                path: &str,
                name: &str,
            ) -> Result<(), String> {
                match m.view.stat(path) {
                    Some(fs::Node::Dir { mode, .. }) => {
                        let mut h = tar::Header::new_gnu();
                        h.set_entry_type(tar::EntryType::Directory);
                        h.set_mode(mode);
                        h.set_size(0);
                        h.set_cksum();
                        b.append_data(&mut h, format!("{name}/"), std::io::empty())
                            .map_err(|e| e.to_string())?;
                        for c in m.view.list(path).map_err(|_| "list".to_string())? {
                            add(
                                m,
                                b,
                                &format!("{}/{c}", path.trim_end_matches('/')),
                                &format!("{name}/{c}"),
                            )?;
                        }
                        Ok(())
                    }
                    Some(_) => {
                        let data = m.view.read(path).map_err(|_| "read".to_string())?;
                        let mut h = tar::Header::new_gnu();
                        h.set_mode(0o644);
                        h.set_size(data.len() as u64);
                        h.set_cksum();
                        b.append_data(&mut h, name, data.as_slice())
                            .map_err(|e| e.to_string())
                    }
                    None => Err("missing".into()),
                }
            }
            add(
                m,
                &mut builder,
                &p,
                fs::base(&p)
                    .trim_start_matches('/')
                    .to_string()
                    .as_str()
                    .or_root(),
            )?;
            builder.into_inner().map_err(|e| e.to_string())
        });
        r.map_err(|_| {
            EngineError::not_found(format!(
                "Could not find the file {path} in container {name}"
            ))
        })
    }

    fn archive_put(&mut self, reference: &str, dir: &str, tar_bytes: &[u8]) -> EngineResult<()> {
        let id = self.find_container(reference)?;
        let d = fs::normalize("/", dir);
        let r: Result<(), String> = self.with_machine(&id, |m, _| {
            if !m.view.stat(&d).is_some_and(|n| n.is_dir()) {
                return Err("no such directory".into());
            }
            let entries = tar_entries::read(tar_bytes).map_err(|e| e.to_string())?;
            tar_entries::unpack(&mut m.view, &d, entries).map_err(|t| format!("cannot write {t}"))
        });
        r.map_err(|e| EngineError::daemon(404, e))
    }

    fn exec_create(&mut self, reference: &str, spec: &ExecSpec) -> EngineResult<String> {
        self.reap();
        let id = self.find_container(reference)?;
        let c = self.container(&id);
        match c.status {
            ContainerStatus::Running => {}
            ContainerStatus::Paused => {
                return Err(EngineError::conflict(format!(
                    "Container {id} is paused, unpause the container before exec"
                )))
            }
            _ => {
                return Err(EngineError::conflict(format!(
                    "Container {id} is not running"
                )))
            }
        }
        let exec_id = self.state.new_id();
        self.state.execs.insert(
            exec_id.clone(),
            Exec {
                id: exec_id.clone(),
                container: id,
                spec: spec.clone(),
                shell: None,
                exit_code: None,
            },
        );
        Ok(exec_id)
    }

    fn exec_start(&mut self, exec_id: &str) -> EngineResult<ProcessOutput> {
        let e =
            self.state.execs.get(exec_id).cloned().ok_or_else(|| {
                EngineError::not_found(format!("No such exec instance: {exec_id}"))
            })?;
        self.tick();
        let program = e.spec.cmd.first().cloned().unwrap_or_default();
        let c = self.container(&e.container).clone();
        let workdir = e
            .spec
            .working_dir
            .clone()
            .unwrap_or_else(|| c.working_dir());
        let mut env = c.env.clone();
        env.extend(e.spec.env.iter().cloned());
        let found = self.with_machine(&e.container, |m, _| {
            m.which(&ShellState::new(&workdir, &env), &program)
        });
        if found.is_none() {
            self.state.execs.remove(exec_id);
            return Err(EngineError::Runtime {
                exit_code: 126,
                message: format!("OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown"),
            });
        }
        let base = program.rsplit('/').next().unwrap_or("").to_string();
        if matches!(base.as_str(), "sh" | "bash" | "ash") && !e.spec.cmd.iter().any(|a| a == "-c") {
            if !e.spec.interactive {
                self.state.execs.get_mut(exec_id).expect("exists").exit_code = Some(0);
                return Ok(ProcessOutput {
                    exit_code: Some(0),
                    ..Default::default()
                });
            }
            let st = ShellState::new(&workdir, &env);
            self.state.execs.get_mut(exec_id).expect("exists").shell = Some(st);
            let prompt = self.exec_prompt(exec_id);
            return Ok(ProcessOutput {
                accepts_input: true,
                prompt,
                ..Default::default()
            });
        }
        let argv = e.spec.cmd.clone();
        let r = self.with_machine(&e.container, |m, _| {
            let mut st = ShellState::new(&workdir, &env);
            m.program(&mut st, &argv, &[])
        });
        self.state.execs.get_mut(exec_id).expect("exists").exit_code = Some(r.status as i64);
        Ok(ProcessOutput {
            stdout: r.stdout,
            stderr: r.stderr,
            exit_code: Some(r.status as i64),
            ..Default::default()
        })
    }

    fn process_input(&mut self, process: &ProcessRef, data: &[u8]) -> EngineResult<ProcessOutput> {
        self.tick();
        let text = String::from_utf8_lossy(data).into_owned();
        match process {
            ProcessRef::Main(id) => {
                let id = self.find_container(id)?;
                let c = self.state.containers.get_mut(&id).expect("exists");
                if let Some(Proc::Script { input, .. }) = &mut c.process {
                    input.extend_from_slice(data);
                    let out = self.feed_script(&id, false, true)?;
                    return Ok(out.unwrap_or_default());
                }
                let mut out = ProcessOutput::default();
                for line in text.split_inclusive('\n') {
                    let line = line.trim_end_matches('\n');
                    let Some(proc_) = self.container(&id).process.clone() else {
                        break;
                    };
                    if self.container(&id).status != ContainerStatus::Running {
                        break;
                    }
                    match proc_ {
                        Proc::Cat => {
                            out.stdout.extend(format!("{line}\n").into_bytes());
                            let now = self.state.now();
                            self.state.containers.get_mut(&id).expect("exists").log(
                                Stream::Stdout,
                                &format!("{line}\n"),
                                now,
                            );
                        }
                        Proc::Shell { mut state } => {
                            let r =
                                self.with_machine(&id, |m, _| m.run_line(&mut state, line, &[]));
                            let now = self.state.now();
                            let c = self.state.containers.get_mut(&id).expect("exists");
                            c.log(Stream::Stdout, &String::from_utf8_lossy(&r.stdout), now);
                            c.log(Stream::Stderr, &String::from_utf8_lossy(&r.stderr), now);
                            out.stdout.extend(r.stdout);
                            out.stderr.extend(r.stderr);
                            let exited = state.exited;
                            c.process = Some(Proc::Shell { state });
                            if let Some(code) = exited {
                                c.finish(code as i64, now);
                                out.exit_code = Some(code as i64);
                                self.after_exit(&id);
                                return Ok(out);
                            }
                        }
                        _ => break,
                    }
                }
                out.accepts_input = true;
                out.prompt = self.prompt_for(&id);
                Ok(out)
            }
            ProcessRef::Exec(exec_id) => {
                let e = self.state.execs.get(exec_id).cloned().ok_or_else(|| {
                    EngineError::not_found(format!("No such exec instance: {exec_id}"))
                })?;
                let mut st = e
                    .shell
                    .clone()
                    .ok_or_else(|| EngineError::Other("exec instance has no shell".into()))?;
                if !self.container(&e.container).status.is_running() {
                    return Ok(ProcessOutput {
                        exit_code: Some(137),
                        ..Default::default()
                    });
                }
                let mut out = ProcessOutput::default();
                for line in text.lines() {
                    let r = self.with_machine(&e.container, |m, _| m.run_line(&mut st, line, &[]));
                    out.stdout.extend(r.stdout);
                    out.stderr.extend(r.stderr);
                    if let Some(code) = st.exited {
                        let ex = self.state.execs.get_mut(exec_id).expect("exists");
                        ex.exit_code = Some(code as i64);
                        ex.shell = None;
                        out.exit_code = Some(code as i64);
                        return Ok(out);
                    }
                }
                self.state.execs.get_mut(exec_id).expect("exists").shell = Some(st);
                out.accepts_input = true;
                out.prompt = self.exec_prompt(exec_id);
                Ok(out)
            }
        }
    }

    fn process_close_stdin(&mut self, process: &ProcessRef) -> EngineResult<ProcessOutput> {
        let now = self.tick();
        match process {
            ProcessRef::Main(id) => {
                let id = self.find_container(id)?;
                let c = self.state.containers.get_mut(&id).expect("exists");
                if c.status != ContainerStatus::Running {
                    return Ok(ProcessOutput {
                        exit_code: Some(c.exit_code),
                        ..Default::default()
                    });
                }
                if let Some(Proc::Script { .. }) = &c.process {
                    let out = self.feed_script(&id, false, false)?;
                    return Ok(out.unwrap_or_default());
                }
                let code = match &c.process {
                    Some(Proc::Shell { state }) => state.last_status as i64,
                    _ => 0,
                };
                match c.process {
                    Some(Proc::Shell { .. }) | Some(Proc::Cat) => {
                        c.finish(code, now);
                        self.after_exit(&id);
                        Ok(ProcessOutput {
                            exit_code: Some(code),
                            ..Default::default()
                        })
                    }
                    _ => Ok(ProcessOutput::default()),
                }
            }
            ProcessRef::Exec(exec_id) => {
                let ex = self.state.execs.get_mut(exec_id).ok_or_else(|| {
                    EngineError::not_found(format!("No such exec instance: {exec_id}"))
                })?;
                let code = ex.shell.as_ref().map_or(0, |s| s.last_status as i64);
                ex.shell = None;
                ex.exit_code = Some(code);
                Ok(ProcessOutput {
                    exit_code: Some(code),
                    ..Default::default()
                })
            }
        }
    }

    fn image_build(
        &mut self,
        context_tar: &[u8],
        options: &super::BuildOptions,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<String> {
        self.reap();
        self.build(context_tar, options, progress)
    }

    fn image_save(&mut self, references: &[String]) -> EngineResult<Vec<u8>> {
        self.save_images(references)
    }

    fn image_load(&mut self, tar: &[u8]) -> EngineResult<Vec<String>> {
        self.load_images(tar)
    }

    fn container_export(&mut self, reference: &str) -> EngineResult<Vec<u8>> {
        self.export_container(reference)
    }

    fn image_import(&mut self, tar: &[u8], reference: Option<&ImageRef>) -> EngineResult<String> {
        self.import_image(tar, reference)
    }

    fn registry_login(
        &mut self,
        _server: &str,
        user: &str,
        _password: &str,
    ) -> EngineResult<String> {
        self.state.logged_in = Some(user.to_string());
        Ok("Login Succeeded".into())
    }
}

/// `-c "CMD [\"sh\"]"` style changes for commit.
fn apply_change(config: &mut super::ImageConfig, change: &str) {
    let (instr, rest) = change.split_once(' ').unwrap_or((change, ""));
    let parse_list = |s: &str| -> Vec<String> {
        serde_json::from_str::<Vec<String>>(s.trim())
            .unwrap_or_else(|_| vec!["/bin/sh".into(), "-c".into(), s.trim().to_string()])
    };
    match instr.to_ascii_uppercase().as_str() {
        "CMD" => config.cmd = Some(parse_list(rest)),
        "ENTRYPOINT" => config.entrypoint = Some(parse_list(rest)),
        "ENV" => {
            let kv = rest.replacen(' ', "=", if rest.contains('=') { 0 } else { 1 });
            config.env.push(kv);
        }
        "WORKDIR" => config.working_dir = rest.trim().to_string(),
        "USER" => config.user = rest.trim().to_string(),
        "EXPOSE" => config.exposed_ports.push(rest.trim().to_string()),
        "LABEL" => {
            if let Some((k, v)) = rest.split_once('=') {
                config
                    .labels
                    .insert(k.trim().to_string(), v.trim().trim_matches('"').to_string());
            }
        }
        _ => {}
    }
}

const CONFLICT_DEPENDENT_CHILD: u8 = 1;
const CONFLICT_RUNNING_CONTAINER: u8 = 2;
const CONFLICT_ACTIVE_REFERENCE: u8 = 4;
const CONFLICT_STOPPED_CONTAINER: u8 = 8;
const CONFLICT_HARD: u8 = CONFLICT_DEPENDENT_CHILD | CONFLICT_RUNNING_CONTAINER;
const CONFLICT_SOFT: u8 = CONFLICT_ACTIVE_REFERENCE | CONFLICT_STOPPED_CONTAINER;

/// Why an image cannot be deleted (dockerd's imageDeleteConflict).
struct DeleteConflict {
    hard: bool,
    used: bool,
    message: String,
}

impl DeleteConflict {
    fn error(&self, id: &str) -> EngineError {
        EngineError::conflict(format!(
            "conflict: unable to delete {} ({}) - {}",
            short(id),
            if self.hard {
                "cannot be forced"
            } else {
                "must be forced"
            },
            self.message
        ))
    }
}

/// `A/b`: a "registry" the CLI accepts and dockerd refuses.
fn reference_domain_has_uppercase(r: &ImageRef) -> bool {
    r.registry
        .as_deref()
        .is_some_and(|d| d.chars().any(|c| c.is_ascii_uppercase()))
}

/// The repository of a tag or digest reference (`localhost:5000/x:1` → `localhost:5000/x`).
fn reference_name(r: &str) -> &str {
    if let Some((name, _)) = r.split_once('@') {
        return name;
    }
    match r.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => r,
    }
}

/// dockerd's isSingleReference: at most one tag, and every reference in one repository.
fn is_single_reference(refs: &[String]) -> bool {
    if refs.len() <= 1 {
        return refs.len() == 1;
    }
    let tags: Vec<&String> = refs.iter().filter(|r| !r.contains('@')).collect();
    if tags.len() > 1 {
        return false;
    }
    let first = reference_name(tags.first().copied().unwrap_or(&refs[0]));
    refs.iter().all(|r| reference_name(r) == first)
}

fn push_repo(r: &ImageRef) -> String {
    match &r.registry {
        Some(reg) => format!("{reg}/{}", r.repository),
        None if r.repository.contains('/') => format!("docker.io/{}", r.repository),
        None => format!("docker.io/library/{}", r.repository),
    }
}

trait OrRoot {
    fn or_root(&self) -> &str;
}
impl OrRoot for str {
    fn or_root(&self) -> &str {
        if self.is_empty() {
            "."
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests;

/// Whole seconds from `now` until `until`, rounded up: waiting for a process must not stop a
/// fraction of a second short of its end.
fn seconds_until(until: Timestamp, now: Timestamp) -> i64 {
    ((until - now).num_milliseconds().max(0) + 999) / 1000
}

/// The COMMAND of `docker ps`, as dockerd's list builds it: the path, then the arguments, each
/// one holding a space wrapped in single quotes (`sh -c 'echo hi; sleep 9'`).
fn list_command(argv: &[String]) -> String {
    let mut parts = Vec::with_capacity(argv.len());
    for (i, a) in argv.iter().enumerate() {
        if i > 0 && a.contains(' ') {
            parts.push(format!("'{a}'"));
        } else {
            parts.push(a.clone());
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod name_tests {
    #[test]
    fn ps_quotes_arguments_with_spaces_as_dockerd_does() {
        let argv = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            super::list_command(&argv(&["sh", "-c", "echo \"a b\"; sleep 1"])),
            "sh -c 'echo \"a b\"; sleep 1'"
        );
        assert_eq!(super::list_command(&argv(&["sleep", "100"])), "sleep 100");
        assert_eq!(super::list_command(&argv(&["/my app", "x"])), "/my app x");
    }
}
