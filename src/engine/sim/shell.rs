//! The shell inside simulated containers: bash (Ubuntu, Debian) or busybox `sh`, interpreting
//! the shared shell AST over the container's filesystem. Messages and exit codes are the real
//! programs' (`bash: foo: command not found` 127, `sh: foo: not found` 127).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::catalog::ShellFlavor;
use super::fs::{normalize, FsError, Node, View};
use crate::command::shell::{
    expand_word_single, expand_words, glob_match, parse_script, Connector, ExpandContext,
    RedirectKind, Script, SimpleCommand,
};

/// A shell process's state, kept in the container between lines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShellState {
    pub cwd: String,
    pub env: BTreeMap<String, String>,
    pub last_status: i32,
    pub exited: Option<i32>,
}

impl ShellState {
    pub fn new(cwd: &str, env: &[String]) -> Self {
        let mut vars = BTreeMap::new();
        for e in env {
            if let Some((k, v)) = e.split_once('=') {
                vars.insert(k.to_string(), v.to_string());
            }
        }
        vars.entry("HOME".into()).or_insert_with(|| "/root".into());
        ShellState {
            cwd: if cwd.is_empty() {
                "/".into()
            } else {
                cwd.to_string()
            },
            env: vars,
            last_status: 0,
            exited: None,
        }
    }
}

/// What the shell can see and touch besides its own state.
pub struct Machine<'a> {
    pub view: View<'a>,
    pub flavor: ShellFlavor,
    pub hostname: String,
    pub tty: bool,
    /// Seconds `sleep` asked for: the engine advances its clock by this much.
    pub slept: u64,
    /// `ps` rows: (pid, command).
    pub processes: Vec<(u32, String)>,
    /// When set, the outermost script run records what each of its commands printed and how
    /// long the script had slept before it, so output after a `sleep` can appear later.
    pub timeline: Option<Vec<Segment>>,
    /// Whether more input may still come after `stdin` (an `-i` process whose input is open).
    pub stdin_open: bool,
    /// Set when a command wanted input that has not come yet: the script stops there, and the
    /// engine runs it again from the start once more input arrives.
    pub blocked: bool,
    /// Bytes of its stdin the last command read (`read` takes a line, `cat` all of it).
    pub consumed: usize,
}

/// Output a script printed after sleeping `after` seconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Segment {
    pub after: u64,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

#[derive(Default)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub status: i32,
}

impl Machine<'_> {
    fn shell_name(&self) -> &'static str {
        match self.flavor {
            ShellFlavor::Bash => "bash",
            ShellFlavor::Busybox => "sh",
        }
    }

    /// The prompt an interactive shell prints on a tty.
    pub fn prompt(&self, state: &ShellState) -> String {
        match self.flavor {
            ShellFlavor::Bash => {
                let home = state.env.get("HOME").map(String::as_str).unwrap_or("/root");
                let cwd = if state.cwd == home {
                    "~".to_string()
                } else if let Some(rest) = state.cwd.strip_prefix(&format!("{home}/")) {
                    format!("~/{rest}")
                } else {
                    state.cwd.clone()
                };
                format!("root@{}:{cwd}# ", self.hostname)
            }
            ShellFlavor::Busybox => format!("{} # ", state.cwd),
        }
    }

    /// Run one line typed into the shell.
    pub fn run_line(&mut self, state: &mut ShellState, line: &str, stdin: &[u8]) -> Output {
        match parse_script(line) {
            Ok(script) => self.run_script(state, &script, stdin),
            Err(e) => {
                let msg = match self.flavor {
                    ShellFlavor::Bash => format!("bash: {}\n", e.message),
                    ShellFlavor::Busybox => format!("sh: {}\n", e.message),
                };
                state.last_status = 2;
                Output {
                    stderr: msg.into_bytes(),
                    status: 2,
                    ..Default::default()
                }
            }
        }
    }

    pub fn run_script(&mut self, state: &mut ShellState, script: &Script, stdin: &[u8]) -> Output {
        // Only the outermost script records: nested ones are part of one of its commands.
        let mut timeline = self.timeline.take();
        let mut out = Output::default();
        // The script's stdin is one stream: what `read` takes, the next command does not see.
        let mut pos = 0;
        for item in &script.items {
            if state.exited.is_some() || self.blocked {
                break;
            }
            let slept_before = self.slept;
            let mut r = self.run_pipeline(
                state,
                &item.first.commands,
                item.first.negated,
                &stdin[pos..],
            );
            pos += self.consumed;
            for (conn, p) in &item.rest {
                if state.exited.is_some() || self.blocked {
                    break;
                }
                let go = match conn {
                    Connector::And => r.status == 0,
                    Connector::Or => r.status != 0,
                };
                if go {
                    let n = self.run_pipeline(state, &p.commands, p.negated, &stdin[pos..]);
                    pos += self.consumed;
                    r.stdout.extend(n.stdout);
                    r.stderr.extend(n.stderr);
                    r.status = n.status;
                }
            }
            if let Some(t) = timeline.as_mut() {
                t.push(Segment {
                    after: slept_before,
                    stdout: r.stdout.clone(),
                    stderr: r.stderr.clone(),
                });
            }
            out.stdout.extend(r.stdout);
            out.stderr.extend(r.stderr);
            out.status = r.status;
        }
        self.timeline = timeline;
        self.consumed = pos;
        out
    }

    fn run_pipeline(
        &mut self,
        state: &mut ShellState,
        cmds: &[SimpleCommand],
        negated: bool,
        stdin: &[u8],
    ) -> Output {
        let mut input = stdin.to_vec();
        let mut out = Output::default();
        let mut consumed = 0;
        for (i, c) in cmds.iter().enumerate() {
            self.consumed = 0;
            let r = self.run_simple(state, c, &input);
            if i == 0 {
                // Only the first command reads the pipeline's own stdin.
                consumed = self.consumed;
            }
            out.stderr.extend(r.stderr);
            if i + 1 == cmds.len() {
                out.stdout = r.stdout;
                out.status = r.status;
            } else {
                input = r.stdout;
            }
        }
        if negated {
            out.status = i32::from(out.status == 0);
        }
        state.last_status = out.status;
        self.consumed = consumed;
        out
    }

    fn run_simple(&mut self, state: &mut ShellState, cmd: &SimpleCommand, stdin: &[u8]) -> Output {
        if self.blocked {
            return Output::default();
        }
        let mut ctx = Expand {
            machine: self,
            state,
        };
        let argv = expand_words(&cmd.words, &mut ctx);
        let assigns: Vec<(String, String)> = cmd
            .assignments
            .iter()
            .map(|(k, w)| (k.clone(), expand_word_single(w, &mut ctx)))
            .collect();
        let redirects: Vec<(u32, RedirectKind, String)> = cmd
            .redirects
            .iter()
            .map(|r| {
                let target = match &r.kind {
                    RedirectKind::Write(w)
                    | RedirectKind::Append(w)
                    | RedirectKind::Read(w)
                    | RedirectKind::HereString(w) => expand_word_single(w, &mut ctx),
                    RedirectKind::Dup(_) => String::new(),
                };
                (r.fd, r.kind.clone(), target)
            })
            .collect();
        let (machine, state) = (ctx.machine, ctx.state);
        if argv.is_empty() {
            for (k, v) in assigns {
                state.env.insert(k, v);
            }
            return Output::default();
        }
        let mut input = stdin.to_vec();
        let mut redirected = false;
        for (_, kind, target) in &redirects {
            redirected |= matches!(kind, RedirectKind::Read(_) | RedirectKind::HereString(_));
            match kind {
                RedirectKind::Read(_) => match machine.view.read(&normalize(&state.cwd, target)) {
                    Ok(d) => input = d,
                    Err(_) => {
                        return machine.error(format!("{target}: No such file or directory"), 1)
                    }
                },
                RedirectKind::HereString(_) => input = format!("{target}\n").into_bytes(),
                _ => {}
            }
        }
        let saved_env = state.env.clone();
        for (k, v) in &assigns {
            state.env.insert(k.clone(), v.clone());
        }
        let open = machine.stdin_open;
        if redirected {
            // A file or here-string is all there is: the shell's own stdin is not touched.
            machine.stdin_open = false;
        }
        let mut r = machine.program(state, &argv, &input);
        machine.stdin_open = open;
        if redirected {
            machine.consumed = 0;
        }
        if !assigns.is_empty() {
            state.env = saved_env;
        }
        // Redirections apply left to right to a table of where fds 1 and 2 point, as in a
        // real shell: `>/dev/null 2>&1` silences both, `2>&1 >/dev/null` only stdout.
        #[derive(Clone)]
        enum Sink {
            Out,
            Err,
            Null,
            File(String),
        }
        let mut fds = [Sink::Null, Sink::Out, Sink::Err];
        for (fd, kind, target) in &redirects {
            let i = match fd {
                1 => 1,
                2 => 2,
                _ => continue,
            };
            match kind {
                RedirectKind::Dup(n @ (1 | 2)) => fds[i] = fds[*n as usize].clone(),
                RedirectKind::Write(_) | RedirectKind::Append(_) => {
                    if target == "/dev/null" {
                        fds[i] = Sink::Null;
                        continue;
                    }
                    let path = normalize(&state.cwd, target);
                    let append = matches!(kind, RedirectKind::Append(_));
                    match machine.view.write(&path, Vec::new(), append) {
                        Ok(()) => fds[i] = Sink::File(path),
                        Err(e) => {
                            let why = fs_reason(&e);
                            let msg = match machine.flavor {
                                ShellFlavor::Bash => format!("bash: {target}: {why}\n"),
                                ShellFlavor::Busybox => {
                                    format!("sh: can't create {target}: nonexistent directory\n")
                                }
                            };
                            r.stderr.extend(msg.into_bytes());
                            r.status = 1;
                            fds[i] = Sink::Null;
                        }
                    }
                }
                _ => {}
            }
        }
        let streams = [std::mem::take(&mut r.stdout), std::mem::take(&mut r.stderr)];
        for (data, sink) in streams.into_iter().zip([fds[1].clone(), fds[2].clone()]) {
            match sink {
                Sink::Out => r.stdout.extend(data),
                Sink::Err => r.stderr.extend(data),
                Sink::Null => {}
                Sink::File(path) => {
                    let _ = machine.view.write(&path, data, true);
                }
            }
        }
        r
    }

    fn error(&self, msg: String, status: i32) -> Output {
        Output {
            stderr: format!("{}: {msg}\n", self.shell_name()).into_bytes(),
            status,
            ..Default::default()
        }
    }

    /// Find `name` on PATH (or as a path) in the container.
    pub fn which(&self, state: &ShellState, name: &str) -> Option<String> {
        if name.contains('/') {
            let p = normalize(&state.cwd, name);
            return self.view.stat(&p).map(|_| p);
        }
        let path = state.env.get("PATH").cloned().unwrap_or_else(|| {
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()
        });
        path.split(':')
            .map(|d| format!("{d}/{name}"))
            .find(|p| matches!(self.view.stat(p), Some(Node::File { .. })))
    }

    /// Run a program or builtin with its arguments.
    pub fn program(&mut self, state: &mut ShellState, argv: &[String], stdin: &[u8]) -> Output {
        let name = argv[0].as_str();
        let args = &argv[1..];
        // Builtins first, as the shell does.
        match name {
            "cd" => return self.cd(state, args),
            "exit" => {
                let code = args
                    .first()
                    .and_then(|a| a.parse::<i32>().ok())
                    .unwrap_or(state.last_status);
                state.exited = Some(code & 0xff);
                return Output {
                    status: code & 0xff,
                    ..Default::default()
                };
            }
            "export" => {
                for a in args {
                    if let Some((k, v)) = a.split_once('=') {
                        state.env.insert(k.into(), v.into());
                    }
                }
                return Output::default();
            }
            "unset" => {
                for a in args {
                    state.env.remove(a);
                }
                return Output::default();
            }
            "read" => return self.read(state, args, stdin),
            "pwd" => return ok(format!("{}\n", state.cwd)),
            "echo" => return ok(echo(args)),
            "true" | ":" => return Output::default(),
            "false" => {
                return Output {
                    status: 1,
                    ..Default::default()
                }
            }
            _ => {}
        }
        let base = name.rsplit('/').next().unwrap_or(name);
        let Some(found) = self.which(state, name) else {
            return match self.flavor {
                ShellFlavor::Bash if name.contains('/') => {
                    self.error(format!("{name}: No such file or directory"), 127)
                }
                ShellFlavor::Bash => self.error(format!("{name}: command not found"), 127),
                ShellFlavor::Busybox => self.error(format!("{name}: not found"), 127),
            };
        };
        if self.view.stat(&found).is_some_and(|n| n.is_dir()) {
            return self.error(format!("{name}: Is a directory"), 126);
        }
        if let Some(version) = self.table_version(&found, args) {
            return version;
        }
        let gnu = self.flavor == ShellFlavor::Bash;
        match base {
            "sh" | "bash" | "ash" | "dash" => {
                if let Some(pos) = args.iter().position(|a| a == "-c") {
                    let script = args.get(pos + 1).cloned().unwrap_or_default();
                    let mut inner = state.clone();
                    inner.exited = None;
                    let mut r = self.run_line(&mut inner, &script, stdin);
                    if let Some(code) = inner.exited {
                        r.status = code;
                    }
                    return r;
                }
                // A nested interactive shell reading piped input.
                let mut inner = state.clone();
                inner.exited = None;
                let text = String::from_utf8_lossy(stdin).into_owned();
                let mut out = Output::default();
                for line in text.lines() {
                    let r = self.run_line(&mut inner, line, &[]);
                    out.stdout.extend(r.stdout);
                    out.stderr.extend(r.stderr);
                    out.status = r.status;
                    if inner.exited.is_some() {
                        break;
                    }
                }
                out.status = inner.exited.unwrap_or(out.status);
                out
            }
            "ls" => self.ls(state, args),
            "cat" => {
                if args.is_empty() {
                    // cat reads to the end: with input still open, it waits for more.
                    self.consumed = stdin.len();
                    self.blocked = self.stdin_open;
                    return Output {
                        stdout: stdin.to_vec(),
                        ..Default::default()
                    };
                }
                let mut out = Output::default();
                for a in args {
                    match self.view.read(&normalize(&state.cwd, a)) {
                        Ok(d) => out.stdout.extend(d),
                        Err(FsError::IsADirectory) => {
                            out.stderr
                                .extend(format!("cat: {a}: Is a directory\n").into_bytes());
                            out.status = 1;
                        }
                        Err(_) => {
                            let msg = if gnu {
                                format!("cat: {a}: No such file or directory\n")
                            } else {
                                format!("cat: can't open '{a}': No such file or directory\n")
                            };
                            out.stderr.extend(msg.into_bytes());
                            out.status = 1;
                        }
                    }
                }
                out
            }
            "touch" => self.each(args, |m, a| {
                let p = normalize(&state.cwd, a);
                m.view.touch(&p).map_err(|_| {
                    if gnu {
                        format!("touch: cannot touch '{a}': No such file or directory")
                    } else {
                        format!("touch: {a}: No such file or directory")
                    }
                })
            }),
            "mkdir" => {
                let parents = args.iter().any(|a| a == "-p");
                self.each(args, |m, a| {
                    let p = normalize(&state.cwd, a);
                    m.view.mkdir(&p, parents).map_err(|e| {
                        let why = fs_reason(&e);
                        if gnu {
                            format!("mkdir: cannot create directory '{a}': {why}")
                        } else {
                            format!("mkdir: can't create directory '{a}': {why}")
                        }
                    })
                })
            }
            "rm" | "rmdir" => {
                let recursive = base == "rmdir"
                    || args
                        .iter()
                        .any(|a| a.starts_with('-') && (a.contains('r') || a.contains('R')));
                let force = args.iter().any(|a| a.starts_with('-') && a.contains('f'));
                self.each(args, |m, a| {
                    let p = normalize(&state.cwd, a);
                    match m.view.remove(&p, recursive) {
                        Ok(()) => Ok(()),
                        Err(FsError::NotFound) if force => Ok(()),
                        Err(FsError::IsADirectory) => Err(if gnu {
                            format!("rm: cannot remove '{a}': Is a directory")
                        } else {
                            format!("rm: '{a}' is a directory")
                        }),
                        Err(_) => Err(if gnu {
                            format!("rm: cannot remove '{a}': No such file or directory")
                        } else {
                            format!("rm: can't remove '{a}': No such file or directory")
                        }),
                    }
                })
            }
            "cp" | "mv" => {
                let ops: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
                if ops.len() < 2 {
                    return Output {
                        stderr: format!("{base}: missing file operand\n").into_bytes(),
                        status: 1,
                        ..Default::default()
                    };
                }
                let dest = normalize(&state.cwd, ops[ops.len() - 1]);
                let dest_is_dir = self.view.stat(&dest).is_some_and(|n| n.is_dir());
                let mut out = Output::default();
                for src in &ops[..ops.len() - 1] {
                    let from = normalize(&state.cwd, src);
                    let to = if dest_is_dir {
                        format!("{}/{}", dest.trim_end_matches('/'), super::fs::base(&from))
                    } else {
                        dest.clone()
                    };
                    let r = self.view.copy(&from, &to).and_then(|_| {
                        if base == "mv" {
                            self.view.remove(&from, true)
                        } else {
                            Ok(())
                        }
                    });
                    if r.is_err() {
                        out.stderr.extend(
                            format!("{base}: cannot stat '{src}': No such file or directory\n")
                                .into_bytes(),
                        );
                        out.status = 1;
                    }
                }
                out
            }
            "env" | "printenv" => ok(state
                .env
                .iter()
                .map(|(k, v)| format!("{k}={v}\n"))
                .collect()),
            "hostname" => ok(format!("{}\n", self.hostname)),
            "whoami" => ok("root\n".into()),
            "id" => ok("uid=0(root) gid=0(root) groups=0(root)\n".into()),
            "uname" => ok(if args.iter().any(|a| a == "-a") {
                format!(
                    "Linux {} 6.1.0-docktutor #1 SMP x86_64 GNU/Linux\n",
                    self.hostname
                )
            } else {
                "Linux\n".into()
            }),
            "sleep" => {
                let secs: f64 = args
                    .first()
                    .and_then(|a| a.trim_end_matches('s').parse().ok())
                    .unwrap_or(0.0);
                self.slept += secs.ceil() as u64;
                Output::default()
            }
            "head" | "tail" => {
                // `-n 20` or the traditional `-20`.
                let n = args
                    .iter()
                    .position(|a| a == "-n")
                    .and_then(|i| args.get(i + 1))
                    .and_then(|n| n.parse().ok())
                    .or_else(|| {
                        args.iter()
                            .find_map(|a| a.strip_prefix('-').and_then(|n| n.parse().ok()))
                    })
                    .unwrap_or(10usize);
                let file = args
                    .iter()
                    .rfind(|a| !a.starts_with('-') && a.parse::<usize>().is_err());
                let data = match file {
                    Some(f) => match self.view.read(&normalize(&state.cwd, f)) {
                        Ok(d) => d,
                        Err(_) => return Output { stderr: format!("{base}: cannot open '{f}' for reading: No such file or directory\n").into_bytes(), status: 1, ..Default::default() },
                    },
                    None => stdin.to_vec(),
                };
                let text = String::from_utf8_lossy(&data);
                let lines: Vec<&str> = text.lines().collect();
                let pick = if base == "head" {
                    &lines[..n.min(lines.len())]
                } else {
                    &lines[lines.len().saturating_sub(n)..]
                };
                ok(pick.iter().map(|l| format!("{l}\n")).collect())
            }
            "wc" => {
                let text = String::from_utf8_lossy(stdin).into_owned();
                let (l, w, c) = (
                    text.lines().count(),
                    text.split_whitespace().count(),
                    text.len(),
                );
                ok(if args.iter().any(|a| a == "-l") {
                    format!("{l}\n")
                } else {
                    format!("{l:>7} {w:>7} {c:>7}\n")
                })
            }
            "grep" => {
                let pat = args
                    .iter()
                    .find(|a| !a.starts_with('-'))
                    .cloned()
                    .unwrap_or_default();
                let text = String::from_utf8_lossy(stdin).into_owned();
                let hits: String = text
                    .lines()
                    .filter(|l| l.contains(&pat))
                    .map(|l| format!("{l}\n"))
                    .collect();
                let status = i32::from(hits.is_empty());
                Output {
                    stdout: hits.into_bytes(),
                    status,
                    ..Default::default()
                }
            }
            "which" => {
                let mut out = Output::default();
                for a in args {
                    match self.which(state, a) {
                        Some(p) => out.stdout.extend(format!("{p}\n").into_bytes()),
                        None => out.status = 1,
                    }
                }
                out
            }
            "ps" => self.ps(args),
            "hello" => ok(super::catalog::HELLO_TEXT.to_string()),
            // Without -f busybox httpd forks into the background and returns at once.
            "httpd" if !args.iter().any(|a| a == "-f") => Output::default(),
            "date" => ok("Mon Nov 23 00:00:00 UTC 2026\n".into()),
            "apt-get" | "apt" => self.apt(base, args),
            "pip" | "pip3" => self.pip(state, args),
            "npm" => self.npm(state, args),
            _ => Output {
                stderr: format!("docktutor: the simulated container cannot run `{base}` yet\n")
                    .into_bytes(),
                status: 126,
                ..Default::default()
            },
        }
    }

    fn each(
        &mut self,
        args: &[String],
        mut f: impl FnMut(&mut Self, &str) -> Result<(), String>,
    ) -> Output {
        let mut out = Output::default();
        for a in args.iter().filter(|a| !a.starts_with('-')) {
            if let Err(msg) = f(self, a) {
                out.stderr.extend(format!("{msg}\n").into_bytes());
                out.status = 1;
            }
        }
        out
    }

    fn cd(&mut self, state: &mut ShellState, args: &[String]) -> Output {
        let home = state
            .env
            .get("HOME")
            .cloned()
            .unwrap_or_else(|| "/root".into());
        let target = args.first().cloned().unwrap_or(home);
        let p = normalize(&state.cwd, &target);
        match self.view.stat(&p) {
            Some(n) if n.is_dir() => {
                state.cwd = p;
                Output::default()
            }
            found => {
                let why = if found.is_some() {
                    "Not a directory"
                } else {
                    "No such file or directory"
                };
                match self.flavor {
                    ShellFlavor::Bash => self.error(format!("cd: {target}: {why}"), 1),
                    ShellFlavor::Busybox => {
                        self.error(format!("cd: can't cd to {target}: {why}"), 2)
                    }
                }
            }
        }
    }

    fn ls(&mut self, state: &ShellState, args: &[String]) -> Output {
        let flags: String = args
            .iter()
            .filter(|a| a.starts_with('-') && a.len() > 1)
            .map(|a| a[1..].to_string())
            .collect();
        let long = flags.contains('l');
        let all = flags.contains('a');
        let one = flags.contains('1');
        let gnu = self.flavor == ShellFlavor::Bash;
        let targets: Vec<String> = args
            .iter()
            .filter(|a| !a.starts_with('-') || a.len() == 1)
            .cloned()
            .collect();
        let targets = if targets.is_empty() {
            vec![".".to_string()]
        } else {
            targets
        };
        // `-R`: every folder below each one given, depth first, each under its own heading.
        let recursive = flags.contains('R');
        let targets = if recursive {
            let mut expanded = Vec::new();
            for t in targets {
                self.walk_dirs(&normalize(&state.cwd, &t), t, all, &mut expanded);
            }
            expanded
        } else {
            targets
        };
        let mut out = Output::default();
        let many = targets.len() > 1 || recursive;
        let mut first = true;
        for t in &targets {
            let p = normalize(&state.cwd, t);
            match self.view.stat(&p) {
                None => {
                    let msg = if gnu {
                        format!("ls: cannot access '{t}': No such file or directory\n")
                    } else {
                        format!("ls: {t}: No such file or directory\n")
                    };
                    out.stderr.extend(msg.into_bytes());
                    out.status = if gnu { 2 } else { 1 };
                }
                Some(Node::Dir { .. }) => {
                    let mut names = self.view.list(&p).unwrap_or_default();
                    if all {
                        names.insert(0, "..".into());
                        names.insert(0, ".".into());
                    } else {
                        names.retain(|n| !n.starts_with('.'));
                    }
                    if many {
                        if !first {
                            out.stdout.push(b'\n');
                        }
                        out.stdout.extend(format!("{t}:\n").into_bytes());
                    }
                    first = false;
                    if long {
                        out.stdout.extend(
                            format!(
                                "total {}\n",
                                if names.is_empty() { 0 } else { names.len() * 4 }
                            )
                            .into_bytes(),
                        );
                        for n in &names {
                            let full = if n == "." {
                                p.clone()
                            } else if n == ".." {
                                super::fs::parent(&p).to_string()
                            } else {
                                normalize(&p, n)
                            };
                            out.stdout.extend(self.long_line(&full, n).into_bytes());
                        }
                    } else if self.tty && !one {
                        out.stdout.extend(columns(&names, 80).into_bytes());
                    } else {
                        for n in names {
                            out.stdout.extend(format!("{n}\n").into_bytes());
                        }
                    }
                }
                Some(_) => {
                    let line = if long {
                        self.long_line(&p, t)
                    } else {
                        format!("{t}\n")
                    };
                    out.stdout.extend(line.into_bytes());
                }
            }
        }
        out
    }

    /// `shown` and, depth first, every folder below it (links are not followed), as `ls -R`
    /// names them.
    fn walk_dirs(&self, path: &str, shown: String, all: bool, out: &mut Vec<String>) {
        let is_dir = matches!(self.view.lstat(path), Some(Node::Dir { .. }));
        out.push(shown.clone());
        if !is_dir {
            return;
        }
        for name in self.view.list(path).unwrap_or_default() {
            if name.starts_with('.') && !all {
                continue;
            }
            let child = normalize(path, &name);
            if matches!(self.view.lstat(&child), Some(Node::Dir { .. })) {
                let child_shown = format!("{}/{name}", shown.trim_end_matches('/'));
                self.walk_dirs(&child, child_shown, all, out);
            }
        }
    }

    fn long_line(&self, path: &str, name: &str) -> String {
        let node = self.view.lstat(path);
        let (kind, perms, size, mtime, suffix) = match node {
            Some(Node::Dir { mode, mtime }) => ('d', mode, 4096, mtime, String::new()),
            Some(Node::File { size, mode, mtime }) => ('-', mode, size, mtime, String::new()),
            Some(Node::Symlink { target }) => {
                ('l', 0o777, target.len() as u64, 0, format!(" -> {target}"))
            }
            None => ('-', 0o644, 0, 0, String::new()),
        };
        let rwx = |m: u32| -> String {
            let mut s = String::new();
            for shift in [6, 3, 0] {
                let b = (m >> shift) & 7;
                s.push(if b & 4 != 0 { 'r' } else { '-' });
                s.push(if b & 2 != 0 { 'w' } else { '-' });
                s.push(if b & 1 != 0 { 'x' } else { '-' });
            }
            if m & 0o1000 != 0 {
                s.pop();
                s.push('t');
            }
            s
        };
        let when = chrono::DateTime::from_timestamp(mtime, 0)
            .unwrap_or_default()
            .format("%b %e %H:%M")
            .to_string();
        match self.flavor {
            ShellFlavor::Bash => format!(
                "{kind}{} 1 root root {size:>4} {when} {name}{suffix}\n",
                rwx(perms)
            ),
            ShellFlavor::Busybox => format!(
                "{kind}{}    1 root     root     {size:>9} {when} {name}{suffix}\n",
                rwx(perms)
            ),
        }
    }

    fn ps(&self, args: &[String]) -> Output {
        let mut rows = self.processes.clone();
        let next = rows.iter().map(|(p, _)| *p).max().unwrap_or(0) + 1;
        rows.push((
            next,
            "ps".to_string() + &args.iter().map(|a| format!(" {a}")).collect::<String>(),
        ));
        let mut s = String::new();
        match self.flavor {
            ShellFlavor::Busybox => {
                s.push_str("PID   USER     TIME  COMMAND\n");
                for (pid, cmd) in rows {
                    s.push_str(&format!("{pid:>5} root      0:00 {cmd}\n"));
                }
            }
            ShellFlavor::Bash if args.iter().any(|a| a.contains('u')) => {
                s.push_str(
                    "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n",
                );
                for (pid, cmd) in rows {
                    s.push_str(&format!("root     {pid:>10}  0.0  0.0   4624  3712 pts/0    Ss   00:00   0:00 {cmd}\n"));
                }
            }
            ShellFlavor::Bash => {
                s.push_str("    PID TTY          TIME CMD\n");
                for (pid, cmd) in rows {
                    let c = cmd
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .to_string();
                    s.push_str(&format!("{pid:>7} pts/0    00:00:00 {c}\n"));
                }
            }
        }
        ok(s)
    }

    /// The `read` builtin: one line of stdin into the named variables (`REPLY` without one),
    /// the last taking the rest of the line; status 1 at the end of input.
    fn read(&mut self, state: &mut ShellState, args: &[String], stdin: &[u8]) -> Output {
        let mut prompt = None;
        let mut names = Vec::new();
        let mut i = 0;
        while i < args.len() {
            match args[i].as_str() {
                "-p" => {
                    prompt = args.get(i + 1).cloned();
                    i += 1;
                }
                "-r" | "-s" => {}
                a => names.push(a.to_string()),
            }
            i += 1;
        }
        let mut out = Output::default();
        // The prompt shows only on a terminal, as in bash and busybox.
        if let (Some(p), true) = (&prompt, self.tty) {
            out.stdout.extend(p.as_bytes());
        }
        let (line, status) = match stdin.iter().position(|b| *b == b'\n') {
            Some(end) => {
                self.consumed = end + 1;
                (String::from_utf8_lossy(&stdin[..end]).into_owned(), 0)
            }
            None if self.stdin_open => {
                self.blocked = true;
                return out;
            }
            None => {
                self.consumed = stdin.len();
                (String::from_utf8_lossy(stdin).into_owned(), 1)
            }
        };
        if names.is_empty() {
            state.env.insert("REPLY".into(), line);
        } else {
            let mut rest = line.trim_start();
            for (n, name) in names.iter().enumerate() {
                let value = if n + 1 == names.len() {
                    rest.trim_end().to_string()
                } else {
                    let (word, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                    rest = tail.trim_start();
                    word.to_string()
                };
                state.env.insert(name.clone(), value);
            }
        }
        out.status = status;
        out
    }
}

fn ok(s: String) -> Output {
    Output {
        stdout: s.into_bytes(),
        ..Default::default()
    }
}

fn echo(args: &[String]) -> String {
    let (newline, rest) = match args.first().map(String::as_str) {
        Some("-n") => (false, &args[1..]),
        _ => (true, args),
    };
    let mut s = rest.join(" ");
    if newline {
        s.push('\n');
    }
    s
}

fn fs_reason(e: &FsError) -> &'static str {
    match e {
        FsError::NotFound => "No such file or directory",
        FsError::NotADirectory => "Not a directory",
        FsError::IsADirectory => "Is a directory",
        FsError::Exists => "File exists",
        FsError::NotEmpty => "Directory not empty",
        FsError::Host(_) => "Permission denied",
    }
}

/// GNU ls's column layout on a terminal: as many columns as fit, filled top to bottom.
fn columns(names: &[String], width: usize) -> String {
    if names.is_empty() {
        return String::new();
    }
    let n = names.len();
    let mut best_rows = n;
    for cols in (1..=n).rev() {
        let rows = n.div_ceil(cols);
        let widths: Vec<usize> = (0..cols)
            .map(|c| {
                (0..rows)
                    .filter_map(|r| names.get(c * rows + r))
                    .map(|s| s.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let total: usize = widths.iter().sum::<usize>() + 2 * (cols - 1);
        if total <= width {
            best_rows = rows;
            break;
        }
    }
    let rows = best_rows;
    let cols = n.div_ceil(rows);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            (0..rows)
                .filter_map(|r| names.get(c * rows + r))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in 0..rows {
        let mut line = String::new();
        for (c, w) in widths.iter().enumerate() {
            if let Some(name) = names.get(c * rows + r) {
                line.push_str(name);
                if names.get((c + 1) * rows + r).is_some() {
                    line.push_str(&" ".repeat(w - name.chars().count() + 2));
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

struct Expand<'a, 'b> {
    machine: &'a mut Machine<'b>,
    state: &'a mut ShellState,
}

impl ExpandContext for Expand<'_, '_> {
    fn var(&self, name: &str) -> Option<String> {
        match name {
            "?" => Some(self.state.last_status.to_string()),
            "PWD" => Some(self.state.cwd.clone()),
            "HOSTNAME" => Some(self.machine.hostname.clone()),
            "$" => Some("1".into()),
            "0" => Some(format!("/bin/{}", self.machine.shell_name())),
            _ => self.state.env.get(name).cloned(),
        }
    }
    fn command_output(&mut self, script: &Script) -> String {
        let mut inner = self.state.clone();
        let r = self.machine.run_script(&mut inner, script, &[]);
        String::from_utf8_lossy(&r.stdout).into_owned()
    }
    fn glob(&self, pattern: &str) -> Vec<String> {
        let (dir, pat) = match pattern.rsplit_once('/') {
            Some((d, p)) => (
                if d.is_empty() {
                    "/".to_string()
                } else {
                    d.to_string()
                },
                p.to_string(),
            ),
            None => (String::new(), pattern.to_string()),
        };
        let base = if dir.is_empty() {
            self.state.cwd.clone()
        } else {
            normalize(&self.state.cwd, &dir)
        };
        let mut out: Vec<String> = self
            .machine
            .view
            .list(&base)
            .unwrap_or_default()
            .into_iter()
            .filter(|n| (!n.starts_with('.') || pat.starts_with('.')) && glob_match(&pat, n))
            .map(|n| {
                if dir.is_empty() {
                    n
                } else if dir == "/" {
                    format!("/{n}")
                } else {
                    format!("{dir}/{n}")
                }
            })
            .collect();
        out.sort();
        out
    }
    fn home(&self) -> String {
        self.state
            .env
            .get("HOME")
            .cloned()
            .unwrap_or_else(|| "/root".into())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fs::Layer;
    use super::*;

    fn machine<'a>(lower: &'a Layer, upper: &'a mut Layer, flavor: ShellFlavor) -> Machine<'a> {
        Machine {
            view: View {
                lower: vec![lower],
                upper,
                binds: vec![],
                now: 0,
            },
            flavor,
            hostname: "748bbf68455d".into(),
            tty: false,
            slept: 0,
            processes: vec![(1, "bash".into())],
            timeline: None,
            stdin_open: false,
            blocked: false,
            consumed: 0,
        }
    }

    fn run(m: &mut Machine, st: &mut ShellState, line: &str) -> (String, String, i32) {
        let r = m.run_line(st, line, &[]);
        (
            String::from_utf8_lossy(&r.stdout).into_owned(),
            String::from_utf8_lossy(&r.stderr).into_owned(),
            r.status,
        )
    }

    #[test]
    fn bash_session_in_ubuntu() {
        let img = super::super::catalog::find("ubuntu:latest").unwrap();
        let mut upper = Layer::new();
        let mut m = machine(&img.layer, &mut upper, ShellFlavor::Bash);
        let mut st = ShellState::new("/", &img.config.env);
        assert_eq!(m.prompt(&st), "root@748bbf68455d:/# ");
        assert_eq!(
            run(&mut m, &mut st, "touch i-was-here"),
            (String::new(), String::new(), 0)
        );
        assert_eq!(run(&mut m, &mut st, "ls i-was-here").0, "i-was-here\n");
        assert_eq!(
            run(
                &mut m,
                &mut st,
                "echo \"hello world\" > /tmp/hello.txt && cat /tmp/hello.txt"
            )
            .0,
            "hello world\n"
        );
        assert_eq!(
            run(&mut m, &mut st, "nosuch"),
            (
                String::new(),
                "bash: nosuch: command not found\n".into(),
                127
            )
        );
        assert_eq!(
            run(&mut m, &mut st, "ls nope"),
            (
                String::new(),
                "ls: cannot access 'nope': No such file or directory\n".into(),
                2
            )
        );
        assert!(run(&mut m, &mut st, "cat /etc/os-release")
            .0
            .contains("Ubuntu 24.04"));
        run(&mut m, &mut st, "cd /tmp");
        assert_eq!(m.prompt(&st), "root@748bbf68455d:/tmp# ");
        assert_eq!(run(&mut m, &mut st, "exit 3").2, 3);
        assert_eq!(st.exited, Some(3));
    }

    #[test]
    fn busybox_messages() {
        let img = super::super::catalog::find("busybox:latest").unwrap();
        let mut upper = Layer::new();
        let mut m = machine(&img.layer, &mut upper, ShellFlavor::Busybox);
        let mut st = ShellState::new("/", &img.config.env);
        assert_eq!(m.prompt(&st), "/ # ");
        assert_eq!(run(&mut m, &mut st, "nosuch").1, "sh: nosuch: not found\n");
        assert_eq!(
            run(&mut m, &mut st, "cat nope").1,
            "cat: can't open 'nope': No such file or directory\n"
        );
        assert_eq!(
            run(&mut m, &mut st, "ls /").0,
            "bin\ndev\netc\nhome\nlib\nlib64\nproc\nroot\nsys\ntmp\nusr\nvar\n"
        );
    }

    #[test]
    fn ls_recursive_lists_each_folder_under_a_heading() {
        // As busybox ls -R printed it on the daemon here (GNU's is the same off a terminal).
        let img = super::super::catalog::find("busybox:latest").unwrap();
        let mut upper = Layer::new();
        let mut m = machine(&img.layer, &mut upper, ShellFlavor::Busybox);
        let mut st = ShellState::new("/", &img.config.env);
        run(&mut m, &mut st, "mkdir -p /w/css/x && touch /w/a /w/css/b");
        assert_eq!(
            run(&mut m, &mut st, "ls -R /w").0,
            "/w:\na\ncss\n\n/w/css:\nb\nx\n\n/w/css/x:\n"
        );
        assert_eq!(
            run(&mut m, &mut st, "cd /w/css && ls -R").0,
            ".:\nb\nx\n\n./x:\n"
        );
    }

    #[test]
    fn read_takes_one_line_at_a_time_and_waits_while_input_is_open() {
        let img = super::super::catalog::find("busybox:latest").unwrap();
        let mut upper = Layer::new();
        let mut m = machine(&img.layer, &mut upper, ShellFlavor::Busybox);
        let mut st = ShellState::new("/", &img.config.env);
        // (script, stdin, input still open) -> (stdout, status, blocked)
        let table: &[(&str, &str, bool, &str, i32, bool)] = &[
            (
                "read a; read b; echo \"$b $a\"",
                "1\n2\n",
                false,
                "2 1\n",
                0,
                false,
            ),
            (
                "read a b; echo \"[$a] [$b]\"",
                "x  y z \n",
                false,
                "[x] [y z]\n",
                0,
                false,
            ),
            (
                "read; echo \"$REPLY\"",
                "whole line\n",
                false,
                "whole line\n",
                0,
                false,
            ),
            ("read n || echo eof", "", false, "eof\n", 0, false),
            (
                "read n; echo \"got $n\"",
                "partial",
                false,
                "got partial\n",
                0,
                false,
            ),
            (
                "echo before; read n; echo after",
                "",
                true,
                "before\n",
                0,
                true,
            ),
            ("read n; cat", "a\nb\n", false, "b\n", 0, false),
            (
                "read n < /etc/hostname; echo ok",
                "",
                true,
                "ok\n",
                0,
                false,
            ),
        ];
        for (script, stdin, open, stdout, status, blocked) in table {
            m.blocked = false;
            m.stdin_open = *open;
            let r = m.run_line(&mut st, script, stdin.as_bytes());
            assert_eq!(
                (
                    String::from_utf8_lossy(&r.stdout).as_ref(),
                    r.status,
                    m.blocked
                ),
                (*stdout, *status, *blocked),
                "{script} <<< {stdin:?}"
            );
        }
    }

    #[test]
    fn redirections_apply_left_to_right() {
        let img = super::super::catalog::find("ubuntu:latest").unwrap();
        let mut upper = Layer::new();
        let mut m = machine(&img.layer, &mut upper, ShellFlavor::Bash);
        let mut st = ShellState::new("/", &img.config.env);
        // bash: both streams go to /dev/null, and a file gets both.
        assert_eq!(
            run(&mut m, &mut st, "ls / nope >/dev/null 2>&1"),
            (String::new(), String::new(), 2)
        );
        run(&mut m, &mut st, "ls nope > /tmp/out 2>&1");
        assert_eq!(
            run(&mut m, &mut st, "cat /tmp/out").0,
            "ls: cannot access 'nope': No such file or directory\n"
        );
        // The other order: stderr to where stdout pointed (the terminal), stdout to null.
        assert_eq!(
            run(&mut m, &mut st, "ls nope 2>&1 >/dev/null"),
            (
                "ls: cannot access 'nope': No such file or directory\n".into(),
                String::new(),
                2
            )
        );
    }

    #[test]
    fn head_takes_a_count_as_dash_number() {
        let img = super::super::catalog::find("ubuntu:latest").unwrap();
        let mut upper = Layer::new();
        let mut m = machine(&img.layer, &mut upper, ShellFlavor::Bash);
        let mut st = ShellState::new("/", &img.config.env);
        assert_eq!(
            run(&mut m, &mut st, "cat /etc/os-release | head -2")
                .0
                .lines()
                .count(),
            2
        );
        assert_eq!(
            run(&mut m, &mut st, "head -n 3 /etc/os-release")
                .0
                .lines()
                .count(),
            3
        );
    }

    #[test]
    fn tty_ls_uses_columns() {
        let names: Vec<String> = ["bin", "boot", "dev", "etc", "home"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(columns(&names, 80), "bin  boot  dev  etc  home\n");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(line in "\\PC{0,40}") {
            let img = super::super::catalog::find("busybox:latest").unwrap();
            let mut upper = Layer::new();
            let mut m = machine(&img.layer, &mut upper, ShellFlavor::Busybox);
            let mut st = ShellState::new("/", &[]);
            let _ = m.run_line(&mut st, &line, b"x");
        }
    }
}
