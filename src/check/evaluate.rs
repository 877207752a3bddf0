//! Asking the engine and the workspace whether a check holds.

use std::io::Read;
use std::path::Path;

use super::predicate::*;
use crate::client::reference;
use crate::engine::{ContainerSummary, Engine, EngineError, MountKind};
use crate::session::LineResult;

/// What a check can look at: the engine, the learner's workspace, and what happened in the
/// lesson so far.
pub struct CheckContext<'a> {
    pub engine: &'a mut dyn Engine,
    pub workspace: &'a Path,
    /// Containers made during the lesson, oldest first (full ids).
    pub created: &'a [String],
    pub last: Option<&'a LineResult>,
    pub inside_container: bool,
    /// When the current step began, on the engine's clock (for `restarted`).
    pub step_started: Option<crate::engine::Timestamp>,
}

/// A check's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// `sentence` is the lesson's failure sentence; `found` says what the check saw instead.
    Fail {
        sentence: String,
        found: String,
    },
}

impl Verdict {
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Pass)
    }
}

/// Evaluate one check.
pub fn evaluate(check: &Check, cx: &mut CheckContext<'_>) -> Verdict {
    match observe(&check.predicate, cx) {
        Ok(()) => Verdict::Pass,
        Err(found) => Verdict::Fail {
            sentence: check.fail.clone(),
            found,
        },
    }
}

/// `Ok` when the predicate holds, otherwise what was found instead.
fn observe(p: &Predicate, cx: &mut CheckContext<'_>) -> Result<(), String> {
    match p {
        Predicate::Container(c) => container(c, cx),
        Predicate::Containers(c) => containers(c, cx),
        Predicate::File(c) => file(c, cx),
        Predicate::Host(c) => host(c, cx),
        Predicate::Image(c) => image(c, cx),
        Predicate::Last(c) => last(c, cx),
        Predicate::Logs(c) => logs(c, cx),
        Predicate::Prompt(c) => match (c.inside, cx.inside_container) {
            (true, false) => Err("you are at the host prompt, not inside a container".into()),
            (false, true) => Err("you are still inside a container shell".into()),
            _ => Ok(()),
        },
    }
}

/// Resolve a lesson's container reference to something the engine accepts.
fn resolve(target: &ContainerRef, cx: &CheckContext<'_>) -> Result<String, String> {
    let pick = |i: Option<usize>| {
        i.and_then(|i| cx.created.get(i))
            .cloned()
            .ok_or_else(|| "no container has been made in this lesson yet".to_string())
    };
    let n = cx.created.len();
    match target {
        ContainerRef::Last => pick(n.checked_sub(1)),
        ContainerRef::First => pick(Some(0)),
        ContainerRef::Previous => pick(n.checked_sub(2))
            .map_err(|_| "fewer than two containers have been made in this lesson".to_string()),
        ContainerRef::Named(name) => Ok(name.clone()),
    }
}

fn describe(s: &ContainerSummary) -> String {
    format!("`{}` ({})", s.name, s.status_text)
}

fn container(c: &ContainerCheck, cx: &mut CheckContext<'_>) -> Result<(), String> {
    let reference = match resolve(&c.target, cx) {
        Ok(r) => r,
        Err(why) if !c.exists => {
            let _ = why;
            return Ok(());
        }
        Err(why) => return Err(why),
    };
    let details = match cx.engine.container_inspect(&reference) {
        Ok(d) => d,
        Err(EngineError::Daemon { status: 404, .. }) => {
            return if c.exists {
                Err(format!("{} does not exist", c.target))
            } else {
                Ok(())
            };
        }
        Err(e) => return Err(format!("the engine could not say: {e}")),
    };
    let s = &details.summary;
    if !c.exists {
        return Err(format!("{} still exists: {}", c.target, describe(s)));
    }
    if let Some(want) = c.status {
        if s.status.as_str() != want.as_str() {
            return Err(format!(
                "{} is {}, not {}",
                c.target,
                s.status.as_str(),
                want.as_str()
            ));
        }
    }
    if let Some(code) = c.exit_code {
        if s.status.as_str() != "exited" {
            return Err(format!(
                "{} has not exited yet ({})",
                c.target, s.status_text
            ));
        }
        if s.exit_code != code {
            return Err(format!(
                "{} exited with {}, not {code}",
                c.target, s.exit_code
            ));
        }
    }
    if let Some(img) = &c.image {
        if !same_image(cx.engine, img, s) {
            return Err(format!(
                "{} was made from `{}`, not `{img}`",
                c.target, s.image
            ));
        }
    }
    if c.restarted == Some(true) {
        let after = match (details.started_at, cx.step_started) {
            (Some(started), Some(step)) => started > step,
            _ => false,
        };
        if !after || s.status.as_str() != "running" {
            return Err(format!(
                "{} has not been started again during this step ({})",
                c.target, s.status_text
            ));
        }
    }
    let at_target = |m: &&crate::engine::Mount| {
        c.mount
            .as_deref()
            .is_none_or(|d| m.target.trim_end_matches('/') == d.trim_end_matches('/'))
    };
    if let Some(dest) = &c.mount {
        if !s.mounts.iter().any(|m| at_target(&m)) {
            return Err(format!(
                "{} has no volume or bind mount at {dest}",
                c.target
            ));
        }
    }
    if let Some(folder) = &c.bind {
        let want = cx.workspace.join(folder.trim_start_matches("./"));
        let want = want.canonicalize().unwrap_or(want);
        let found = s.mounts.iter().filter(at_target).any(|m| {
            m.kind == MountKind::Bind
                && Path::new(&m.source).canonicalize().is_ok_and(|p| p == want)
        });
        if !found {
            let what: Vec<String> = s
                .mounts
                .iter()
                .filter(at_target)
                .map(|m| {
                    let kind = match m.kind {
                        MountKind::Bind => "a bind mount of",
                        MountKind::Volume => "the volume",
                        MountKind::Tmpfs => "a tmpfs",
                    };
                    format!("{kind} {} at {}", m.source, m.target)
                })
                .collect();
            return Err(if what.is_empty() {
                format!("{} has no bind mount of ./{folder}", c.target)
            } else {
                format!(
                    "{} mounts {}, not your folder ./{folder}",
                    c.target,
                    what.join(", ")
                )
            });
        }
    }
    Ok(())
}

/// Whether container `s` was made from image `reference` (by id, so `ubuntu` and
/// `ubuntu:latest` and the image's id all match).
fn same_image(engine: &mut dyn Engine, reference: &str, s: &ContainerSummary) -> bool {
    if let Ok(details) = engine.image_inspect(reference) {
        if !s.image_id.is_empty() && details.summary.id == s.image_id {
            return true;
        }
    }
    let norm = |r: &str| {
        reference::parse_normalized(r)
            .map(|r| r.to_string())
            .unwrap_or_else(|_| r.to_string())
    };
    norm(reference) == norm(&s.image)
}

fn containers(c: &ContainersCheck, cx: &mut CheckContext<'_>) -> Result<(), String> {
    let all = cx
        .engine
        .container_list(true, false)
        .map_err(|e| format!("the engine could not list containers: {e}"))?;
    let mut matching = Vec::new();
    for s in &all {
        if let Some(img) = &c.image {
            if !same_image(cx.engine, img, s) {
                continue;
            }
        }
        if let Some(status) = c.status {
            if s.status.as_str() != status.as_str() {
                continue;
            }
        }
        matching.push(s);
    }
    let n = matching.len();
    let what = match (&c.image, c.status) {
        (Some(i), Some(s)) => format!("{} container(s) from `{i}`", s.as_str()),
        (Some(i), None) => format!("container(s) from `{i}`"),
        (None, Some(s)) => format!("{} container(s)", s.as_str()),
        (None, None) => "container(s)".to_string(),
    };
    let listing = if matching.is_empty() {
        String::new()
    } else {
        format!(
            ": {}",
            matching
                .iter()
                .map(|s| describe(s))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if let Some(want) = c.count {
        if n != want {
            return Err(format!("{n} {what} (expected {want}){listing}"));
        }
    }
    if let Some(min) = c.min {
        if n < min {
            return Err(format!("{n} {what} (expected at least {min}){listing}"));
        }
    }
    Ok(())
}

fn file(c: &FileCheck, cx: &mut CheckContext<'_>) -> Result<(), String> {
    let reference = resolve(&c.container, cx)?;
    let stat = cx.engine.path_stat(&reference, &c.path);
    match (stat, c.exists) {
        (
            Err(EngineError::Daemon {
                status: 404,
                message,
            }),
            true,
        ) => {
            if message.contains("No such container") {
                Err(format!("{} does not exist", c.container))
            } else {
                Err(format!("{} is not in {}", c.path, c.container))
            }
        }
        (Err(EngineError::Daemon { status: 404, .. }), false) => Ok(()),
        (Err(e), _) => Err(format!("the engine could not look: {e}")),
        (Ok(_), false) => Err(format!("{} is there in {}", c.path, c.container)),
        (Ok(stat), true) => {
            let Some(needle) = &c.contains else {
                return Ok(());
            };
            if stat.is_dir() {
                return Err(format!("{} is a directory", c.path));
            }
            let tar = cx
                .engine
                .archive_get(&reference, &c.path)
                .map_err(|e| format!("the engine could not read {}: {e}", c.path))?;
            let text =
                first_file_in_tar(&tar).ok_or_else(|| format!("{} could not be read", c.path))?;
            if text.contains(needle.as_str()) {
                Ok(())
            } else {
                Err(format!("{} holds {}", c.path, quote_excerpt(&text)))
            }
        }
    }
}

fn first_file_in_tar(tar: &[u8]) -> Option<String> {
    let mut archive = tar::Archive::new(tar);
    let mut entry = archive.entries().ok()?.next()?.ok()?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fn quote_excerpt(text: &str) -> String {
    let t = text.trim_end();
    if t.is_empty() {
        return "nothing (it is empty)".into();
    }
    let short: String = t.chars().take(60).collect();
    if short.len() < t.len() {
        format!("{short:?}…")
    } else {
        format!("{short:?}")
    }
}

fn host(c: &HostCheck, cx: &mut CheckContext<'_>) -> Result<(), String> {
    let path = cx.workspace.join(c.path.trim_start_matches("./"));
    let shown = format!("./{}", c.path.trim_start_matches("./"));
    match (path.exists(), c.exists) {
        (false, true) => Err(format!("{shown} is not in your workspace folder")),
        (false, false) => Ok(()),
        (true, false) => Err(format!("{shown} is in your workspace folder")),
        (true, true) => {
            let Some(needle) = &c.contains else {
                return Ok(());
            };
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("{shown} could not be read: {e}"))?;
            if text.contains(needle.as_str()) {
                Ok(())
            } else {
                Err(format!("{shown} holds {}", quote_excerpt(&text)))
            }
        }
    }
}

fn image(c: &ImageCheck, cx: &mut CheckContext<'_>) -> Result<(), String> {
    let details = match (cx.engine.image_inspect(&c.reference), c.exists) {
        (Ok(d), true) => d,
        (Err(EngineError::Daemon { status: 404, .. }), false) => return Ok(()),
        (Ok(_), false) => return Err(format!("image `{}` is still there", c.reference)),
        (Err(EngineError::Daemon { status: 404, .. }), true) => {
            return Err(format!("there is no image `{}`", c.reference))
        }
        (Err(e), _) => return Err(format!("the engine could not look: {e}")),
    };
    let name = &c.reference;
    let config = &details.config;
    if let Some(want) = &c.label {
        let (key, value) = match want.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (want.as_str(), None),
        };
        match (config.labels.get(key), value) {
            (None, _) => return Err(format!("image `{name}` has no label `{key}`")),
            (Some(found), Some(v)) if found != v => {
                return Err(format!("label `{key}` of image `{name}` is {found:?}"))
            }
            _ => {}
        }
    }
    if let Some(want) = &c.env {
        if !config.env.iter().any(|e| e == want) {
            let key = want.split_once('=').map_or(want.as_str(), |(k, _)| k);
            let prefix = format!("{key}=");
            return Err(match config.env.iter().find(|e| e.starts_with(&prefix)) {
                Some(found) => format!("image `{name}` sets `{found}`"),
                None => format!("image `{name}` does not set `{key}`"),
            });
        }
    }
    if let Some(want) = &c.cmd {
        if config.cmd.as_ref() != Some(want) {
            return Err(match &config.cmd {
                Some(found) => format!(
                    "the default command of image `{name}` is {}",
                    serde_json::to_string(found).unwrap_or_default()
                ),
                None => format!("image `{name}` has no default command"),
            });
        }
    }
    if let Some(want) = &c.exposes {
        let want = if want.contains('/') {
            want.clone()
        } else {
            format!("{want}/tcp")
        };
        if !config.exposed_ports.contains(&want) {
            return Err(format!(
                "image `{name}` exposes {}",
                if config.exposed_ports.is_empty() {
                    "no ports".to_string()
                } else {
                    config.exposed_ports.join(", ")
                }
            ));
        }
    }
    for (other, same) in [(&c.same_as, true), (&c.differs_from, false)] {
        let Some(other) = other else { continue };
        let theirs = match cx.engine.image_inspect(other) {
            Ok(d) => d.summary.id,
            Err(EngineError::Daemon { status: 404, .. }) => {
                return Err(format!("there is no image `{other}` to compare with"))
            }
            Err(e) => return Err(format!("the engine could not look: {e}")),
        };
        let short = |id: &str| {
            let hex = id.strip_prefix("sha256:").unwrap_or(id);
            hex[..12.min(hex.len())].to_string()
        };
        match (theirs == details.summary.id, same) {
            (false, true) => {
                return Err(format!(
                    "`{name}` is image {} but `{other}` is image {}",
                    short(&details.summary.id),
                    short(&theirs)
                ))
            }
            (true, false) => {
                return Err(format!(
                    "`{name}` and `{other}` are the same image ({})",
                    short(&theirs)
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

fn last(c: &LastCheck, cx: &mut CheckContext<'_>) -> Result<(), String> {
    let Some(last) = cx.last else {
        return Err("nothing has been typed yet".into());
    };
    if let Some(globs) = &c.command {
        if !globs.matches(&last.line) {
            return Err(format!("the last command was `{}`", last.line.trim()));
        }
    }
    if let Some(code) = c.exit_code {
        if last.exit_code != code {
            return Err(format!(
                "`{}` exited with {}, not {code}",
                last.line.trim(),
                last.exit_code
            ));
        }
    }
    if let Some(needle) = &c.stdout {
        if !last.stdout.contains(needle.as_str()) {
            return Err(format!("`{}` did not print {needle:?}", last.line.trim()));
        }
    }
    if let Some(needle) = &c.stderr {
        if !last.stderr.contains(needle.as_str()) {
            return Err(format!("`{}` did not report {needle:?}", last.line.trim()));
        }
    }
    Ok(())
}

fn logs(c: &LogsCheck, cx: &mut CheckContext<'_>) -> Result<(), String> {
    let reference = resolve(&c.container, cx)?;
    let lines = cx
        .engine
        .container_logs(&reference, &Default::default())
        .map_err(|e| format!("the engine could not read the logs: {e}"))?;
    let text: String = lines.iter().map(|l| l.text.as_str()).collect();
    if text.contains(c.contains.as_str()) {
        Ok(())
    } else {
        Err(format!(
            "the logs of {} do not contain {:?}",
            c.container, c.contains
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::reference::parse_normalized;
    use crate::engine::sim::SimEngine;

    fn holds(engine: &mut dyn Engine, c: ImageCheck) -> Result<(), String> {
        let dir = tempfile::tempdir().unwrap();
        let mut cx = CheckContext {
            engine,
            workspace: dir.path(),
            created: &[],
            last: None,
            inside_container: false,
            step_started: None,
        };
        image(&c, &mut cx)
    }

    fn check(reference: &str) -> ImageCheck {
        ImageCheck {
            reference: reference.into(),
            exists: true,
            ..Default::default()
        }
    }

    #[test]
    fn image_checks_read_the_config_and_compare_ids() {
        let mut engine = SimEngine::deterministic(0);
        let busybox = parse_normalized("busybox").unwrap();
        engine.image_pull(&busybox, &mut |_| {}).unwrap();
        engine
            .image_tag("busybox", &parse_normalized("me/tools:1.0").unwrap())
            .unwrap();
        let e: &mut dyn Engine = &mut engine;

        let same = ImageCheck {
            same_as: Some("busybox".into()),
            ..check("me/tools:1.0")
        };
        assert_eq!(holds(e, same), Ok(()));
        let differs = ImageCheck {
            differs_from: Some("busybox".into()),
            ..check("me/tools:1.0")
        };
        let found = holds(e, differs).unwrap_err();
        assert!(found.contains("are the same image"), "{found}");

        let cmd = ImageCheck {
            cmd: Some(vec!["sh".into()]),
            ..check("busybox")
        };
        assert_eq!(holds(e, cmd), Ok(()));
        let cmd = ImageCheck {
            cmd: Some(vec!["cat".into()]),
            ..check("busybox")
        };
        assert_eq!(
            holds(e, cmd),
            Err("the default command of image `busybox` is [\"sh\"]".into())
        );
        let label = ImageCheck {
            label: Some("com.example.version=1".into()),
            ..check("busybox")
        };
        assert_eq!(
            holds(e, label),
            Err("image `busybox` has no label `com.example.version`".into())
        );
        let port = ImageCheck {
            exposes: Some("80".into()),
            ..check("busybox")
        };
        assert_eq!(
            holds(e, port),
            Err("image `busybox` exposes no ports".into())
        );
        let env = ImageCheck {
            env: Some("PATH=/bin".into()),
            ..check("busybox")
        };
        let found = holds(e, env).unwrap_err();
        assert!(
            found.starts_with("image `busybox` sets `PATH=/usr/local/sbin"),
            "{found}"
        );
    }
}
