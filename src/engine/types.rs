//! The project's own vocabulary for Docker objects. Both engines produce these; bollard's types
//! never leave `engine::docker`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Seconds and nanoseconds since the Unix epoch, UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    Sim,
    Docker,
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EngineKind::Sim => "simulated",
            EngineKind::Docker => "docker",
        })
    }
}

/// A normalised image reference: `[registry/]repository[:tag][@digest]`.
/// `ubuntu` is `{ registry: None, repository: "ubuntu", tag: Some("latest") }`; the CLI layer
/// fills the `latest` default and validates names with docker's rules and messages.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageRef {
    /// `localhost:5000`, `docker.io`… `None` means Docker Hub.
    pub registry: Option<String>,
    /// `ubuntu`, `user/debian`, `library/ubuntu` is written `ubuntu`.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// `repository:tag` as docker prints it in `RepoTags` (`localhost:5000/ubuntu:latest`).
    pub fn repo_tag(&self) -> String {
        format!(
            "{}:{}",
            self.full_repository(),
            self.tag.as_deref().unwrap_or("latest")
        )
    }
    /// The repository with its registry prefix, if any.
    pub fn full_repository(&self) -> String {
        match &self.registry {
            Some(r) => format!("{r}/{}", self.repository),
            None => self.repository.clone(),
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full_repository())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// One message of a pull/push/build progress stream, as the daemon's JSON messages carry it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgressEvent {
    /// Layer id (short) the status is about, if any (`a1b2c3d4e5f6: Pull complete`).
    pub id: Option<String>,
    /// `Pulling fs layer`, `Download complete`, `Digest: sha256:…`, `Status: …`.
    pub status: Option<String>,
    /// Builder output (`Step 1/3 : FROM busybox\n`), printed verbatim.
    pub stream: Option<String>,
    /// A progress bar text, only shown on a terminal.
    pub progress: Option<String>,
    /// An error reported inside the stream.
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageSummary {
    /// `sha256:<64 hex>`.
    pub id: String,
    pub parent_id: String,
    /// `ubuntu:latest`; empty for a dangling image (`<none>:<none>`).
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    pub created: Timestamp,
    /// Bytes, as the daemon reports (`Size`).
    pub size: u64,
    pub labels: BTreeMap<String, String>,
    /// Containers using this image, when the daemon counts them; -1 when not computed.
    pub containers: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImageDetails {
    pub summary: ImageSummary,
    pub config: ImageConfig,
    /// The document `docker image inspect` prints (one element of its array).
    pub raw: serde_json::Value,
}

/// The parts of an image's config the tutor reasons about (checks, run defaults).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageConfig {
    pub cmd: Option<Vec<String>>,
    pub entrypoint: Option<Vec<String>>,
    pub env: Vec<String>,
    pub working_dir: String,
    pub user: String,
    pub labels: BTreeMap<String, String>,
    /// `80/tcp`…
    pub exposed_ports: Vec<String>,
    pub volumes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// `sha256:…` for layers that are images here, `None` for `<missing>`.
    pub id: Option<String>,
    pub created: Timestamp,
    pub created_by: String,
    pub size: u64,
    pub comment: String,
    pub tags: Vec<String>,
}

/// One line of `docker rmi` output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ImageDeleteItem {
    Untagged(String),
    Deleted(String),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PruneReport {
    /// Container ids, or for images `deleted: sha256:…` / `untagged: …` lines in order.
    pub deleted: Vec<String>,
    pub space_reclaimed: u64,
}

/// What `docker create`/`run` asks for, already parsed and validated by the CLI layer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerSpec {
    /// The image as the user wrote it after normalisation (`ubuntu` stays `ubuntu` for `ps`'s
    /// IMAGE column; the engine resolves it).
    pub image: String,
    pub name: Option<String>,
    /// Command after the image; empty means the image's CMD.
    pub cmd: Vec<String>,
    /// `--entrypoint`; `Some(vec![])` clears the image's entrypoint (`--entrypoint ""`).
    pub entrypoint: Option<Vec<String>>,
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub hostname: Option<String>,
    pub tty: bool,
    pub open_stdin: bool,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub auto_remove: bool,
    pub restart_policy: Option<String>,
    pub ports: Vec<PortBinding>,
    pub publish_all: bool,
    pub exposed_ports: Vec<String>,
    pub mounts: Vec<Mount>,
    pub labels: BTreeMap<String, String>,
    pub network: Option<String>,
    pub dns: Vec<String>,
    pub links: Vec<String>,
    pub volumes_from: Vec<String>,
    pub memory: Option<i64>,
    pub cpu_shares: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub privileged: bool,
    /// `--gpus`: requested device spec (`all`).
    pub gpus: Option<String>,
    /// Options the tutor keeps but does not model, for `inspect` fidelity.
    pub extra: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedContainer {
    pub id: String,
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortBinding {
    pub host_ip: Option<String>,
    /// `None`: an ephemeral port chosen by the daemon.
    pub host_port: Option<u16>,
    pub container_port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MountKind {
    /// A host folder (`-v /abs/host:/data` or `-v ./rel:/data`).
    Bind,
    /// A named or anonymous volume (`-v name:/data`, `-v /data`).
    Volume,
    Tmpfs,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    pub kind: MountKind,
    /// Absolute host path for binds, volume name for volumes (empty: anonymous).
    pub source: String,
    pub target: String,
    pub read_only: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerStatus {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
}

impl ContainerStatus {
    /// The word docker uses in `State.Status` and `--filter status=`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerStatus::Created => "created",
            ContainerStatus::Running => "running",
            ContainerStatus::Paused => "paused",
            ContainerStatus::Restarting => "restarting",
            ContainerStatus::Removing => "removing",
            ContainerStatus::Exited => "exited",
            ContainerStatus::Dead => "dead",
        }
    }
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "created" => ContainerStatus::Created,
            "running" => ContainerStatus::Running,
            "paused" => ContainerStatus::Paused,
            "restarting" => ContainerStatus::Restarting,
            "removing" => ContainerStatus::Removing,
            "exited" => ContainerStatus::Exited,
            "dead" => ContainerStatus::Dead,
            _ => return None,
        })
    }
    pub fn is_running(self) -> bool {
        matches!(
            self,
            ContainerStatus::Running | ContainerStatus::Paused | ContainerStatus::Restarting
        )
    }
}

/// One row of `docker ps`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContainerSummary {
    pub id: String,
    /// Without docker's leading `/`.
    pub name: String,
    /// As given at create time (`ubuntu`, `busybox:1.23`, or an id).
    pub image: String,
    pub image_id: String,
    /// The command as `ps` shows it before quoting: `/bin/bash`, `sleep 100`.
    pub command: String,
    pub created: Timestamp,
    pub status: ContainerStatus,
    /// The daemon's human status: `Up 3 seconds`, `Exited (0) 12 seconds ago`, `Created`.
    pub status_text: String,
    pub exit_code: i64,
    pub ports: Vec<PortBinding>,
    pub labels: BTreeMap<String, String>,
    pub mounts: Vec<Mount>,
    pub networks: Vec<String>,
    /// `SizeRw` and `SizeRootFs`, only when asked for (`ps -s`).
    pub size_rw: Option<u64>,
    pub size_root_fs: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContainerDetails {
    pub summary: ContainerSummary,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub tty: bool,
    pub open_stdin: bool,
    pub hostname: String,
    /// The document `docker inspect` prints (one element of its array).
    pub raw: serde_json::Value,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogOptions {
    pub follow: bool,
    pub timestamps: bool,
    pub tail: Option<usize>,
    pub since: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub stream: Stream,
    pub time: Timestamp,
    /// The text including its trailing newline, if it had one.
    pub text: String,
}

/// `docker top`: column titles and rows as `ps -ef` inside the container gives them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessTable {
    pub titles: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeKind {
    Added,
    Changed,
    Deleted,
}

impl ChangeKind {
    /// The letter `docker diff` prints.
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Added => 'A',
            ChangeKind::Changed => 'C',
            ChangeKind::Deleted => 'D',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub kind: ChangeKind,
    pub path: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CommitOptions {
    /// `repo[:tag]`; `None` makes a dangling image.
    pub reference: Option<ImageRef>,
    pub message: Option<String>,
    pub author: Option<String>,
    /// `-c` Dockerfile instructions (`CMD ["sh"]`, `ENV A=b`).
    pub changes: Vec<String>,
    pub pause: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerStats {
    pub cpu_percent: f64,
    pub memory_usage: u64,
    pub memory_limit: u64,
    pub net_rx: u64,
    pub net_tx: u64,
    pub block_read: u64,
    pub block_write: u64,
    pub pids: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathStat {
    pub name: String,
    pub size: u64,
    /// Unix mode bits including the file type bits (`0o040755` for a directory).
    pub mode: u32,
    pub mtime: String,
    pub link_target: String,
}

impl PathStat {
    pub fn is_dir(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecSpec {
    pub cmd: Vec<String>,
    pub interactive: bool,
    pub tty: bool,
    pub detach: bool,
    pub user: Option<String>,
    pub working_dir: Option<String>,
    pub env: Vec<String>,
    pub privileged: bool,
}

/// A process whose stdin/stdout the CLI is attached to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProcessRef {
    /// The main process of a container (`run -it`, `start -a -i`, `attach`).
    Main(String),
    /// An exec instance (`exec -it`).
    Exec(String),
}

/// Output collected from an attached process, and whether it has ended.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProcessOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// `Some(code)` once the process has exited; `None` while it runs (waiting for input, or
    /// a long-running service).
    pub exit_code: Option<i64>,
    /// Whether the process reads more input (`-i` and still running).
    pub accepts_input: bool,
    /// The shell prompt to show for the next line, when the process is an interactive shell
    /// on a tty (`root@748bbf68455d:/# `).
    pub prompt: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub version: String,
    pub api_version: String,
    pub min_api_version: String,
    pub git_commit: String,
    pub go_version: String,
    pub os: String,
    pub arch: String,
    pub kernel_version: String,
    pub build_time: String,
    /// Extra components (containerd, runc, docker-init) as (name, version, commit).
    pub components: Vec<(String, String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SystemInfo {
    pub containers: u64,
    pub running: u64,
    pub paused: u64,
    pub stopped: u64,
    pub images: u64,
    pub server_version: String,
    pub storage_driver: String,
    pub docker_root_dir: String,
    pub operating_system: String,
    pub os_type: String,
    pub architecture: String,
    pub cpus: u64,
    pub memory: u64,
    pub name: String,
    pub kernel_version: String,
    pub runtimes: Vec<String>,
    pub default_runtime: String,
    pub registry: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BuildOptions {
    pub tags: Vec<ImageRef>,
    /// Path of the Dockerfile inside the context (`Dockerfile` by default).
    pub dockerfile: String,
    pub no_cache: bool,
    pub pull: bool,
    pub target: Option<String>,
    pub build_args: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub quiet: bool,
    /// `DOCKER_BUILDKIT=1`: BuildKit-style output.
    pub buildkit: bool,
}
