//! Commands that start processes and attach to them: run, create, start, attach, exec.

use super::container_options::{container_spec, OptionError};
use super::output::{error_text, Output};
use super::reference::{familiar, parse_normalized};
use super::{Attachment, Client, Stdin};
use crate::command::{defs, Invocation};
use crate::engine::{ContainerSpec, EngineError, ExecSpec, ImageRef, ProcessOutput, ProcessRef};

impl Client<'_> {
    pub(super) fn cmd_run(&mut self, inv: &Invocation, stdin: Stdin, out: &mut Output) -> i32 {
        let Some(spec) = self.spec_or_error(inv, out) else {
            return 125;
        };
        if let Some(code) = check_tty(&spec, &stdin, out) {
            return code;
        }
        let image = match parse_normalized(&spec.image) {
            Ok(r) => r,
            Err(e) => {
                out.run_error(&e.to_string(), "run");
                return 125;
            }
        };
        let id = match self.create_pulling(&spec, &image, out) {
            Ok(id) => id,
            Err(text) => {
                out.run_error(&text, "run");
                return 125;
            }
        };
        if inv.flag("detach") {
            // The CLI prints the id as soon as the container exists, before starting it: a
            // start that fails still leaves the id on stdout.
            out.println(&id);
            return match self.engine.container_start(&id, false) {
                Ok(_) => 0,
                Err(e) => run_start_error(&e, out),
            };
        }
        let started = match self.engine.container_start(&id, true) {
            Ok(po) => po,
            Err(e) => return run_start_error(&e, out),
        };
        let attachment = Attachment {
            process: ProcessRef::Main(id.clone()),
            container_id: id,
            prompt: None,
            tty: spec.tty,
            auto_remove: spec.auto_remove,
        };
        self.follow(attachment, started, stdin, out)
    }

    pub(super) fn cmd_create(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let Some(spec) = self.spec_or_error(inv, out) else {
            return 125;
        };
        let image = match parse_normalized(&spec.image) {
            Ok(r) => r,
            Err(e) => {
                out.eprintln(&e.to_string());
                return 1;
            }
        };
        match self.create_pulling(&spec, &image, out) {
            Ok(id) => {
                out.println(&id);
                0
            }
            // Unlike `run`, `create` prints the daemon's answer alone and exits 1.
            Err(text) => {
                out.eprintln(&text);
                1
            }
        }
    }

    fn spec_or_error(&mut self, inv: &Invocation, out: &mut Output) -> Option<ContainerSpec> {
        match container_spec(inv, &self.options.cwd, &self.options.env) {
            Ok(spec) => Some(spec),
            Err(OptionError::InvalidArgument(msg)) => {
                let spec = defs::find(inv.cmd);
                out.eprintln(&format!(
                    "{msg}\n\nUsage:  docker {}\n\nRun '{} --help' for more information",
                    spec.usage,
                    inv.display_path()
                ));
                None
            }
            Err(OptionError::Invalid(msg)) => {
                out.run_error(&msg, &inv.path.join(" "));
                None
            }
            Err(OptionError::Conflict(msg)) => {
                out.eprintln(&msg);
                None
            }
        }
    }

    /// Create a container; when the image is missing, pull it the way `docker run` does (progress
    /// on stderr) and try again. Errors come back as the text after `docker: `.
    fn create_pulling(
        &mut self,
        spec: &ContainerSpec,
        image: &ImageRef,
        out: &mut Output,
    ) -> Result<String, String> {
        match self.engine.container_create(spec) {
            Ok(c) => {
                for w in c.warnings {
                    out.eprintln(&format!("WARNING: {w}"));
                }
                return Ok(c.id);
            }
            Err(EngineError::Daemon {
                status: 404,
                message,
            }) if message.starts_with("No such image") => {}
            Err(e) => return Err(error_text(&e)),
        }
        out.eprintln(&format!(
            "Unable to find image '{}' locally",
            familiar(image)
        ));
        let mut text = String::new();
        let mut stream_error = None;
        let pulled = self.engine.image_pull(image, &mut |ev| {
            if let Some(err) = &ev.error {
                stream_error = Some(err.clone());
            } else {
                text.push_str(&super::images::progress_line(ev));
            }
        });
        out.eprint(&text);
        if let Err(e) = pulled {
            return Err(error_text(&e));
        }
        if let Some(err) = stream_error {
            return Err(err);
        }
        self.engine
            .container_create(spec)
            .map(|c| c.id)
            .map_err(|e| error_text(&e))
    }

    pub(super) fn cmd_start(&mut self, inv: &Invocation, stdin: Stdin, out: &mut Output) -> i32 {
        let attach = inv.flag("attach") || inv.flag("interactive");
        if attach {
            if inv.args.len() > 1 {
                out.eprintln("you cannot start and attach multiple containers at once");
                return 1;
            }
            let name = &inv.args[0];
            let details = match self.engine.container_inspect(name) {
                Ok(d) => d,
                Err(e) => {
                    out.engine_error(&e);
                    return 1;
                }
            };
            // The CLI attaches before it starts; starting a running container is a no-op, so
            // `start -a -i` on a running container simply attaches to it.
            let started = if details.summary.status.is_running() {
                match self.engine.container_attach(name) {
                    // It exited between the two calls; the CLI attaches to the stopped
                    // container and starts it again.
                    Err(_)
                        if !self
                            .engine
                            .container_inspect(name)
                            .is_ok_and(|d| d.summary.status.is_running()) =>
                    {
                        self.engine.container_start(name, true)
                    }
                    attached => attached,
                }
            } else {
                self.engine.container_start(name, true)
            };
            let started = match started {
                Ok(po) => po,
                Err(e) => {
                    out.engine_error(&e);
                    return 1;
                }
            };
            let id = details.summary.id.clone();
            let attachment = Attachment {
                process: ProcessRef::Main(id.clone()),
                container_id: id,
                prompt: None,
                tty: details.tty,
                auto_remove: false,
            };
            // Without -i the learner's keystrokes do not reach the process.
            let stdin = if inv.flag("interactive") {
                stdin
            } else {
                Stdin::Closed
            };
            return self.follow_without_close(
                attachment,
                started,
                stdin,
                inv.flag("interactive"),
                out,
            );
        }
        let mut failed = Vec::new();
        for name in &inv.args {
            match self.engine.container_start(name, false) {
                Ok(_) => out.println(name),
                Err(e) => {
                    out.engine_error(&e);
                    failed.push(name.clone());
                }
            }
        }
        if failed.is_empty() {
            0
        } else {
            out.eprintln(&format!(
                "Error: failed to start containers: {}",
                failed.join(", ")
            ));
            1
        }
    }

    pub(super) fn cmd_attach(&mut self, inv: &Invocation, stdin: Stdin, out: &mut Output) -> i32 {
        let name = &inv.args[0];
        let details = match self.engine.container_inspect(name) {
            Ok(d) => d,
            Err(e) => {
                out.engine_error(&e);
                return 1;
            }
        };
        if !details.summary.status.is_running() {
            out.eprintln("You cannot attach to a stopped container, start it first");
            return 1;
        }
        let with_stdin = details.open_stdin && !inv.flag("no-stdin");
        let attached = match self.engine.container_attach(name) {
            Ok(po) => po,
            Err(e) => {
                out.engine_error(&e);
                return 1;
            }
        };
        let id = details.summary.id.clone();
        let attachment = Attachment {
            process: ProcessRef::Main(id.clone()),
            container_id: id,
            prompt: None,
            tty: details.tty,
            auto_remove: false,
        };
        let stdin = if with_stdin { stdin } else { Stdin::Closed };
        self.follow_without_close(attachment, attached, stdin, with_stdin, out)
    }

    pub(super) fn cmd_exec(&mut self, inv: &Invocation, stdin: Stdin, out: &mut Output) -> i32 {
        let spec = ExecSpec {
            cmd: inv.args[1..].to_vec(),
            interactive: inv.flag("interactive"),
            tty: inv.flag("tty"),
            detach: inv.flag("detach"),
            user: inv.value("user").map(str::to_string),
            working_dir: inv.value("workdir").map(str::to_string),
            env: inv.values("env").to_vec(),
            privileged: inv.flag("privileged"),
        };
        if spec.tty && spec.interactive && stdin != Stdin::Interactive {
            out.eprintln("the input device is not a TTY");
            return 1;
        }
        let container = &inv.args[0];
        let exec_id = match self.engine.exec_create(container, &spec) {
            Ok(id) => id,
            Err(e) => {
                out.engine_error(&e);
                return 1;
            }
        };
        let started = match self.engine.exec_start(&exec_id) {
            Ok(po) => po,
            Err(EngineError::Runtime { exit_code, message }) => {
                out.eprintln(&message);
                return exit_code;
            }
            Err(e) => {
                out.engine_error(&e);
                return 1;
            }
        };
        if spec.detach {
            return 0;
        }
        let container_id = self
            .engine
            .container_inspect(container)
            .map(|d| d.summary.id)
            .unwrap_or_else(|_| container.clone());
        let attachment = Attachment {
            process: ProcessRef::Exec(exec_id),
            container_id,
            prompt: None,
            tty: spec.tty,
            auto_remove: false,
        };
        let stdin = if spec.interactive {
            stdin
        } else {
            Stdin::Closed
        };
        self.follow(attachment, started, stdin, out)
    }

    /// After a process started attached: print its output, then feed stdin as the caller's
    /// [`Stdin`] says, until it ends or the caller takes over typing.
    fn follow(
        &mut self,
        attachment: Attachment,
        first: ProcessOutput,
        stdin: Stdin,
        out: &mut Output,
    ) -> i32 {
        self.follow_without_close(attachment, first, stdin, true, out)
    }

    fn follow_without_close(
        &mut self,
        mut attachment: Attachment,
        first: ProcessOutput,
        stdin: Stdin,
        stdin_connected: bool,
        out: &mut Output,
    ) -> i32 {
        let mut po = first;
        print_process_output(&po, attachment.tty, out);
        if let Some(code) = po.exit_code {
            return code as i32;
        }
        if po.accepts_input && stdin_connected {
            let next = match stdin {
                Stdin::Interactive => {
                    attachment.prompt = po.prompt.clone();
                    out.attached = Some(attachment);
                    return 0;
                }
                Stdin::Data(data) => {
                    let fed = self.engine.process_input(&attachment.process, &data);
                    match fed {
                        Ok(o) => {
                            print_process_output(&o, attachment.tty, out);
                            if let Some(code) = o.exit_code {
                                return code as i32;
                            }
                            self.engine.process_close_stdin(&attachment.process)
                        }
                        Err(e) => Err(e),
                    }
                }
                Stdin::Closed => self.engine.process_close_stdin(&attachment.process),
            };
            po = match next {
                Ok(o) => o,
                Err(e) => {
                    out.engine_error(&e);
                    return 1;
                }
            };
            print_process_output(&po, attachment.tty, out);
            if let Some(code) = po.exit_code {
                return code as i32;
            }
        }
        self.wait_foreground(&attachment, out)
    }

    /// The process runs on without reading input (`sleep 100`, a server): wait for it as the
    /// CLI would. The simulator advances its clock; a process that never ends is left running.
    fn wait_foreground(&mut self, attachment: &Attachment, out: &mut Output) -> i32 {
        if let ProcessRef::Exec(_) = attachment.process {
            out.note("the exec'd process keeps running; docktutor returned to the prompt");
            return 0;
        }
        match self.engine.container_wait(&attachment.container_id) {
            Ok(code) => code as i32,
            Err(EngineError::NotSupported(_)) => {
                out.note(
                    "this container keeps running in the foreground; in a terminal you would press \
                     Ctrl-C to stop it. docktutor returned to the prompt and left it running",
                );
                0
            }
            Err(e) => {
                out.engine_error(&e);
                1
            }
        }
    }

    /// Output of the attached process that a line of input produced, and what follows from it.
    pub(super) fn after_process_output(
        &mut self,
        mut attachment: Attachment,
        result: Result<ProcessOutput, EngineError>,
        out: &mut Output,
    ) -> i32 {
        let po = match result {
            Ok(po) => po,
            Err(e) => {
                out.engine_error(&e);
                return 1;
            }
        };
        print_process_output(&po, attachment.tty, out);
        if let Some(code) = po.exit_code {
            return code as i32;
        }
        if po.accepts_input {
            attachment.prompt = po.prompt.clone();
            out.attached = Some(attachment);
            return 0;
        }
        self.wait_foreground(&attachment, out)
    }
}

/// `-t` with an attached stdin needs a terminal, as docker checks before creating anything.
fn check_tty(spec: &ContainerSpec, stdin: &Stdin, out: &mut Output) -> Option<i32> {
    if spec.tty && spec.attach_stdin && *stdin != Stdin::Interactive {
        out.eprintln("the input device is not a TTY");
        return Some(1);
    }
    None
}

/// `docker run` reports a failed start with the runtime's exit status: 127 when the command
/// was not found, 126 when it could not be executed, 125 for anything else.
fn run_start_error(e: &EngineError, out: &mut Output) -> i32 {
    out.run_error(&error_text(e), "run");
    match e {
        EngineError::Runtime { exit_code, .. } => *exit_code,
        _ => 125,
    }
}

/// A tty merges stderr into stdout and turns `\n` into `\r\n`, as a pseudo-terminal does.
fn print_process_output(po: &ProcessOutput, tty: bool, out: &mut Output) {
    let stdout = String::from_utf8_lossy(&po.stdout);
    let stderr = String::from_utf8_lossy(&po.stderr);
    if tty {
        out.print(&crlf(&stdout));
        out.print(&crlf(&stderr));
    } else {
        out.print(&stdout);
        out.eprint(&stderr);
    }
}

fn crlf(s: &str) -> String {
    let mut r = String::with_capacity(s.len() + 8);
    let mut prev = '\0';
    for c in s.chars() {
        if c == '\n' && prev != '\r' {
            r.push('\r');
        }
        r.push(c);
        prev = c;
    }
    r
}
