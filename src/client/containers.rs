//! Container commands that do not attach: ps, stop/kill/rm…, wait, logs, top, diff, rename,
//! port, inspect, prune, cp, stats, commit.

use std::path::{Path, PathBuf};

use super::output::Output;
use super::reference::parse_normalized;
use super::{Client, Stdin};
use crate::command::{Cmd, Invocation};
use crate::engine::{CommitOptions, EngineError, LogOptions, Stream};
use crate::render;

impl Client<'_> {
    /// stop, restart, kill, pause, unpause, rm: one engine call per argument; each success
    /// echoes the argument as typed, each failure prints the daemon's error; exit 1 if any failed.
    pub(super) fn cmd_each_container(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let timeout = match inv.value("timeout").or(inv.value("time")) {
            Some(t) => match t.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    out.eprintln(&format!("invalid argument \"{t}\" for \"-t, --timeout\" flag: strconv.ParseInt: parsing \"{t}\": invalid syntax"));
                    return 125;
                }
            },
            None => None,
        };
        if inv.cmd == Cmd::Rm && inv.flag("link") {
            out.unsupported("`docker rm --link` (legacy links)");
            return 1;
        }
        let signal = inv.value("signal").unwrap_or("KILL").to_string();
        let mut failed = false;
        for name in &inv.args {
            let r = match inv.cmd {
                Cmd::Stop => self.engine.container_stop(name, timeout),
                Cmd::Restart => self.engine.container_restart(name, timeout),
                Cmd::Kill => self.engine.container_kill(name, &signal),
                Cmd::Pause => self.engine.container_pause(name),
                Cmd::Unpause => self.engine.container_unpause(name),
                _ => self
                    .engine
                    .container_remove(name, inv.flag("force"), inv.flag("volumes")),
            };
            match r {
                Ok(()) => out.println(name),
                Err(e) => {
                    out.engine_error(&e);
                    failed = true;
                }
            }
        }
        i32::from(failed)
    }

    pub(super) fn cmd_wait(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let mut failed = false;
        for name in &inv.args {
            match self.engine.container_wait(name) {
                Ok(code) => out.println(&code.to_string()),
                Err(e) => {
                    out.engine_error(&e);
                    failed = true;
                }
            }
        }
        i32::from(failed)
    }

    pub(super) fn cmd_ps(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        // dockerd lists every container when a status filter is given, `-a` or not.
        let status_filter = inv
            .values("filter")
            .iter()
            .any(|f| f.trim_start().starts_with("status="));
        let all =
            inv.flag("all") || inv.flag("latest") || inv.value("last").is_some() || status_filter;
        let size = inv.flag("size");
        let mut rows = match self.engine.container_list(all, size) {
            Ok(r) => r,
            Err(e) => {
                out.engine_error(&e);
                return 1;
            }
        };
        let filters = match super::filters::parse(inv.values("filter")) {
            Ok(f) => f,
            Err(msg) => {
                out.eprintln(&msg);
                return 1;
            }
        };
        if let Err(msg) = super::filters::retain_containers(&mut rows, &filters, self.engine) {
            out.eprintln(&msg);
            return 1;
        }
        // Newest first, as the daemon lists them. Stable: a real engine reports creation times
        // in whole seconds, and for containers made in the same second its own order (by
        // nanoseconds) is the right one.
        rows.sort_by_key(|r| std::cmp::Reverse(r.created));
        let last = if inv.flag("latest") {
            Some(1)
        } else {
            inv.value("last").and_then(|n| n.parse::<usize>().ok())
        };
        if let Some(n) = last.filter(|&n| n > 0) {
            rows.truncate(n);
        }
        let now = self.engine.now();
        let opts = render::formatter::PsOptions {
            quiet: inv.flag("quiet"),
            no_trunc: inv.flag("no-trunc"),
            size,
        };
        match render::formatter::ps(&rows, now, &opts, inv.value("format")) {
            Ok(text) => {
                out.print(&text);
                0
            }
            Err(e) => template_error(&e, out),
        }
    }

    pub(super) fn cmd_logs(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let name = &inv.args[0];
        let tail = match inv.value("tail") {
            None | Some("all") => None,
            Some(n) => n.parse::<usize>().ok(),
        };
        let opts = LogOptions {
            follow: inv.flag("follow"),
            timestamps: inv.flag("timestamps"),
            tail,
            since: None,
        };
        let lines = match self.engine.container_logs(name, &opts) {
            Ok(l) => l,
            Err(e) => {
                out.engine_error(&e);
                return 1;
            }
        };
        for l in &lines {
            let text = if opts.timestamps {
                format!(
                    "{} {}",
                    l.time.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
                    l.text
                )
            } else {
                l.text.clone()
            };
            match l.stream {
                Stream::Stdout => out.print(&text),
                Stream::Stderr => out.eprint(&text),
            }
        }
        if opts.follow {
            if let Ok(d) = self.engine.container_inspect(name) {
                if d.summary.status.is_running() {
                    out.note("`logs -f` would keep following this running container; docktutor stopped following here");
                }
            }
        }
        0
    }

    pub(super) fn cmd_top(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        match self.engine.container_top(&inv.args[0]) {
            Ok(t) => {
                let mut rows = vec![t.titles.clone()];
                rows.extend(t.rows.iter().cloned());
                out.print(&render::table::tabulate(&rows));
                0
            }
            Err(e) => {
                out.engine_error(&e);
                1
            }
        }
    }

    pub(super) fn cmd_diff(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        match self.engine.container_changes(&inv.args[0]) {
            Ok(changes) => {
                for c in changes {
                    out.println(&format!("{} {}", c.kind.letter(), c.path));
                }
                0
            }
            Err(e) => {
                out.engine_error(&e);
                1
            }
        }
    }

    pub(super) fn cmd_rename(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        match self.engine.container_rename(&inv.args[0], &inv.args[1]) {
            Ok(()) => 0,
            Err(e) => {
                out.engine_error(&e);
                1
            }
        }
    }

    pub(super) fn cmd_port(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let details = match self.engine.container_inspect(&inv.args[0]) {
            Ok(d) => d,
            Err(e) => {
                out.engine_error(&e);
                return 1;
            }
        };
        let wanted = inv.args.get(1).map(|p| match p.split_once('/') {
            Some((port, proto)) => (port.to_string(), proto.to_string()),
            None => (p.clone(), "tcp".to_string()),
        });
        let mut lines = Vec::new();
        for p in details
            .summary
            .ports
            .iter()
            .filter(|p| p.host_port.is_some())
        {
            let host_ip = p.host_ip.clone().unwrap_or_else(|| "0.0.0.0".into());
            let host = if host_ip.contains(':') {
                format!("[{host_ip}]")
            } else {
                host_ip
            };
            let hp = p.host_port.unwrap_or_default();
            match &wanted {
                Some((port, proto))
                    if *port == p.container_port.to_string() && *proto == p.protocol =>
                {
                    lines.push(format!("{host}:{hp}"));
                }
                Some(_) => {}
                None => lines.push(format!(
                    "{}/{} -> {host}:{hp}",
                    p.container_port, p.protocol
                )),
            }
        }
        // The docker CLI sorts what it prints.
        lines.sort();
        if lines.is_empty() {
            if let Some(asked) = inv.args.get(1) {
                out.eprintln(&format!(
                    "Error: No public port '{asked}' published for {}",
                    inv.args[0]
                ));
                return 1;
            }
        }
        for l in lines {
            out.println(&l);
        }
        0
    }

    pub(super) fn cmd_inspect(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let kind = match inv.cmd {
            Cmd::ContainerInspect => Some("container"),
            Cmd::ImageInspect => Some("image"),
            _ => inv.value("type"),
        };
        let mut docs = Vec::new();
        let mut errors = Vec::new();
        for name in &inv.args {
            let container = if kind != Some("image") {
                self.engine.container_inspect(name).ok().map(|d| d.raw)
            } else {
                None
            };
            let doc = match container {
                Some(d) => Some(d),
                None if kind != Some("container") => {
                    match self.engine.image_inspect(name) {
                        Ok(d) => Some(d.raw),
                        Err(e) => {
                            if kind == Some("image") {
                                let msg = match &e {
                                EngineError::Daemon { message, .. } => format!("Error response from daemon: no such image: {name}: {message}"),
                                other => super::output::error_text(other),
                            };
                                errors.push(msg);
                                continue;
                            }
                            None
                        }
                    }
                }
                None => None,
            };
            match doc {
                Some(d) => docs.push(d),
                None => errors.push(match kind {
                    Some("container") => {
                        format!("Error response from daemon: No such container: {name}")
                    }
                    _ => format!("Error: No such object: {name}"),
                }),
            }
        }
        let code = match inv.value("format") {
            Some(fmt) => {
                for d in &docs {
                    match render::template::render_one(fmt, d) {
                        Ok(line) => out.println(&line),
                        Err(e) => return template_error(&e, out),
                    }
                }
                0
            }
            None => {
                out.println(&render::json::indent(&serde_json::Value::Array(
                    docs.clone(),
                )));
                0
            }
        };
        for e in &errors {
            out.eprintln(e);
        }
        if errors.is_empty() {
            code
        } else {
            1
        }
    }

    pub(super) fn cmd_container_prune(
        &mut self,
        inv: &Invocation,
        stdin: Stdin,
        out: &mut Output,
    ) -> i32 {
        if !confirm(
            inv,
            stdin,
            "WARNING! This will remove all stopped containers.",
            out,
        ) {
            return 0;
        }
        match self.engine.container_prune() {
            Ok(report) => {
                if !report.deleted.is_empty() {
                    out.println("Deleted Containers:");
                    for id in &report.deleted {
                        out.println(id);
                    }
                    out.println("");
                }
                out.println(&format!(
                    "Total reclaimed space: {}",
                    render::units::human_size(report.space_reclaimed)
                ));
                0
            }
            Err(e) => {
                out.engine_error(&e);
                1
            }
        }
    }

    pub(super) fn cmd_cp(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let (src, dst) = (&inv.args[0], &inv.args[1]);
        let split = |s: &str| -> Option<(String, String)> {
            // `CONTAINER:PATH`; a local path that merely contains ':' must start with / or .
            if s.starts_with('/') || s.starts_with('.') {
                return None;
            }
            s.split_once(':')
                .map(|(c, p)| (c.to_string(), p.to_string()))
        };
        let quiet = inv.flag("quiet");
        match (split(src), split(dst)) {
            (Some(_), Some(_)) => {
                out.eprintln("copying between containers is not supported");
                1
            }
            (None, None) => {
                out.eprintln("must specify at least one container source");
                1
            }
            (Some((container, path)), None) => {
                let tar = match self.engine.archive_get(&container, &path) {
                    Ok(t) => t,
                    Err(e) => {
                        out.engine_error(&e);
                        return 1;
                    }
                };
                let dest = self.host_path(dst);
                match super::archive::extract_to_host(&tar, &dest, &path) {
                    Ok(bytes) => {
                        if !quiet {
                            out.eprintln(&format!(
                                "Successfully copied {} to {}",
                                render::units::human_size(bytes),
                                dest.display()
                            ));
                        }
                        0
                    }
                    Err(msg) => {
                        out.eprintln(&msg);
                        1
                    }
                }
            }
            (None, Some((container, path))) => {
                let source = self.host_path(src);
                let (tar, bytes) =
                    match super::archive::pack_host_path(&source, inv.flag("follow-link")) {
                        Ok(t) => t,
                        Err(msg) => {
                            out.eprintln(&msg);
                            return 1;
                        }
                    };
                let (dir, rename) = match self.engine.path_stat(&container, &path) {
                    Ok(st) if st.is_dir() => (path.clone(), None),
                    Ok(_) => {
                        out.eprintln(&format!(
                            "Error response from daemon: cannot copy directory to file {}",
                            path
                        ));
                        return 1;
                    }
                    Err(EngineError::Daemon { status: 404, .. }) => {
                        let p = Path::new(&path);
                        let parent = p
                            .parent()
                            .map(|x| x.to_string_lossy().into_owned())
                            .unwrap_or_else(|| "/".into());
                        let parent = if parent.is_empty() {
                            "/".to_string()
                        } else {
                            parent
                        };
                        (
                            parent,
                            p.file_name().map(|n| n.to_string_lossy().into_owned()),
                        )
                    }
                    Err(e) => {
                        out.engine_error(&e);
                        return 1;
                    }
                };
                let tar = match rename {
                    Some(new_name) => match super::archive::rename_root(&tar, &new_name) {
                        Ok(t) => t,
                        Err(msg) => {
                            out.eprintln(&msg);
                            return 1;
                        }
                    },
                    None => tar,
                };
                match self.engine.archive_put(&container, &dir, &tar) {
                    Ok(()) => {
                        if !quiet {
                            out.eprintln(&format!(
                                "Successfully copied {} to {container}:{path}",
                                render::units::human_size(bytes)
                            ));
                        }
                        0
                    }
                    Err(e) => {
                        out.engine_error(&e);
                        1
                    }
                }
            }
        }
    }

    fn host_path(&self, p: &str) -> PathBuf {
        let path = Path::new(p);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.options.cwd.join(path)
        }
    }

    pub(super) fn cmd_stats(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let names: Vec<String> = if inv.args.is_empty() {
            match self.engine.container_list(false, false) {
                Ok(rows) => rows.into_iter().map(|r| r.id).collect(),
                Err(e) => {
                    out.engine_error(&e);
                    return 1;
                }
            }
        } else {
            inv.args.clone()
        };
        let mut rows = vec![vec![
            "CONTAINER ID".to_string(),
            "NAME".into(),
            "CPU %".into(),
            "MEM USAGE / LIMIT".into(),
            "MEM %".into(),
            "NET I/O".into(),
            "BLOCK I/O".into(),
            "PIDS".into(),
        ]];
        for n in &names {
            let details = match self.engine.container_inspect(n) {
                Ok(d) => d,
                Err(e) => {
                    out.engine_error(&e);
                    return 1;
                }
            };
            let s = match self.engine.container_stats(n) {
                Ok(s) => s,
                Err(e) => {
                    out.engine_error(&e);
                    return 1;
                }
            };
            let mem_pct = if s.memory_limit > 0 {
                s.memory_usage as f64 * 100.0 / s.memory_limit as f64
            } else {
                0.0
            };
            rows.push(vec![
                details.summary.id[..12.min(details.summary.id.len())].to_string(),
                details.summary.name.clone(),
                format!("{:.2}%", s.cpu_percent),
                format!(
                    "{} / {}",
                    render::units::binary_size(s.memory_usage),
                    render::units::binary_size(s.memory_limit)
                ),
                format!("{mem_pct:.2}%"),
                format!(
                    "{} / {}",
                    render::units::human_size(s.net_rx),
                    render::units::human_size(s.net_tx)
                ),
                format!(
                    "{} / {}",
                    render::units::human_size(s.block_read),
                    render::units::human_size(s.block_write)
                ),
                s.pids.to_string(),
            ]);
        }
        out.print(&render::table::tabulate(&rows));
        if !inv.flag("no-stream") {
            out.note("`docker stats` keeps refreshing in a terminal; docktutor showed one sample (as with --no-stream)");
        }
        0
    }

    pub(super) fn cmd_commit(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let reference = match inv.args.get(1) {
            Some(r) => match parse_normalized(r) {
                Ok(r) => Some(r),
                Err(e) => {
                    out.eprintln(&format!(
                        "Error parsing reference: \"{}\" is not a valid repository/tag: {e}",
                        inv.args[1]
                    ));
                    return 1;
                }
            },
            None => None,
        };
        let opts = CommitOptions {
            reference,
            message: inv.value("message").map(str::to_string),
            author: inv.value("author").map(str::to_string),
            changes: inv.values("change").to_vec(),
            pause: !inv.flags.contains_key("pause") || inv.flag("pause"),
        };
        match self.engine.container_commit(&inv.args[0], &opts) {
            Ok(id) => {
                out.println(&id);
                0
            }
            Err(e) => {
                out.engine_error(&e);
                1
            }
        }
    }
}

/// Prune commands ask before deleting unless `-f`; anything but y/yes cancels.
pub(super) fn confirm(inv: &Invocation, stdin: Stdin, warning: &str, out: &mut Output) -> bool {
    if inv.flag("force") {
        return true;
    }
    out.print(&format!(
        "{warning}\nAre you sure you want to continue? [y/N] "
    ));
    let answer = match stdin {
        Stdin::Data(d) => String::from_utf8_lossy(&d)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
        Stdin::Interactive => {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
            line.trim().to_ascii_lowercase()
        }
        Stdin::Closed => String::new(),
    };
    // Docker says nothing more when the answer is not yes, and exits 0.
    answer == "y" || answer == "yes"
}

pub(super) fn template_error(e: &render::template::TemplateError, out: &mut Output) -> i32 {
    out.eprintln(&e.to_string());
    e.exit_code()
}
