//! The check language as it appears in lesson files (`checks = [{ file = {…}, fail = "…" }]`).

use std::fmt;

use serde::Deserialize;

/// One check: a predicate and the sentence shown when it does not hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub predicate: Predicate,
    /// Shown to the learner when the check fails ("The file is not in that container.").
    pub fail: String,
}

/// What a check asks.
#[derive(Clone, Debug, PartialEq)]
pub enum Predicate {
    Container(ContainerCheck),
    Containers(ContainersCheck),
    File(FileCheck),
    Host(HostCheck),
    Image(ImageCheck),
    Last(LastCheck),
    Logs(LogsCheck),
    Prompt(PromptCheck),
}

impl Predicate {
    /// The key that introduces this predicate in a lesson file.
    pub fn key(&self) -> &'static str {
        match self {
            Predicate::Container(_) => "container",
            Predicate::Containers(_) => "containers",
            Predicate::File(_) => "file",
            Predicate::Host(_) => "host",
            Predicate::Image(_) => "image",
            Predicate::Last(_) => "last",
            Predicate::Logs(_) => "logs",
            Predicate::Prompt(_) => "prompt",
        }
    }
}

/// Which container a check looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerRef {
    /// The container made most recently in this lesson.
    Last,
    /// The first container made in this lesson.
    First,
    /// The one made just before the last.
    Previous,
    /// A container name or id, as a learner would type it.
    Named(String),
}

impl ContainerRef {
    pub fn parse(text: &str) -> ContainerRef {
        match text {
            "last" => ContainerRef::Last,
            "first" => ContainerRef::First,
            "previous" => ContainerRef::Previous,
            other => ContainerRef::Named(other.to_string()),
        }
    }
}

impl fmt::Display for ContainerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContainerRef::Last => f.write_str("the last container you made"),
            ContainerRef::First => f.write_str("the first container you made"),
            ContainerRef::Previous => f.write_str("the container you made before the last one"),
            ContainerRef::Named(n) => write!(f, "container `{n}`"),
        }
    }
}

impl<'de> Deserialize<'de> for ContainerRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() {
            return Err(serde::de::Error::custom(
                "a container reference must be `last`, `first`, `previous` or a name",
            ));
        }
        Ok(ContainerRef::parse(&s))
    }
}

/// A container status word as `docker ps --filter status=` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusWord {
    Created,
    Running,
    Paused,
    Restarting,
    Exited,
    Dead,
}

impl StatusWord {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusWord::Created => "created",
            StatusWord::Running => "running",
            StatusWord::Paused => "paused",
            StatusWord::Restarting => "restarting",
            StatusWord::Exited => "exited",
            StatusWord::Dead => "dead",
        }
    }
}

/// `container = { ref = "sandbox", exists = true, status = "exited", exit_code = 0 }`
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerCheck {
    #[serde(rename = "ref")]
    pub target: ContainerRef,
    #[serde(default = "yes")]
    pub exists: bool,
    pub status: Option<StatusWord>,
    pub exit_code: Option<i64>,
    /// The container's image, as typed or normalised (`ubuntu` = `ubuntu:latest`).
    pub image: Option<String>,
    /// At least one volume or bind mount whose container side is this path.
    pub mount: Option<String>,
    /// That mount (or any, without `mount`) is a bind mount of this workspace folder.
    pub bind: Option<String>,
    /// `true`: the container was (re)started after the current step began.
    pub restarted: Option<bool>,
}

/// `containers = { image = "ubuntu", status = "exited", count = 2 }` — `min` for "at least".
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainersCheck {
    pub image: Option<String>,
    pub status: Option<StatusWord>,
    pub count: Option<usize>,
    pub min: Option<usize>,
}

/// `file = { container = "last", path = "/i-was-here", exists = true, contains = "…" }` —
/// in a running or a stopped container.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileCheck {
    pub container: ContainerRef,
    pub path: String,
    #[serde(default = "yes")]
    pub exists: bool,
    pub contains: Option<String>,
}

/// `host = { path = "mydata/hello", exists = true, contains = "…" }` — relative to the
/// lesson's workspace folder.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostCheck {
    pub path: String,
    #[serde(default = "yes")]
    pub exists: bool,
    pub contains: Option<String>,
}

/// `image = { ref = "ubuntu:latest", exists = true }`, and what the image's config says
/// (`label`, `env`, `cmd`, `exposes`) or whether it is the very same image as another name
/// (`same_as`, `differs_from`: compared by image id).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageCheck {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default = "yes")]
    pub exists: bool,
    /// `key=value` (that label with that value) or `key` (the label is set).
    pub label: Option<String>,
    /// `NAME=value`: one entry of the image's environment, exactly.
    pub env: Option<String>,
    /// The default command, as its JSON array (`["cat", "/app/message.txt"]`).
    pub cmd: Option<Vec<String>>,
    /// An exposed port: `80` (tcp) or `53/udp`.
    pub exposes: Option<String>,
    /// Another reference that names the same image id.
    pub same_as: Option<String>,
    /// Another reference that names a different image id.
    pub differs_from: Option<String>,
}

/// `last = { command = "docker ps -a*", exit_code = 125, stdout = "…", stderr = "…" }` — the
/// last line typed: `command` is a glob over the line, `stdout`/`stderr` are substrings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastCheck {
    pub command: Option<Globs>,
    pub exit_code: Option<i32>,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
}

/// One glob or several alternatives (`["docker ps -a*", "docker container ls -a*"]`),
/// matched against a typed line with its whitespace collapsed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Globs {
    One(String),
    Any(Vec<String>),
}

impl Globs {
    pub fn matches(&self, line: &str) -> bool {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        match self {
            Globs::One(g) => crate::command::shell::glob_match(g, &line),
            Globs::Any(gs) => gs
                .iter()
                .any(|g| crate::command::shell::glob_match(g, &line)),
        }
    }

    pub fn first(&self) -> &str {
        match self {
            Globs::One(g) => g,
            Globs::Any(gs) => gs.first().map_or("", String::as_str),
        }
    }
}

/// `logs = { container = "last", contains = "hello" }`
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsCheck {
    pub container: ContainerRef,
    pub contains: String,
}

/// `prompt = { inside = true }` — whether the learner is typing inside a container.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptCheck {
    pub inside: bool,
}

fn yes() -> bool {
    true
}
