//! The docker CLI, implemented over [`crate::engine::Engine`]: what `docker ARGS…` prints and
//! exits with. Shared by the drop-in `docktutor docker`, the REPL, lesson checks and the
//! scenario runner, so both engines print through one renderer.

use crate::engine::ProcessRef;

/// Where a docker command's stdin comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stdin {
    /// Nothing connected (`</dev/null`): an `-i` process sees EOF at once.
    Closed,
    /// Piped data (`echo test | docker run -i busybox cat`), then EOF.
    Data(Vec<u8>),
    /// A person at a terminal: `-i` processes stay attached and the caller feeds lines with
    /// [`Session`]-style calls.
    Interactive,
}

/// The result of one docker command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandResult {
    pub stdout: String,
    pub stderr: String,
    /// Docker's exit status once the command has finished.
    pub exit_code: i32,
    /// Set when the command left the caller attached to a process that reads input
    /// (`run -it`, `exec -it`, `attach`, `start -a -i` with [`Stdin::Interactive`]).
    pub attached: Option<Attachment>,
}

/// A process the caller is now typing into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub process: ProcessRef,
    /// Short container id, for the `root@<id>:/#` prompt.
    pub container_short_id: String,
    /// The prompt to show for the next line (tty sessions), if any.
    pub prompt: Option<String>,
    pub tty: bool,
    /// For `run --rm`: remove the container when the process ends.
    pub auto_remove: bool,
}
