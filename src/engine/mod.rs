//! The engine boundary: what docktutor asks of a Docker daemon, in the project's own types.
//!
//! Two implementations live below: [`sim`] (the built-in simulated daemon) and [`docker`]
//! (a real daemon through bollard — the only module that may import bollard). Everything else
//! (the docker CLI in [`crate::client`], lesson checks, the REPL) talks to `dyn Engine`.
//!
//! The trait is shaped like Docker's Engine API, not like its CLI: the CLI layer resolves
//! names, pulls missing images, renders tables and prints errors the way `docker` does, so both
//! engines share one rendering and one set of messages.

pub mod container_name;
pub mod docker;
pub mod error;
pub mod open;
pub mod packages;
pub mod sim;
pub mod types;

pub use error::EngineError;
pub use open::{open, EngineSelector, OpenOptions, SendEngine};
pub use types::*;

pub type EngineResult<T> = Result<T, EngineError>;

/// A Docker daemon, real or simulated.
///
/// References (`reference` arguments) are what a user may type: a full or unique-prefix id, or a
/// name (containers) / `repo:tag` (images). Engines resolve them the way dockerd does and answer
/// with dockerd's own error text when they cannot.
pub trait Engine {
    /// Which kind of engine this is, for messages and reports.
    fn kind(&self) -> EngineKind;

    /// The engine's clock. The simulator's may be virtual (deterministic mode); relative times
    /// ("3 seconds ago") are computed against this, never against the host clock directly.
    fn now(&self) -> Timestamp;

    /// Bind mounts must stay inside `root` (the lesson workspace). The simulator reads and
    /// writes host folders itself and needs no guard; a real engine refuses anything else.
    fn confine_binds(&mut self, _root: &std::path::Path) {}

    // --- system -------------------------------------------------------------------------
    fn version(&mut self) -> EngineResult<VersionInfo>;
    fn info(&mut self) -> EngineResult<SystemInfo>;

    // --- images -------------------------------------------------------------------------
    fn image_list(&mut self, all: bool) -> EngineResult<Vec<ImageSummary>>;
    /// `docker image inspect`: typed fields plus the daemon-shaped JSON document.
    fn image_inspect(&mut self, reference: &str) -> EngineResult<ImageDetails>;
    fn image_history(&mut self, reference: &str) -> EngineResult<Vec<HistoryEntry>>;
    /// Pull `reference` (normalised, e.g. `ubuntu:latest`), reporting progress as the daemon's
    /// JSON message stream would.
    fn image_pull(
        &mut self,
        reference: &ImageRef,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<()>;
    fn image_push(
        &mut self,
        reference: &ImageRef,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<()>;
    fn image_tag(&mut self, source: &str, target: &ImageRef) -> EngineResult<()>;
    /// `docker rmi`: one reference; the report lists `Untagged:` / `Deleted:` lines in order.
    fn image_remove(&mut self, reference: &str, force: bool) -> EngineResult<Vec<ImageDeleteItem>>;
    fn image_prune(&mut self, all: bool) -> EngineResult<PruneReport>;

    // --- containers ---------------------------------------------------------------------
    fn container_create(&mut self, spec: &ContainerSpec) -> EngineResult<CreatedContainer>;
    fn container_list(&mut self, all: bool, size: bool) -> EngineResult<Vec<ContainerSummary>>;
    fn container_inspect(&mut self, reference: &str) -> EngineResult<ContainerDetails>;
    /// Start a created or stopped container. When `attach` is set, output produced by the
    /// main process is collected and returned, and stdin stays connected (see
    /// [`Engine::process_input`]) if the container was created with `-i`.
    fn container_start(&mut self, reference: &str, attach: bool) -> EngineResult<ProcessOutput>;
    fn container_stop(&mut self, reference: &str, timeout_secs: Option<i64>) -> EngineResult<()>;
    fn container_restart(&mut self, reference: &str, timeout_secs: Option<i64>)
        -> EngineResult<()>;
    fn container_kill(&mut self, reference: &str, signal: &str) -> EngineResult<()>;
    fn container_pause(&mut self, reference: &str) -> EngineResult<()>;
    fn container_unpause(&mut self, reference: &str) -> EngineResult<()>;
    fn container_remove(&mut self, reference: &str, force: bool, volumes: bool)
        -> EngineResult<()>;
    /// Block until the container stops; returns its exit code. The simulator advances its
    /// clock instead of blocking.
    fn container_wait(&mut self, reference: &str) -> EngineResult<i64>;
    /// Attach to a running container's main process (stdin if it was created with `-i`).
    fn container_attach(&mut self, reference: &str) -> EngineResult<ProcessOutput>;
    fn container_logs(
        &mut self,
        reference: &str,
        options: &LogOptions,
    ) -> EngineResult<Vec<LogLine>>;
    fn container_top(&mut self, reference: &str) -> EngineResult<ProcessTable>;
    fn container_changes(&mut self, reference: &str) -> EngineResult<Vec<FileChange>>;
    fn container_rename(&mut self, reference: &str, new_name: &str) -> EngineResult<()>;
    fn container_commit(
        &mut self,
        reference: &str,
        options: &CommitOptions,
    ) -> EngineResult<String>;
    fn container_prune(&mut self) -> EngineResult<PruneReport>;
    fn container_stats(&mut self, reference: &str) -> EngineResult<ContainerStats>;

    // --- files ----------------------------------------------------------------------------
    /// Stat a path in a container's filesystem (running or stopped), like `HEAD /archive`.
    fn path_stat(&mut self, reference: &str, path: &str) -> EngineResult<PathStat>;
    /// A tar archive of `path` in the container (running or stopped), like `GET /archive`.
    fn archive_get(&mut self, reference: &str, path: &str) -> EngineResult<Vec<u8>>;
    /// Extract a tar archive into directory `dir` of the container, like `PUT /archive`.
    fn archive_put(&mut self, reference: &str, dir: &str, tar: &[u8]) -> EngineResult<()>;

    // --- processes ----------------------------------------------------------------------
    fn exec_create(&mut self, reference: &str, spec: &ExecSpec) -> EngineResult<String>;
    /// Start an exec instance; like `container_start(attach)` for its output and stdin.
    fn exec_start(&mut self, exec_id: &str) -> EngineResult<ProcessOutput>;
    /// Write to the stdin of an attached process (a line typed at a container prompt, or
    /// piped host data). Returns the output that input produced.
    fn process_input(&mut self, process: &ProcessRef, data: &[u8]) -> EngineResult<ProcessOutput>;
    /// Close the stdin of an attached process (Ctrl-D, or the end of piped data).
    fn process_close_stdin(&mut self, process: &ProcessRef) -> EngineResult<ProcessOutput>;

    // --- later surfaces: engines that lack them say so in one line --------------------------
    /// `docker build`: a tar of the build context; progress carries the builder's output
    /// lines (`stream`) as the daemon sends them. Returns the new image id.
    fn image_build(
        &mut self,
        _context_tar: &[u8],
        _options: &BuildOptions,
        _progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<String> {
        Err(EngineError::NotSupported(format!(
            "docker build on the {} engine",
            self.kind()
        )))
    }
    /// `docker login`: returns the daemon's status text ("Login Succeeded").
    fn registry_login(
        &mut self,
        _server: &str,
        _user: &str,
        _password: &str,
    ) -> EngineResult<String> {
        Err(EngineError::NotSupported(format!(
            "docker login on the {} engine",
            self.kind()
        )))
    }
    fn image_save(&mut self, _references: &[String]) -> EngineResult<Vec<u8>> {
        Err(EngineError::NotSupported(format!(
            "docker save on the {} engine",
            self.kind()
        )))
    }
    /// Returns the daemon's messages ("Loaded image: busybox:latest").
    fn image_load(&mut self, _tar: &[u8]) -> EngineResult<Vec<String>> {
        Err(EngineError::NotSupported(format!(
            "docker load on the {} engine",
            self.kind()
        )))
    }
    fn container_export(&mut self, _reference: &str) -> EngineResult<Vec<u8>> {
        Err(EngineError::NotSupported(format!(
            "docker export on the {} engine",
            self.kind()
        )))
    }
    /// Returns the new image id.
    fn image_import(&mut self, _tar: &[u8], _reference: Option<&ImageRef>) -> EngineResult<String> {
        Err(EngineError::NotSupported(format!(
            "docker import on the {} engine",
            self.kind()
        )))
    }
}
