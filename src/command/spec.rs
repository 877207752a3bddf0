//! The shape of a docker subcommand, described as data (see `defs.rs` for the tables).

use std::collections::BTreeMap;

/// Every docker command the tutor knows, after aliases are resolved: `container ls`,
/// `container ps`, `container list` and `ps` are all [`Cmd::Ps`]. The spelling the user typed is
/// kept in [`Invocation::path`] so messages can echo it (`docker container ls --help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cmd {
    Attach,
    Build,
    Commit,
    Compose,
    ContainerInspect,
    ContainerPrune,
    Cp,
    Create,
    Diff,
    Events,
    Exec,
    Export,
    History,
    ImageInspect,
    ImagePrune,
    Images,
    Import,
    Info,
    Inspect,
    Kill,
    Load,
    Login,
    Logout,
    Logs,
    Pause,
    Port,
    Ps,
    Pull,
    Push,
    Rename,
    Restart,
    Rm,
    Rmi,
    Run,
    Save,
    Search,
    Start,
    Stats,
    Stop,
    SystemPrune,
    Tag,
    Top,
    Unpause,
    Version,
    Wait,
}

/// How a flag takes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    /// `-d`, `--rm`; also accepts `--rm=true|false` as docker does.
    Bool,
    /// `--name x`, `--name=x`, `-u root`, `-uroot`; the last one given wins.
    Value,
    /// Repeatable: `-v a:b -v c:d`, `-e A=1`, `-p 80:80`, `--filter k=v`.
    List,
}

/// One flag, described once: parsing, `--help` and completion all read this.
#[derive(Clone, Copy, Debug)]
pub struct FlagSpec {
    /// Docker's long name without dashes (`detach`); the key used by [`Invocation`] accessors.
    pub long: &'static str,
    pub short: Option<char>,
    pub kind: FlagKind,
    /// Shown in help: `--name string`, `-e, --env list`.
    pub value_name: &'static str,
    pub help: &'static str,
    /// Default shown in help (`(default 10)`), if docker shows one.
    pub default: Option<&'static str>,
    /// Parsed and kept but not modelled by the simulator: using it prints a one-line note.
    pub modelled: bool,
}

/// Positional arguments a command takes, for docker's "requires at least N arguments" errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgSpec {
    None,
    Exactly(usize),
    AtLeast(usize),
    AtMost(usize),
    Between(usize, usize),
}

#[derive(Clone, Copy, Debug)]
pub struct CommandSpec {
    pub cmd: Cmd,
    /// The canonical spelling, e.g. `["container", "ls"]` or `["run"]`.
    pub path: &'static [&'static str],
    /// Other spellings: `["ps"]`, `["container", "list"]`…
    pub aliases: &'static [&'static [&'static str]],
    /// Docker's usage line after `Usage:  docker `: `run [OPTIONS] IMAGE [COMMAND] [ARG...]`.
    pub usage: &'static str,
    /// One-line description (as in `docker --help`).
    pub about: &'static str,
    pub args: ArgSpec,
    /// `run`, `create`, `exec`: flags end at the first positional (options go before the
    /// image; everything after it is the container's command).
    pub stop_at_first_positional: bool,
    pub flags: &'static [FlagSpec],
}

/// A parsed `docker …` command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    pub cmd: Cmd,
    /// The words the user typed for the command (`["container", "ls"]`), for messages.
    pub path: Vec<String>,
    /// Flag values by long name. Bool flags hold `"true"`/`"false"`; lists keep order.
    pub flags: BTreeMap<&'static str, Vec<String>>,
    pub args: Vec<String>,
    /// Global options given before the command (`-H`, `--context`, `-D`…), by long name.
    pub globals: BTreeMap<&'static str, Vec<String>>,
}

impl Invocation {
    /// Whether a bool flag is set (last spelling wins: `--rm=false` unsets).
    pub fn flag(&self, long: &str) -> bool {
        self.flags
            .get(long)
            .and_then(|v| v.last())
            .is_some_and(|v| v == "true")
    }
    /// The last value of a value flag.
    pub fn value(&self, long: &str) -> Option<&str> {
        self.flags
            .get(long)
            .and_then(|v| v.last())
            .map(String::as_str)
    }
    /// Every value of a repeatable flag, in order.
    pub fn values(&self, long: &str) -> &[String] {
        self.flags.get(long).map(Vec::as_slice).unwrap_or(&[])
    }
    /// `docker container ls` — the spelling the user typed, for messages.
    pub fn display_path(&self) -> String {
        format!("docker {}", self.path.join(" "))
    }
}
