//! The docker CLI, implemented over [`crate::engine::Engine`]: what `docker ARGS…` prints and
//! exits with. Shared by the drop-in `docktutor docker`, the REPL, lesson checks and the
//! scenario runner, so both engines print through one renderer and one set of messages.

mod archive;
mod container_options;
mod containers;
mod filters;
mod images;
mod output;
pub mod reference;
mod run;
mod system;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::command::{parse_docker_args, Cmd, Invocation, Parsed};
use crate::engine::{Engine, ProcessRef};

pub use output::{error_text, Output};

/// The docker CLI version docktutor's client speaks for (the one its messages were taken from).
pub const CLIENT_VERSION: &str = "28.2.2";
pub const CLIENT_API_VERSION: &str = "1.50";

/// Where a docker command's stdin comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stdin {
    /// Nothing connected (`</dev/null`): an `-i` process sees EOF at once.
    Closed,
    /// Piped data (`echo test | docker run -i busybox cat`), then EOF.
    Data(Vec<u8>),
    /// A person at a terminal: `-i` processes stay attached and the caller feeds lines with
    /// [`Client::input`] until the process ends.
    Interactive,
}

/// The result of one docker command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandResult {
    pub stdout: String,
    pub stderr: String,
    /// Docker's exit status once the command has finished (0 while attached).
    pub exit_code: i32,
    /// Set when the command left the caller attached to a process that reads input
    /// (`run -it`, `exec -it`, `attach`, `start -a -i` with [`Stdin::Interactive`]).
    pub attached: Option<Attachment>,
    /// Notes from docktutor itself (not docker's output): unsupported options, things the
    /// simulator skipped. The drop-in CLI prints them on stderr prefixed with `docktutor:`.
    pub notes: Vec<String>,
}

/// A process the caller is now typing into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub process: ProcessRef,
    /// The container's full id.
    pub container_id: String,
    /// The prompt to show for the next line (shells on a tty), if any.
    pub prompt: Option<String>,
    pub tty: bool,
    /// `run --rm`: remove the container when the process ends.
    pub auto_remove: bool,
}

/// What the client knows about its surroundings.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The host working directory: relative `-v ./x:/y` and `docker cp` paths resolve here.
    pub cwd: PathBuf,
    /// The client's environment (`DOCKER_BUILDKIT`, values for `-e NAME`).
    pub env: BTreeMap<String, String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            env: BTreeMap::new(),
        }
    }
}

/// The docker CLI over one engine.
pub struct Client<'e> {
    pub(crate) engine: &'e mut dyn Engine,
    pub(crate) options: ClientOptions,
}

impl<'e> Client<'e> {
    pub fn new(engine: &'e mut dyn Engine, options: ClientOptions) -> Self {
        Client { engine, options }
    }

    pub fn engine(&mut self) -> &mut dyn Engine {
        self.engine
    }

    /// Set a variable in the client's environment (`DOCKER_BUILDKIT=1 docker build .`).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.options.env.insert(key.to_string(), value.to_string());
    }

    /// Run `docker ARGV…` (argv without the leading `docker`).
    pub fn run(&mut self, argv: &[String], stdin: Stdin) -> CommandResult {
        // `docker build` warns about the legacy builder before it even parses its arguments.
        let words: Vec<&str> = argv.iter().take(2).map(String::as_str).collect();
        let building = matches!(
            words.as_slice(),
            ["build", ..] | ["image" | "builder", "build"]
        );
        let early_warning = if building {
            self.legacy_builder_warning().unwrap_or("")
        } else {
            ""
        };
        let inv = match parse_docker_args(argv) {
            Ok(Parsed::Run(inv)) => inv,
            Ok(Parsed::Help(text)) => {
                return CommandResult {
                    stdout: text,
                    stderr: early_warning.to_string(),
                    ..Default::default()
                }
            }
            Ok(Parsed::Version) => {
                return CommandResult {
                    stdout: format!("Docker version {CLIENT_VERSION}, build e6534b4\n"),
                    ..Default::default()
                }
            }
            Err(e) => {
                let mut r = CommandResult {
                    stderr: format!("{early_warning}{}\n", e.message),
                    exit_code: e.exit_code,
                    ..Default::default()
                };
                if let Some(s) = e.suggestion {
                    r.notes.push(s);
                }
                return r;
            }
        };
        let mut out = Output::default();
        let code = self.dispatch(&inv, stdin, &mut out);
        out.finish(code)
    }

    fn dispatch(&mut self, inv: &Invocation, stdin: Stdin, out: &mut Output) -> i32 {
        match inv.cmd {
            Cmd::Run => self.cmd_run(inv, stdin, out),
            Cmd::Create => self.cmd_create(inv, out),
            Cmd::Start => self.cmd_start(inv, stdin, out),
            Cmd::Attach => self.cmd_attach(inv, stdin, out),
            Cmd::Exec => self.cmd_exec(inv, stdin, out),
            Cmd::Stop | Cmd::Restart | Cmd::Kill | Cmd::Pause | Cmd::Unpause | Cmd::Rm => {
                self.cmd_each_container(inv, out)
            }
            Cmd::Wait => self.cmd_wait(inv, out),
            Cmd::Ps => self.cmd_ps(inv, out),
            Cmd::Logs => self.cmd_logs(inv, out),
            Cmd::Top => self.cmd_top(inv, out),
            Cmd::Diff => self.cmd_diff(inv, out),
            Cmd::Rename => self.cmd_rename(inv, out),
            Cmd::Port => self.cmd_port(inv, out),
            Cmd::Inspect | Cmd::ContainerInspect | Cmd::ImageInspect => self.cmd_inspect(inv, out),
            Cmd::ContainerPrune => self.cmd_container_prune(inv, stdin, out),
            Cmd::Cp => self.cmd_cp(inv, out),
            Cmd::Stats => self.cmd_stats(inv, out),
            Cmd::Commit => self.cmd_commit(inv, out),
            Cmd::Images => self.cmd_images(inv, out),
            Cmd::Pull => self.cmd_pull(inv, out),
            Cmd::Push => self.cmd_push(inv, out),
            Cmd::Tag => self.cmd_tag(inv, out),
            Cmd::Rmi => self.cmd_rmi(inv, out),
            Cmd::History => self.cmd_history(inv, out),
            Cmd::ImagePrune => self.cmd_image_prune(inv, stdin, out),
            Cmd::Build => self.cmd_build(inv, out),
            Cmd::Version => self.cmd_version(inv, out),
            Cmd::Info => self.cmd_info(inv, out),
            Cmd::Login => self.cmd_login(inv, stdin, out),
            Cmd::Logout => self.cmd_logout(inv, out),
            Cmd::Save | Cmd::Load | Cmd::Export | Cmd::Import => self.cmd_archive(inv, stdin, out),
            Cmd::Search | Cmd::Events | Cmd::Compose | Cmd::SystemPrune => {
                out.unsupported(&format!("`{}`", inv.display_path()));
                1
            }
        }
    }

    /// Feed one line (or any bytes) to the process the caller is attached to.
    pub fn input(&mut self, attachment: &Attachment, data: &[u8]) -> CommandResult {
        let mut out = Output::default();
        let result = self.engine.process_input(&attachment.process, data);
        let code = self.after_process_output(attachment.clone(), result, &mut out);
        out.finish(code)
    }

    /// End of input (Ctrl-D) for the attached process.
    pub fn close_stdin(&mut self, attachment: &Attachment) -> CommandResult {
        let mut out = Output::default();
        let result = self.engine.process_close_stdin(&attachment.process);
        let code = self.after_process_output(attachment.clone(), result, &mut out);
        out.finish(code)
    }
}
