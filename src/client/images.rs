//! Image commands: images, pull, push, tag, rmi, history, image prune, build.

use std::path::Path;

use super::containers::{confirm, template_error};
use super::output::{error_text, Output};
use super::reference::{fully_qualified, parse, parse_normalized, remote_name};
use super::{Client, Stdin};
use crate::command::Invocation;
use crate::engine::{BuildOptions, EngineError, ImageDeleteItem, ProgressEvent};
use crate::render;

/// One progress message as the docker CLI prints it when stdout is not a terminal:
/// `id: status`, or the builder's stream verbatim; progress bars are terminal-only.
pub(super) fn progress_line(ev: &ProgressEvent) -> String {
    if let Some(s) = &ev.stream {
        return s.clone();
    }
    // "Pushing [==>   ] 1.2MB/4MB" and "Downloading …" are drawn only on a terminal.
    if ev.progress.as_deref().is_some_and(|p| !p.is_empty()) {
        return String::new();
    }
    match (&ev.id, &ev.status) {
        (Some(id), Some(status)) => format!("{id}: {status}\n"),
        (None, Some(status)) => format!("{status}\n"),
        _ => String::new(),
    }
}

/// An `image inspect` document in the shape of the docker CLI's typed value
/// (`image.InspectResponse`, its `Config` an OCI image config), which its templates see
/// first: fields the daemon left out or sent as null are Go's zero values, so
/// `{{.Config.Entrypoint}}` prints `[]` and `{{.Config.Labels}}` `map[]`, as with docker.
pub(crate) fn typed_image_inspect(raw: &serde_json::Value) -> serde_json::Value {
    use serde_json::{json, Value};
    fn fill(obj: &mut serde_json::Map<String, Value>, key: &str, zero: Value) {
        let slot = obj.entry(key.to_string()).or_insert(Value::Null);
        if slot.is_null() {
            *slot = zero;
        }
    }
    let mut v = raw.clone();
    let Some(top) = v.as_object_mut() else {
        return v;
    };
    for key in [
        "Id",
        "Parent",
        "Comment",
        "Created",
        "DockerVersion",
        "Author",
        "Architecture",
        "Os",
    ] {
        fill(top, key, json!(""));
    }
    fill(top, "RepoTags", json!([]));
    fill(top, "RepoDigests", json!([]));
    fill(top, "Size", json!(0));
    if let Some(config) = top.get_mut("Config").and_then(Value::as_object_mut) {
        for key in ["User", "WorkingDir", "StopSignal"] {
            fill(config, key, json!(""));
        }
        for key in ["Env", "Entrypoint", "Cmd", "OnBuild", "Shell"] {
            fill(config, key, json!([]));
        }
        for key in ["ExposedPorts", "Volumes", "Labels"] {
            fill(config, key, json!({}));
        }
        fill(config, "ArgsEscaped", json!(false));
    }
    if let Some(rootfs) = top.get_mut("RootFS").and_then(Value::as_object_mut) {
        fill(rootfs, "Type", json!(""));
        fill(rootfs, "Layers", json!([]));
    }
    if let Some(driver) = top.get_mut("GraphDriver").and_then(Value::as_object_mut) {
        fill(driver, "Name", json!(""));
        fill(driver, "Data", json!({}));
    }
    v
}

impl Client<'_> {
    pub(super) fn cmd_images(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let mut rows = match self.engine.image_list(inv.flag("all")) {
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
        if let Err(msg) = super::filters::retain_images(&mut rows, &filters) {
            out.eprintln(&msg);
            return 1;
        }
        if let Some(repo) = inv.args.first() {
            // `docker images ubuntu` / `docker images ubuntu:14.04`
            let (want_repo, want_tag) =
                match repo.rsplit_once(':').filter(|(_, t)| !t.contains('/')) {
                    Some((r, t)) => (r.to_string(), Some(t.to_string())),
                    None => (repo.clone(), None),
                };
            rows.retain(|img| {
                img.repo_tags.iter().any(|rt| match rt.rsplit_once(':') {
                    Some((r, t)) => r == want_repo && want_tag.as_deref().is_none_or(|w| w == t),
                    None => false,
                })
            });
            for img in rows.iter_mut() {
                img.repo_tags.retain(|rt| match rt.rsplit_once(':') {
                    Some((r, t)) => r == want_repo && want_tag.as_deref().is_none_or(|w| w == t),
                    None => false,
                });
            }
        }
        let now = self.engine.now();
        let opts = render::formatter::ImagesOptions {
            quiet: inv.flag("quiet"),
            no_trunc: inv.flag("no-trunc"),
            digests: inv.flag("digests"),
        };
        match render::formatter::images(&rows, now, &opts, inv.value("format")) {
            Ok(text) => {
                out.print(&text);
                0
            }
            Err(e) => template_error(&e, out),
        }
    }

    pub(super) fn cmd_pull(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let text = &inv.args[0];
        let reference = match parse(text) {
            Ok(r) => r,
            Err(e) => {
                out.eprintln(&e.to_string());
                return 1;
            }
        };
        let mut reference = reference;
        if reference.tag.is_none() && reference.digest.is_none() {
            if inv.flag("all-tags") {
                out.unsupported("`docker pull --all-tags`");
                return 1;
            }
            out.println("Using default tag: latest");
            reference.tag = Some("latest".into());
        }
        let quiet = inv.flag("quiet");
        let mut printed = String::new();
        let mut stream_error = None;
        let r = self.engine.image_pull(&reference, &mut |ev| {
            if let Some(e) = &ev.error {
                stream_error = Some(e.clone());
            } else if !quiet {
                printed.push_str(&progress_line(ev));
            }
        });
        out.print(&printed);
        if let Err(e) = r {
            out.engine_error(&e);
            return 1;
        }
        if let Some(e) = stream_error {
            out.eprintln(&e);
            return 1;
        }
        out.println(&fully_qualified(&reference));
        0
    }

    pub(super) fn cmd_push(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let mut reference = match parse(&inv.args[0]) {
            Ok(r) => r,
            Err(e) => {
                out.eprintln(&e.to_string());
                return 1;
            }
        };
        if reference.tag.is_none() && !inv.flag("all-tags") {
            out.println("Using default tag: latest");
            reference.tag = Some("latest".into());
        }
        let quiet = inv.flag("quiet");
        let mut printed = String::new();
        let mut stream_error = None;
        let r = self.engine.image_push(&reference, &mut |ev| {
            if let Some(e) = &ev.error {
                stream_error = Some(e.clone());
            } else if !quiet {
                printed.push_str(&progress_line(ev));
            }
        });
        out.print(&printed);
        if let Err(e) = r {
            out.eprintln(&error_text(&e));
            return 1;
        }
        if let Some(e) = stream_error {
            out.eprintln(&e);
            return 1;
        }
        let _ = remote_name(&reference);
        0
    }

    pub(super) fn cmd_tag(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let target = match parse_normalized(&inv.args[1]) {
            Ok(r) => r,
            Err(e) => {
                out.eprintln(&format!(
                    "Error parsing reference: \"{}\" is not a valid repository/tag: {e}",
                    inv.args[1]
                ));
                return 1;
            }
        };
        if target.digest.is_some() {
            out.eprintln("refusing to create a tag with a digest reference");
            return 1;
        }
        let source = &inv.args[0];
        if let Err(e) = parse(source) {
            if !is_id_like(source) {
                out.eprintln(&format!(
                    "Error parsing reference: \"{source}\" is not a valid repository/tag: {e}"
                ));
                return 1;
            }
        }
        match self.engine.image_tag(source, &target) {
            Ok(()) => 0,
            Err(e) => {
                out.engine_error(&e);
                1
            }
        }
    }

    pub(super) fn cmd_rmi(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let mut failed = false;
        for name in &inv.args {
            match self.engine.image_remove(name, inv.flag("force")) {
                Ok(items) => {
                    for item in items {
                        match item {
                            ImageDeleteItem::Untagged(t) => out.println(&format!("Untagged: {t}")),
                            ImageDeleteItem::Deleted(d) => out.println(&format!("Deleted: {d}")),
                        }
                    }
                }
                Err(e) => {
                    out.engine_error(&e);
                    failed = true;
                }
            }
        }
        i32::from(failed)
    }

    pub(super) fn cmd_history(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let rows = match self.engine.image_history(&inv.args[0]) {
            Ok(r) => r,
            Err(e) => {
                out.engine_error(&e);
                return 1;
            }
        };
        let now = self.engine.now();
        let opts = render::formatter::HistoryOptions {
            quiet: inv.flag("quiet"),
            no_trunc: inv.flag("no-trunc"),
            human: !inv.flags.contains_key("human") || inv.flag("human"),
        };
        match render::formatter::history(&rows, now, &opts, inv.value("format")) {
            Ok(text) => {
                out.print(&text);
                0
            }
            Err(e) => template_error(&e, out),
        }
    }

    pub(super) fn cmd_image_prune(
        &mut self,
        inv: &Invocation,
        stdin: Stdin,
        out: &mut Output,
    ) -> i32 {
        let all = inv.flag("all");
        let warning = if all {
            "WARNING! This will remove all images without at least one container associated to them."
        } else {
            "WARNING! This will remove all dangling images."
        };
        if !confirm(inv, stdin, warning, out) {
            return 0;
        }
        match self.engine.image_prune(all) {
            Ok(report) => {
                if !report.deleted.is_empty() {
                    out.println("Deleted Images:");
                    for line in &report.deleted {
                        out.println(line);
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

    pub(super) fn cmd_build(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        // Before anything else, as the CLI does: even a bad tag or a missing context follows it.
        let legacy = self.legacy_builder_warning();
        if let Some(warning) = legacy {
            out.eprint(warning);
        }
        let context = self.options.cwd.join(&inv.args[0]);
        let mut tags = Vec::new();
        for t in inv.values("tag") {
            match parse_normalized(t) {
                Ok(r) => tags.push(r),
                Err(e) => {
                    // A flag error: cobra adds the usage line, as for an unknown flag.
                    out.eprintln(&format!(
                        "invalid argument \"{t}\" for \"-t, --tag\" flag: {e}\n\nUsage:  docker build [OPTIONS] PATH | URL | -\n\nRun 'docker build --help' for more information"
                    ));
                    return 125;
                }
            }
        }
        let dockerfile = inv.value("file").map(str::to_string);
        let tar = match super::archive::pack_build_context(
            &context,
            dockerfile.as_deref().map(Path::new),
            &self.options.cwd,
        ) {
            Ok(t) => t,
            Err(msg) => {
                out.eprintln(&msg);
                return 1;
            }
        };
        let buildkit = self
            .options
            .env
            .get("DOCKER_BUILDKIT")
            .is_some_and(|v| v == "1" || v == "true");
        let mut build_args = std::collections::BTreeMap::new();
        for a in inv.values("build-arg") {
            let (k, v) = a.split_once('=').unwrap_or((a.as_str(), ""));
            build_args.insert(k.to_string(), v.to_string());
        }
        let mut labels = std::collections::BTreeMap::new();
        for l in inv.values("label") {
            let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
            labels.insert(k.to_string(), v.to_string());
        }
        let options = BuildOptions {
            tags,
            dockerfile: tar.1.clone(),
            no_cache: inv.flag("no-cache"),
            pull: inv.flag("pull"),
            target: inv.value("target").map(str::to_string),
            build_args,
            labels,
            quiet: inv.flag("quiet"),
            buildkit,
        };
        if legacy.is_some() && !options.quiet {
            // Printed by the CLI itself while it uploads the context; off a terminal the
            // progress line ends in `\r\r\n`, exactly as captured from docker 28.2.2.
            out.print(&format!(
                "Sending build context to Docker daemon {:>8}\r\r\n",
                context_size(tar.0.len() as u64)
            ));
        }
        if options.buildkit && self.engine.kind() == crate::engine::EngineKind::Docker {
            out.note("BuildKit needs the buildx client, which docktutor does not drive: the real engine built this with the classic builder (its output goes to stderr, as BuildKit's would)");
        }
        let mut printed = String::new();
        let mut stream_error = None;
        let r = self.engine.image_build(&tar.0, &options, &mut |ev| {
            if let Some(e) = &ev.error {
                stream_error = Some(e.clone());
            } else {
                printed.push_str(&progress_line(ev));
            }
        });
        if buildkit {
            out.eprint(&printed);
        } else {
            out.print(&printed);
        }
        match (r, stream_error) {
            // A step failed: the builder's message as is; a failing RUN's own exit status.
            (Err(EngineError::Runtime { exit_code, .. }), Some(e)) => {
                out.eprintln(&e);
                exit_code
            }
            (_, Some(e)) => {
                out.eprintln(&e);
                1
            }
            (Err(e), None) => {
                out.engine_error(&e);
                1
            }
            (Ok(id), None) => {
                if options.quiet {
                    out.println(&id);
                }
                0
            }
        }
    }
}

impl Client<'_> {
    /// The docker 28 CLI without buildx warns on every use of the classic builder, even before
    /// it looks at the arguments; the wording depends on whether BuildKit was turned off
    /// explicitly (both taken from the CLI here). `None` when BuildKit builds.
    pub(super) fn legacy_builder_warning(&self) -> Option<&'static str> {
        match self.options.env.get("DOCKER_BUILDKIT").map(String::as_str) {
            Some("1" | "true") => None,
            Some(_) => Some("DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0\n            environment-variable.\n\n"),
            None => Some("DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n            Install the buildx component to build images with BuildKit:\n            https://docs.docker.com/go/buildx/\n\n"),
        }
    }
}

/// go-units `HumanSize` (four significant digits, decimal units) as the CLI prints the
/// context size: `2.56kB`, `4.096kB`, `1.985MB`.
fn context_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    let digits_before = if size < 1.0 {
        1
    } else {
        size.log10().floor() as i32 + 1
    };
    let decimals = (4 - digits_before).max(0) as usize;
    let mut s = format!("{size:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{s}{}", UNITS[unit])
}

/// A (possibly short) image id rather than a name.
fn is_id_like(s: &str) -> bool {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::{context_size, typed_image_inspect};

    #[test]
    fn inspect_templates_see_go_zero_values() {
        let raw = serde_json::json!({
            "Id": "sha256:1",
            "RepoDigests": null,
            "Config": {"Cmd": ["sh"], "Entrypoint": null},
            "RootFS": {"Type": "layers"}
        });
        let t = typed_image_inspect(&raw);
        let render = |f: &str| crate::render::template::render_one(f, &t).unwrap();
        assert_eq!(
            render("{{.Config.Cmd}}|{{.Config.Entrypoint}}|{{.Config.Labels}}|{{.Config.Env}}"),
            "[sh]|[]|map[]|[]"
        );
        assert_eq!(
            render("{{.RepoDigests}} {{.RepoTags}} {{len .RootFS.Layers}} {{.Author}}."),
            "[] [] 0 ."
        );
        // A Config the daemon did not send at all stays absent (a nil pointer in Go).
        assert!(typed_image_inspect(&serde_json::json!({"Id": "x"}))["Config"].is_null());
    }

    #[test]
    fn context_sizes_as_the_cli_prints_them() {
        // Sizes seen in `Sending build context to Docker daemon` lines from docker 28.2.2.
        for (bytes, want) in [
            (2560, "2.56kB"),
            (3072, "3.072kB"),
            (4096, "4.096kB"),
            (16384, "16.38kB"),
            (1_985_024, "1.985MB"),
            (512, "512B"),
        ] {
            assert_eq!(context_size(bytes), want);
        }
    }
}
