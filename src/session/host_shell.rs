//! The host prompt: `docker …` plus the few host commands a lesson needs, confined to the
//! lesson's workspace folder so a learner can look into a bind-mounted directory safely.

use std::fs;
use std::path::{Component, Path, PathBuf};

use super::{LineResult, Session};
use crate::client::Stdin;
use crate::command::shell::{
    expand_word_single, expand_words, glob_match, parse_script, Connector, ExpandContext,
    RedirectKind, Script, SimpleCommand,
};

/// Host commands the tutor understands besides `docker` (shown in `:help` and errors).
pub const HOST_COMMANDS: &[&str] = &[
    "cat", "cd", "clear", "cp", "echo", "export", "false", "ln", "ls", "mkdir", "pwd", "rm",
    "sleep", "sudo", "touch", "true", "watch",
];

/// Output of one host command.
#[derive(Default)]
struct Run {
    stdout: String,
    stderr: String,
    code: i32,
    notes: Vec<String>,
}

pub(super) fn run_line(session: &mut Session, line: &str) -> LineResult {
    let mut result = LineResult {
        line: line.to_string(),
        ..Default::default()
    };
    let script = match parse_script(line) {
        Ok(s) => s,
        Err(e) => {
            result.stderr = format!("bash: {}\n", e.message);
            result.exit_code = 2;
            return result;
        }
    };
    let r = run_script(session, &script, None);
    result.stdout = r.stdout;
    result.stderr = r.stderr;
    result.exit_code = r.code;
    result.notes = r.notes;
    result
}

fn run_script(session: &mut Session, script: &Script, stdin: Option<Vec<u8>>) -> Run {
    let mut total = Run::default();
    for item in &script.items {
        if session.attached.is_some() {
            total
                .notes
                .push("the rest of the line was not run: you are now inside the container".into());
            break;
        }
        if item.background {
            total.notes.push("`&` (background jobs) is not supported at the tutor's prompt; the command ran in the foreground".into());
        }
        let mut r = run_pipeline(
            session,
            &item.first.commands,
            item.first.negated,
            stdin.clone(),
        );
        for (conn, pipe) in &item.rest {
            let go = match conn {
                Connector::And => r.code == 0,
                Connector::Or => r.code != 0,
            };
            if !go || session.attached.is_some() {
                continue;
            }
            let next = run_pipeline(session, &pipe.commands, pipe.negated, None);
            r.stdout.push_str(&next.stdout);
            r.stderr.push_str(&next.stderr);
            r.notes.extend(next.notes);
            r.code = next.code;
        }
        total.stdout.push_str(&r.stdout);
        total.stderr.push_str(&r.stderr);
        total.notes.extend(r.notes);
        total.code = r.code;
    }
    total
}

fn run_pipeline(
    session: &mut Session,
    commands: &[SimpleCommand],
    negated: bool,
    stdin: Option<Vec<u8>>,
) -> Run {
    let mut input = stdin;
    let mut result = Run::default();
    let n = commands.len();
    for (i, cmd) in commands.iter().enumerate() {
        let last = i + 1 == n;
        // Only a command alone on the line talks to the learner's terminal.
        let interactive = n == 1 && input.is_none();
        let r = run_simple(session, cmd, input.take(), interactive);
        result.stderr.push_str(&r.stderr);
        result.notes.extend(r.notes);
        if last {
            result.stdout = r.stdout;
            result.code = r.code;
        } else {
            input = Some(r.stdout.into_bytes());
        }
    }
    if negated {
        result.code = i32::from(result.code == 0);
    }
    result
}

struct HostExpand<'a> {
    session: &'a mut Session,
}

impl ExpandContext for HostExpand<'_> {
    fn var(&self, name: &str) -> Option<String> {
        match name {
            "PWD" => Some(self.session.cwd.display().to_string()),
            "HOME" => Some(self.session.workspace.display().to_string()),
            "?" => Some(
                self.session
                    .last
                    .as_ref()
                    .map_or(0, |l| l.exit_code)
                    .to_string(),
            ),
            _ => self.session.vars.get(name).cloned(),
        }
    }
    fn command_output(&mut self, script: &Script) -> String {
        run_script(self.session, script, None).stdout
    }
    fn glob(&self, pattern: &str) -> Vec<String> {
        // Globs over the current folder only (`ls *.txt`, `cat mydata/*`).
        let (dir, pat) = match pattern.rsplit_once('/') {
            Some((d, p)) => (d.to_string(), p.to_string()),
            None => (String::new(), pattern.to_string()),
        };
        let base = if dir.is_empty() {
            self.session.cwd.clone()
        } else {
            self.session.cwd.join(&dir)
        };
        let Ok(entries) = fs::read_dir(&base) else {
            return vec![];
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| (!n.starts_with('.') || pat.starts_with('.')) && glob_match(&pat, n))
            .map(|n| {
                if dir.is_empty() {
                    n
                } else {
                    format!("{dir}/{n}")
                }
            })
            .collect();
        names.sort();
        names
    }
    fn home(&self) -> String {
        self.session.workspace.display().to_string()
    }
}

fn run_simple(
    session: &mut Session,
    cmd: &SimpleCommand,
    stdin: Option<Vec<u8>>,
    interactive: bool,
) -> Run {
    let mut ctx = HostExpand { session };
    let mut words = expand_words(&cmd.words, &mut ctx);
    let assignments: Vec<(String, String)> = cmd
        .assignments
        .iter()
        .map(|(k, w)| (k.clone(), expand_word_single(w, &mut ctx)))
        .collect();
    let mut redirects = Vec::new();
    for r in &cmd.redirects {
        let target = match &r.kind {
            RedirectKind::Write(w)
            | RedirectKind::Append(w)
            | RedirectKind::Read(w)
            | RedirectKind::HereString(w) => Some(expand_word_single(w, &mut ctx)),
            RedirectKind::Dup(_) => None,
        };
        redirects.push((r.fd, r.kind.clone(), target));
    }
    let session = ctx.session;
    if words.is_empty() {
        for (k, v) in assignments {
            session.vars.insert(k, v);
        }
        return Run::default();
    }
    let mut notes = Vec::new();
    if words[0] == "sudo" {
        words.remove(0);
        notes.push("`sudo` is not needed here: the tutor's docker needs no root".to_string());
        if words.is_empty() {
            return Run {
                notes,
                ..Default::default()
            };
        }
    }
    // Input redirection (`< file`) replaces piped input.
    let mut stdin = stdin;
    for (fd, kind, target) in &redirects {
        if let (0, RedirectKind::Read(_), Some(t)) = (fd, kind, target) {
            match session.resolve(t) {
                Ok(p) => match fs::read(&p) {
                    Ok(b) => stdin = Some(b),
                    Err(_) => {
                        return Run {
                            stderr: format!("bash: {t}: No such file or directory\n"),
                            code: 1,
                            ..Default::default()
                        }
                    }
                },
                Err(e) => {
                    return Run {
                        stderr: e,
                        code: 1,
                        ..Default::default()
                    }
                }
            }
        }
    }
    let mut r = match words[0].as_str() {
        "docker" => run_docker(session, &words[1..], &assignments, stdin, interactive),
        "watch" => {
            let mut inner: Vec<String> = words[1..].to_vec();
            while inner.first().is_some_and(|w| w.starts_with('-')) {
                let flag = inner.remove(0);
                if (flag == "-n" || flag == "--interval") && !inner.is_empty() {
                    inner.remove(0);
                }
            }
            let mut r = if inner.first().map(String::as_str) == Some("docker") {
                run_docker(session, &inner[1..], &assignments, None, false)
            } else {
                Run {
                    stderr: "docktutor: watch runs docker commands only\n".into(),
                    code: 1,
                    ..Default::default()
                }
            };
            r.notes.push("`watch` repeats a command every 2 seconds in a real terminal; the tutor ran it once (try `:state` for a live picture)".into());
            r
        }
        _ => builtin(session, &words, stdin),
    };
    r.notes.splice(0..0, notes);
    apply_redirects(session, r, &redirects)
}

fn run_docker(
    session: &mut Session,
    args: &[String],
    assignments: &[(String, String)],
    stdin: Option<Vec<u8>>,
    interactive: bool,
) -> Run {
    let stdin = match stdin {
        Some(d) => Stdin::Data(d),
        None if interactive => Stdin::Interactive,
        None => Stdin::Closed,
    };
    let mut client = session.client();
    for (k, v) in assignments {
        client_env_set(&mut client, k, v);
    }
    let r = client.run(args, stdin);
    session.attached = r.attached.clone();
    Run {
        stdout: r.stdout,
        stderr: r.stderr,
        code: r.exit_code,
        notes: r.notes,
    }
}

fn client_env_set(client: &mut crate::client::Client<'_>, k: &str, v: &str) {
    client.set_env(k, v);
}

fn apply_redirects(
    session: &mut Session,
    mut r: Run,
    redirects: &[(u32, RedirectKind, Option<String>)],
) -> Run {
    for (fd, kind, target) in redirects {
        match (kind, target) {
            (RedirectKind::Dup(1), _) if *fd == 2 => {
                let err = std::mem::take(&mut r.stderr);
                r.stdout.push_str(&err);
            }
            (RedirectKind::Write(_) | RedirectKind::Append(_), Some(t)) => {
                let path = match session.resolve(t) {
                    Ok(p) => p,
                    Err(e) => {
                        r.stderr.push_str(&e);
                        r.code = 1;
                        continue;
                    }
                };
                let data = if *fd == 2 {
                    std::mem::take(&mut r.stderr)
                } else {
                    std::mem::take(&mut r.stdout)
                };
                let append = matches!(kind, RedirectKind::Append(_));
                let written = if append {
                    use std::io::Write;
                    fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&path)
                        .and_then(|mut f| f.write_all(data.as_bytes()))
                } else {
                    fs::write(&path, data.as_bytes())
                };
                if written.is_err() {
                    r.stderr
                        .push_str(&format!("bash: {t}: No such file or directory\n"));
                    r.code = 1;
                }
            }
            _ => {}
        }
    }
    r
}

impl Session {
    /// A host path typed by the learner, resolved against the prompt's folder and kept inside
    /// the workspace. Errors name the path and the workspace.
    pub(crate) fn resolve(&self, typed: &str) -> Result<PathBuf, String> {
        let joined = if Path::new(typed).is_absolute() {
            PathBuf::from(typed)
        } else {
            self.cwd.join(typed)
        };
        let mut clean = PathBuf::from("/");
        for c in joined.components() {
            match c {
                Component::ParentDir => {
                    clean.pop();
                }
                Component::Normal(s) => clean.push(s),
                _ => {}
            }
        }
        if clean.starts_with(&self.workspace) {
            Ok(clean)
        } else {
            Err(format!(
                "docktutor: {typed} is outside this lesson's workspace ({}); host commands stay inside it\n",
                self.workspace.display()
            ))
        }
    }
}

fn builtin(session: &mut Session, words: &[String], stdin: Option<Vec<u8>>) -> Run {
    let name = words[0].as_str();
    let args = &words[1..];
    let (flags, operands): (Vec<&String>, Vec<&String>) = args
        .iter()
        .partition(|a| a.starts_with('-') && a.len() > 1 && name != "echo");
    let has = |c: char| flags.iter().any(|f| !f.starts_with("--") && f.contains(c));
    let mut r = Run::default();
    let fail = |r: &mut Run, msg: String| {
        r.stderr.push_str(&msg);
        r.code = 1;
    };
    match name {
        "true" => {}
        "false" => r.code = 1,
        "clear" => {}
        "sleep" => r
            .notes
            .push("the tutor does not wait for `sleep` at the host prompt".into()),
        "pwd" => r.stdout = format!("{}\n", session.cwd.display()),
        "echo" => {
            let (newline, rest) = match args.first().map(String::as_str) {
                Some("-n") => (false, &args[1..]),
                _ => (true, args),
            };
            r.stdout = rest.join(" ");
            if newline {
                r.stdout.push('\n');
            }
        }
        "export" => {
            for a in args {
                if let Some((k, v)) = a.split_once('=') {
                    session.vars.insert(k.to_string(), v.to_string());
                }
            }
        }
        "cd" => {
            let target = operands.first().map(|s| s.as_str()).unwrap_or("");
            let dest = if target.is_empty() || target == "~" {
                Ok(session.workspace.clone())
            } else {
                session.resolve(target)
            };
            match dest {
                Ok(p) if p.is_dir() => session.cwd = p,
                Ok(_) => fail(
                    &mut r,
                    format!("bash: cd: {target}: No such file or directory\n"),
                ),
                Err(e) => fail(&mut r, e),
            }
        }
        "mkdir" => {
            for o in &operands {
                match session.resolve(o) {
                    Ok(p) => {
                        let res = if has('p') {
                            fs::create_dir_all(&p)
                        } else {
                            fs::create_dir(&p)
                        };
                        if let Err(e) = res {
                            let why = if e.kind() == std::io::ErrorKind::AlreadyExists {
                                "File exists"
                            } else {
                                "No such file or directory"
                            };
                            fail(
                                &mut r,
                                format!("mkdir: cannot create directory '{o}': {why}\n"),
                            );
                        }
                    }
                    Err(e) => fail(&mut r, e),
                }
            }
        }
        "touch" => {
            for o in &operands {
                match session.resolve(o) {
                    Ok(p) => {
                        if fs::OpenOptions::new()
                            .create(true)
                            .append(true)
                            .open(&p)
                            .is_err()
                        {
                            fail(
                                &mut r,
                                format!("touch: cannot touch '{o}': No such file or directory\n"),
                            );
                        }
                    }
                    Err(e) => fail(&mut r, e),
                }
            }
        }
        "rm" => {
            for o in &operands {
                match session.resolve(o) {
                    Ok(p) if p == session.workspace => fail(
                        &mut r,
                        "docktutor: refusing to remove the workspace itself\n".into(),
                    ),
                    Ok(p) => {
                        // A link is removed itself, never what it points to.
                        let is_link =
                            fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink());
                        let res = if p.is_dir() && !is_link {
                            if has('r') || has('R') {
                                fs::remove_dir_all(&p)
                            } else {
                                fail(&mut r, format!("rm: cannot remove '{o}': Is a directory\n"));
                                continue;
                            }
                        } else {
                            fs::remove_file(&p)
                        };
                        if res.is_err() && !has('f') {
                            fail(
                                &mut r,
                                format!("rm: cannot remove '{o}': No such file or directory\n"),
                            );
                        }
                    }
                    Err(e) => fail(&mut r, e),
                }
            }
        }
        "cp" => copy(session, &operands, has('r') || has('R') || has('a'), &mut r),
        "ln" => link(session, &operands, has('s'), has('f'), &mut r),
        "cat" => {
            if operands.is_empty() {
                r.stdout = String::from_utf8_lossy(&stdin.unwrap_or_default()).into_owned();
            }
            for o in &operands {
                match session.resolve(o) {
                    Ok(p) if p.is_dir() => fail(&mut r, format!("cat: {o}: Is a directory\n")),
                    Ok(p) => match fs::read(&p) {
                        Ok(b) => r.stdout.push_str(&String::from_utf8_lossy(&b)),
                        Err(_) => fail(&mut r, format!("cat: {o}: No such file or directory\n")),
                    },
                    Err(e) => fail(&mut r, e),
                }
            }
        }
        "ls" => {
            let targets: Vec<String> = if operands.is_empty() {
                vec![".".into()]
            } else {
                operands.iter().map(|s| s.to_string()).collect()
            };
            let many = targets.len() > 1;
            for (i, t) in targets.iter().enumerate() {
                let p = match session.resolve(t) {
                    Ok(p) => p,
                    Err(e) => {
                        fail(&mut r, e);
                        continue;
                    }
                };
                if !p.exists() {
                    fail(
                        &mut r,
                        format!("ls: cannot access '{t}': No such file or directory\n"),
                    );
                    r.code = 2;
                    continue;
                }
                if p.is_file() {
                    r.stdout.push_str(&format!("{t}\n"));
                    continue;
                }
                if many {
                    if i > 0 {
                        r.stdout.push('\n');
                    }
                    r.stdout.push_str(&format!("{t}:\n"));
                }
                let mut names: Vec<String> = fs::read_dir(&p)
                    .map(|rd| {
                        rd.filter_map(|e| e.ok())
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                if !has('a') {
                    names.retain(|n| !n.starts_with('.'));
                }
                names.sort();
                for n in names {
                    if has('l') {
                        let meta = fs::symlink_metadata(p.join(&n)).ok();
                        let size = meta.as_ref().map_or(0, |m| m.len());
                        if meta.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
                            let target = fs::read_link(p.join(&n)).unwrap_or_default();
                            r.stdout.push_str(&format!(
                                "lrwxrwxrwx 1 you you {size:>6} {n} -> {}\n",
                                target.display()
                            ));
                            continue;
                        }
                        let kind = if meta.as_ref().is_some_and(|m| m.is_dir()) {
                            'd'
                        } else {
                            '-'
                        };
                        r.stdout
                            .push_str(&format!("{kind}rw-r--r-- 1 you you {size:>6} {n}\n"));
                    } else {
                        r.stdout.push_str(&format!("{n}\n"));
                    }
                }
            }
        }
        other => {
            let mut msg =
                format!("docktutor: `{other}` is not available at the tutor's host prompt.\n");
            msg.push_str(&format!(
                "  It understands `docker …` and: {}\n",
                HOST_COMMANDS.join(", ")
            ));
            if let Some(s) = crate::command::suggest::closest(
                other,
                HOST_COMMANDS.iter().copied().chain(["docker"]),
            ) {
                msg.push_str(&format!("  Did you mean `{s}`?\n"));
            }
            r.stderr = msg;
            r.code = 127;
        }
    }
    r
}

/// `cp SRC… DEST` (`-r` for folders), GNU's messages. Sources are followed when they are
/// links, as GNU cp does; links can only be made inside the workspace (see [`link`]).
fn copy(session: &Session, operands: &[&String], recursive: bool, r: &mut Run) {
    let fail = |r: &mut Run, msg: String| {
        r.stderr.push_str(&msg);
        r.code = 1;
    };
    let Some((dest_typed, sources)) = operands.split_last() else {
        return fail(r, "cp: missing file operand\n".into());
    };
    if sources.is_empty() {
        return fail(
            r,
            format!("cp: missing destination file operand after '{dest_typed}'\n"),
        );
    }
    let dest = match session.resolve(dest_typed) {
        Ok(p) => p,
        Err(e) => return fail(r, e),
    };
    if sources.len() > 1 && !dest.is_dir() {
        return fail(r, format!("cp: target '{dest_typed}' is not a directory\n"));
    }
    for typed in sources {
        let src = match session.resolve(typed) {
            Ok(p) => p,
            Err(e) => {
                fail(r, e);
                continue;
            }
        };
        if !src.exists() {
            fail(
                r,
                format!("cp: cannot stat '{typed}': No such file or directory\n"),
            );
            continue;
        }
        let to = match (dest.is_dir(), src.file_name()) {
            (true, Some(name)) => dest.join(name),
            _ => dest.clone(),
        };
        if src.is_dir() {
            if !recursive {
                fail(
                    r,
                    format!("cp: -r not specified; omitting directory '{typed}'\n"),
                );
                continue;
            }
            if to.starts_with(&src) {
                fail(
                    r,
                    format!(
                        "cp: cannot copy a directory, '{typed}', into itself, '{dest_typed}'\n"
                    ),
                );
                continue;
            }
            if let Err(e) = copy_tree(&src, &to) {
                fail(r, format!("cp: cannot create '{dest_typed}': {e}\n"));
            }
        } else if let Err(e) = fs::copy(&src, &to) {
            fail(
                r,
                format!(
                    "cp: cannot create regular file '{dest_typed}': {}\n",
                    io_reason(&e)
                ),
            );
        }
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// `ln -s TARGET LINK` (and `ln TARGET LINK`, a hard link). A symbolic link may point only
/// inside the workspace, so following it later never leaves it.
fn link(session: &Session, operands: &[&String], symbolic: bool, force: bool, r: &mut Run) {
    let fail = |r: &mut Run, msg: String| {
        r.stderr.push_str(&msg);
        r.code = 1;
    };
    let (target, name) = match operands {
        [] => return fail(r, "ln: missing file operand\n".into()),
        [t] => (
            t.as_str(),
            Path::new(t.as_str())
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned()),
        ),
        [t, n] => (t.as_str(), n.to_string()),
        _ => {
            return fail(
                r,
                "docktutor: the tutor's `ln` takes one target and one link name\n".into(),
            )
        }
    };
    let mut at = match session.resolve(&name) {
        Ok(p) => p,
        Err(e) => return fail(r, e),
    };
    if at.is_dir() && !fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
        if let Some(base) = Path::new(target).file_name() {
            at = at.join(base);
        }
    }
    let kind = if symbolic {
        "symbolic link"
    } else {
        "hard link"
    };
    let shown = name.trim_end_matches('/');
    if fs::symlink_metadata(&at).is_ok() {
        if !force {
            return fail(
                r,
                format!("ln: failed to create {kind} '{shown}': File exists\n"),
            );
        }
        let _ = fs::remove_file(&at);
    }
    let made = if symbolic {
        // Where the link will lead, seen from the folder it lives in.
        let dir = at.parent().unwrap_or(&session.workspace).to_path_buf();
        let mut lands = if Path::new(target).is_absolute() {
            PathBuf::from("/")
        } else {
            dir
        };
        for c in Path::new(target).components() {
            match c {
                Component::ParentDir => {
                    lands.pop();
                }
                Component::Normal(s) => lands.push(s),
                _ => {}
            }
        }
        if !lands.starts_with(&session.workspace) {
            return fail(
                r,
                format!(
                    "docktutor: {target} is outside this lesson's workspace ({}); links stay inside it\n",
                    session.workspace.display()
                ),
            );
        }
        symlink(target, &at)
    } else {
        match session.resolve(target) {
            Ok(src) => fs::hard_link(&src, &at),
            Err(e) => return fail(r, e),
        }
    };
    if let Err(e) = made {
        let why = io_reason(&e);
        if symbolic {
            fail(r, format!("ln: failed to create {kind} '{shown}': {why}\n"));
        } else {
            fail(r, format!("ln: failed to access '{target}': {why}\n"));
        }
    }
}

#[cfg(unix)]
fn symlink(target: &str, at: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, at)
}

#[cfg(not(unix))]
fn symlink(_target: &str, _at: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "symbolic links are not supported on this system",
    ))
}

fn io_reason(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory",
        std::io::ErrorKind::AlreadyExists => "File exists",
        std::io::ErrorKind::PermissionDenied => "Permission denied",
        _ => "Input/output error",
    }
}

#[cfg(test)]
mod tests {
    use super::super::Session;
    use crate::engine::sim::SimEngine;

    fn session(dir: &std::path::Path) -> Session {
        Session::new(Box::new(SimEngine::deterministic(0)), dir).unwrap()
    }

    #[test]
    fn cp_copies_files_and_folders_with_gnu_messages() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        s.execute("mkdir -p shared app");
        s.execute("echo a,b > shared/data.csv");
        assert_eq!(s.execute("cp shared/data.csv app").exit_code, 0);
        assert_eq!(s.execute("cat app/data.csv").stdout, "a,b\n");
        let r = s.execute("cp shared app2");
        assert_eq!(
            r.stderr,
            "cp: -r not specified; omitting directory 'shared'\n"
        );
        assert_eq!(r.exit_code, 1);
        assert_eq!(s.execute("cp -r shared app2").exit_code, 0);
        assert_eq!(s.execute("cat app2/data.csv").stdout, "a,b\n");
        let r = s.execute("cp nope app");
        assert_eq!(
            r.stderr,
            "cp: cannot stat 'nope': No such file or directory\n"
        );
    }

    #[test]
    fn ln_makes_links_that_stay_inside_the_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = session(dir.path());
        s.execute("mkdir -p shared app");
        s.execute("echo hi > shared/notes.txt");
        assert_eq!(
            s.execute("ln -s ../shared/notes.txt app/notes.txt")
                .exit_code,
            0
        );
        assert_eq!(s.execute("cat app/notes.txt").stdout, "hi\n");
        assert!(s
            .execute("ls -l app")
            .stdout
            .contains("notes.txt -> ../shared/notes.txt"));
        let r = s.execute("ln -s ../shared/notes.txt app/notes.txt");
        assert_eq!(
            r.stderr,
            "ln: failed to create symbolic link 'app/notes.txt': File exists\n"
        );
        let r = s.execute("ln -s /etc/passwd app/passwd");
        assert!(r.stderr.contains("links stay inside it"), "{}", r.stderr);
        let r = s.execute("ln -s ../../../x app/x");
        assert!(r.stderr.contains("links stay inside it"), "{}", r.stderr);
        // Removing a link removes the link, not what it points to.
        assert_eq!(s.execute("rm app/notes.txt").exit_code, 0);
        assert_eq!(s.execute("cat shared/notes.txt").stdout, "hi\n");
    }
}
