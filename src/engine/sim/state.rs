//! The simulator's whole state as plain data, its clock and id sources, and atomic
//! persistence for the drop-in CLI.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::catalog::{self, CatalogImage};
use super::fs::Layer;
use super::shell::ShellState;
use crate::engine::{
    ContainerSpec, ContainerStatus, ContainerSummary, ExecSpec, HistoryEntry, ImageConfig,
    ImageSummary, LogLine, Stream, Timestamp,
};

const FORMAT: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read the simulator state {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the simulator state {path} is not valid ({reason})")]
    Corrupt { path: PathBuf, reason: String },
    #[error("the simulator state {path} was written by a newer docktutor (format {found}; this one reads {FORMAT})")]
    Newer { path: PathBuf, found: u32 },
    #[error("cannot write the simulator state {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimState {
    pub format: u32,
    /// Deterministic mode: a virtual clock and seeded ids.
    pub deterministic: bool,
    pub seed: u64,
    /// Counter feeding ids and names.
    pub sequence: u64,
    /// Virtual time (deterministic) or an offset added to the real clock, in seconds.
    pub virtual_now: Option<Timestamp>,
    pub offset_secs: i64,
    pub images: BTreeMap<String, Image>,
    pub containers: BTreeMap<String, Container>,
    #[serde(default)]
    pub execs: BTreeMap<String, Exec>,
    /// `localhost:5000/x:tag` → image id, for a running `registry:2`.
    #[serde(default)]
    pub registry: BTreeMap<String, String>,
    #[serde(default)]
    pub registry_images: BTreeMap<String, Image>,
    /// Layer (short id) → the registry repositories holding it (`localhost:5000/x`), the most
    /// recently pushed last: a push says "Layer already exists" or "Mounted from x".
    #[serde(default)]
    pub registry_blobs: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub logged_in: Option<String>,
}

impl SimState {
    pub fn new(deterministic: bool, seed: u64) -> Self {
        SimState {
            format: FORMAT,
            deterministic,
            seed,
            sequence: 0,
            virtual_now: deterministic.then(|| {
                Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
                    .single()
                    .unwrap_or_default()
            }),
            offset_secs: 0,
            images: BTreeMap::new(),
            containers: BTreeMap::new(),
            execs: BTreeMap::new(),
            registry: BTreeMap::new(),
            registry_images: BTreeMap::new(),
            registry_blobs: BTreeMap::new(),
            logged_in: None,
        }
    }

    pub fn now(&self) -> Timestamp {
        match self.virtual_now {
            Some(t) => t + Duration::seconds(self.offset_secs),
            None => Utc::now() + Duration::seconds(self.offset_secs),
        }
    }

    /// One step of virtual time per change, so ages in `ps` move deterministically.
    pub fn tick(&mut self) {
        if let Some(t) = &mut self.virtual_now {
            *t += Duration::seconds(1);
        }
    }

    /// Skip ahead (a waited-for `sleep`, a stop's grace period) without blocking.
    pub fn advance(&mut self, secs: i64) {
        self.offset_secs += secs;
    }

    fn next_hash(&mut self, what: &str) -> String {
        self.sequence += 1;
        let material = if self.deterministic {
            format!("{what} {} {}", self.seed, self.sequence)
        } else {
            format!(
                "{what} {} {:?} {}",
                std::process::id(),
                std::time::SystemTime::now(),
                self.sequence
            )
        };
        catalog::hex(&Sha256::digest(material.as_bytes()))
    }

    pub fn new_id(&mut self) -> String {
        self.next_hash("container")
    }

    pub fn new_image_id(&mut self) -> String {
        format!("sha256:{}", self.next_hash("image"))
    }

    pub fn new_name(&mut self, taken: &[String]) -> String {
        loop {
            let h = self.next_hash("name");
            let n = u64::from_str_radix(&h[..12], 16).unwrap_or(0);
            let name = super::names::name(n);
            if !taken.contains(&name) {
                return name;
            }
        }
    }

    /// `Ok(None)` when the file does not exist yet.
    pub fn load(path: &Path) -> Result<Option<SimState>, StateError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Read {
                    path: path.into(),
                    source,
                })
            }
        };
        #[derive(Deserialize)]
        struct Head {
            format: u32,
        }
        let head: Head = serde_json::from_str(&text).map_err(|e| StateError::Corrupt {
            path: path.into(),
            reason: e.to_string(),
        })?;
        if head.format > FORMAT {
            return Err(StateError::Newer {
                path: path.into(),
                found: head.format,
            });
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StateError::Corrupt {
                path: path.into(),
                reason: e.to_string(),
            })
    }

    /// Write atomically: a temporary file beside the target, then a rename.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let err = |source| StateError::Write {
            path: path.into(),
            source,
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(err)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
        let text = serde_json::to_vec(self).map_err(|e| err(std::io::Error::other(e)))?;
        tmp.write_all(&text).map_err(err)?;
        tmp.persist(path).map_err(|e| err(e.error))?;
        Ok(())
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HistoryItem {
    pub id: Option<String>,
    pub created: Timestamp,
    pub created_by: String,
    pub size: u64,
    pub comment: String,
}

/// An image: a catalogue base (built from code, never stored) plus layers made here.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Image {
    pub id: String,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    pub created: Timestamp,
    /// The catalogue image this one starts from (`ubuntu:latest`).
    pub base: Option<String>,
    pub extra_layers: Vec<Layer>,
    pub config: ImageConfig,
    pub history: Vec<HistoryItem>,
    pub size: u64,
    pub parent: Option<String>,
    pub comment: String,
}

impl Image {
    pub fn from_catalog(c: &CatalogImage, now: Timestamp) -> Image {
        let created = chrono::DateTime::parse_from_rfc3339(c.created)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let id = catalog::image_id(c.repo_tag);
        let n = c.history.len();
        let history = c
            .history
            .iter()
            .enumerate()
            .map(|(i, (by, size))| HistoryItem {
                id: (i + 1 == n).then(|| id.clone()),
                created,
                created_by: by.to_string(),
                size: *size,
                comment: String::new(),
            })
            .collect();
        let repo = c.repo_tag.split(':').next().unwrap_or("");
        Image {
            id,
            repo_tags: vec![],
            repo_digests: vec![format!("{repo}@{}", catalog::digest(c.repo_tag))],
            created,
            base: Some(c.repo_tag.to_string()),
            extra_layers: vec![],
            config: c.config.clone(),
            history,
            size: c.size,
            parent: None,
            comment: String::new(),
        }
    }

    /// The filesystem layers, bottom-up.
    pub fn layers(&self) -> Vec<&Layer> {
        let mut v: Vec<&Layer> = Vec::new();
        if let Some(c) = self.base.as_deref().and_then(catalog::find) {
            v.push(&c.layer);
        }
        v.extend(self.extra_layers.iter());
        v
    }

    /// The 64-hex ids of the image's filesystem layers, bottom-up: the catalogue base's, then one
    /// per step that added files, each chained to the one below, so an image made from
    /// another (commit, build) shares its layers, as a push or pull shows.
    pub fn layer_chain(&self) -> Vec<String> {
        let base = self.base.as_deref().and_then(catalog::find);
        let base_n = base.map_or(0, |c| c.history.iter().filter(|(_, s)| *s > 0).count());
        let mut out = self
            .base
            .as_deref()
            .map(|b| catalog::full_layer_ids(b, base_n))
            .unwrap_or_default();
        let mut prev = out.last().cloned().unwrap_or_default();
        for h in self.history.iter().filter(|h| h.size > 0).skip(base_n) {
            let material = format!("{prev} {} {}", h.created_by, h.created.timestamp());
            let id = catalog::hex(&Sha256::digest(material.as_bytes()));
            out.push(id.clone());
            prev = id;
        }
        out
    }

    /// The image's names in the order dockerd reports them.
    pub fn sorted_tags(&self) -> Vec<String> {
        let mut tags = self.repo_tags.clone();
        crate::client::reference::daemon_order(&mut tags);
        tags
    }

    pub fn summary(&self, containers: i64) -> ImageSummary {
        ImageSummary {
            id: self.id.clone(),
            parent_id: self.parent.clone().unwrap_or_default(),
            repo_tags: self.sorted_tags(),
            repo_digests: self.repo_digests.clone(),
            created: self.created,
            size: self.size,
            labels: self.config.labels.clone(),
            containers,
        }
    }

    pub fn history_entries(&self) -> Vec<HistoryEntry> {
        self.history
            .iter()
            .rev()
            .map(|h| HistoryEntry {
                id: h.id.clone(),
                created: h.created,
                created_by: h.created_by.clone(),
                size: h.size,
                comment: h.comment.clone(),
                tags: if h.id.as_deref() == Some(self.id.as_str()) {
                    self.sorted_tags()
                } else {
                    vec![]
                },
            })
            .collect()
    }

    pub fn inspect_json(&self) -> serde_json::Value {
        serde_json::json!({
            "Id": self.id,
            "RepoTags": self.sorted_tags(),
            "RepoDigests": self.repo_digests,
            "Parent": self.parent.clone().unwrap_or_default(),
            "Comment": self.comment,
            "Created": self.created.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            "DockerVersion": "",
            "Author": "",
            "Config": {
                "Hostname": "",
                "Domainname": "",
                "User": self.config.user,
                "AttachStdin": false,
                "AttachStdout": false,
                "AttachStderr": false,
                "ExposedPorts": if self.config.exposed_ports.is_empty() { serde_json::Value::Null } else {
                    serde_json::Value::Object(self.config.exposed_ports.iter().map(|p| (p.clone(), serde_json::json!({}))).collect())
                },
                "Tty": false,
                "OpenStdin": false,
                "StdinOnce": false,
                "Env": self.config.env,
                "Cmd": self.config.cmd,
                "Image": "",
                "Volumes": if self.config.volumes.is_empty() { serde_json::Value::Null } else {
                    serde_json::Value::Object(self.config.volumes.iter().map(|p| (p.clone(), serde_json::json!({}))).collect())
                },
                "WorkingDir": self.config.working_dir,
                "Entrypoint": self.config.entrypoint,
                "OnBuild": null,
                "Labels": if self.config.labels.is_empty() { serde_json::Value::Null } else { serde_json::json!(self.config.labels) },
            },
            "Architecture": "amd64",
            "Os": "linux",
            "Size": self.size,
            "GraphDriver": { "Data": null, "Name": "overlay2" },
            "RootFS": { "Type": "layers", "Layers": self.history.iter().filter(|h| h.size > 0).enumerate()
                .map(|(i, _)| format!("sha256:{}", catalog::hex(&Sha256::digest(format!("{} {i}", self.id).as_bytes())))).collect::<Vec<_>>() },
            "Metadata": { "LastTagTime": "0001-01-01T00:00:00Z" },
        })
    }
}

/// What a container's main process is doing.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Proc {
    /// An interactive shell reading stdin.
    Shell { state: ShellState },
    /// `cat` echoing stdin.
    Cat,
    /// `sleep N`: ends at `until`.
    Sleep { until: Timestamp },
    /// A server that runs until stopped.
    Service,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Container {
    pub id: String,
    pub name: String,
    pub image_id: String,
    pub spec: ContainerSpec,
    /// Entrypoint + command, as run.
    pub argv: Vec<String>,
    pub env: Vec<String>,
    pub workdir: String,
    pub hostname: String,
    pub created: Timestamp,
    pub status: ContainerStatus,
    pub exit_code: i64,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub rw: Layer,
    pub process: Option<Proc>,
    pub logs: Vec<LogLine>,
}

impl Container {
    pub fn working_dir(&self) -> String {
        if self.workdir.is_empty() {
            "/".into()
        } else {
            self.workdir.clone()
        }
    }

    pub fn finish(&mut self, code: i64, at: Timestamp) {
        self.status = ContainerStatus::Exited;
        self.exit_code = code;
        self.finished_at = Some(at);
        self.process = None;
    }

    pub fn log(&mut self, stream: Stream, text: &str, time: Timestamp) {
        for line in text.split_inclusive('\n') {
            self.logs.push(LogLine {
                stream,
                time,
                text: line.to_string(),
            });
        }
    }

    /// (pid, command) of the processes inside, for `ps` and `top`.
    pub fn process_list(&self) -> Vec<(u32, String)> {
        if !self.status.is_running() {
            return vec![];
        }
        vec![(1, self.argv.join(" "))]
    }

    pub fn inspect_json(&self, s: &ContainerSummary) -> serde_json::Value {
        let ts = |t: Option<Timestamp>| {
            t.map_or("0001-01-01T00:00:00Z".to_string(), |t| {
                t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
            })
        };
        let binds: Vec<String> = self
            .spec
            .mounts
            .iter()
            .filter(|m| m.kind == crate::engine::MountKind::Bind)
            .map(|m| {
                format!(
                    "{}:{}{}",
                    m.source,
                    m.target,
                    if m.read_only { ":ro" } else { "" }
                )
            })
            .collect();
        let port_bindings: serde_json::Map<String, serde_json::Value> = self
            .spec
            .ports
            .iter()
            .map(|p| {
                (
                    format!("{}/{}", p.container_port, p.protocol),
                    serde_json::json!([{ "HostIp": p.host_ip.clone().unwrap_or_default(), "HostPort": p.host_port.map(|x| x.to_string()).unwrap_or_default() }]),
                )
            })
            .collect();
        let mounts: Vec<serde_json::Value> = self
            .spec
            .mounts
            .iter()
            .map(|m| {
                serde_json::json!({
                    "Type": if m.kind == crate::engine::MountKind::Bind { "bind" } else { "volume" },
                    "Source": m.source,
                    "Destination": m.target,
                    "Mode": "",
                    "RW": !m.read_only,
                    "Propagation": if m.kind == crate::engine::MountKind::Bind { "rprivate" } else { "" },
                })
            })
            .collect();
        serde_json::json!({
            "Id": self.id,
            "Created": self.created.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            "Path": self.argv.first().cloned().unwrap_or_default(),
            "Args": self.argv.iter().skip(1).collect::<Vec<_>>(),
            "State": {
                "Status": self.status.as_str(),
                "Running": self.status.is_running(),
                "Paused": self.status == ContainerStatus::Paused,
                "Restarting": false,
                "OOMKilled": false,
                "Dead": false,
                "Pid": if self.status.is_running() { 4001 } else { 0 },
                "ExitCode": self.exit_code,
                "Error": "",
                "StartedAt": ts(self.started_at),
                "FinishedAt": ts(self.finished_at),
            },
            "Image": self.image_id,
            "Name": format!("/{}", self.name),
            "RestartCount": 0,
            "Driver": "overlay2",
            "Platform": "linux",
            "HostConfig": {
                "Binds": if binds.is_empty() { serde_json::Value::Null } else { serde_json::json!(binds) },
                "NetworkMode": self.spec.network.clone().unwrap_or_else(|| "default".into()),
                "PortBindings": port_bindings,
                "RestartPolicy": { "Name": self.spec.restart_policy.clone().unwrap_or_else(|| "no".into()), "MaximumRetryCount": 0 },
                "AutoRemove": self.spec.auto_remove,
                "Privileged": self.spec.privileged,
                "PublishAllPorts": self.spec.publish_all,
            },
            "Mounts": mounts,
            "Config": {
                "Hostname": self.hostname,
                "Domainname": "",
                "User": self.spec.user.clone().unwrap_or_default(),
                "AttachStdin": self.spec.attach_stdin,
                "AttachStdout": self.spec.attach_stdout,
                "AttachStderr": self.spec.attach_stderr,
                "Tty": self.spec.tty,
                "OpenStdin": self.spec.open_stdin,
                "StdinOnce": self.spec.open_stdin && self.spec.attach_stdin,
                "Env": self.env,
                "Cmd": if self.spec.cmd.is_empty() { serde_json::Value::Null } else { serde_json::json!(self.spec.cmd) },
                "Image": self.spec.image,
                "Volumes": null,
                "WorkingDir": self.workdir,
                "Entrypoint": self.spec.entrypoint,
                "OnBuild": null,
                "Labels": self.spec.labels,
            },
            "NetworkSettings": {
                "Ports": s.ports.iter().map(|p| (format!("{}/{}", p.container_port, p.protocol), serde_json::json!([{"HostIp": p.host_ip, "HostPort": p.host_port.map(|x| x.to_string())}]))).collect::<serde_json::Map<_, _>>(),
                "IPAddress": if self.status.is_running() { "172.17.0.2" } else { "" },
            },
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Exec {
    pub id: String,
    pub container: String,
    pub spec: ExecSpec,
    pub shell: Option<ShellState>,
    pub exit_code: Option<i64>,
}
