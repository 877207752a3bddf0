//! `docker build` on the simulator: the classic builder's steps, layer cache and output.
//!
//! Each instruction makes an image whose parent is the previous step's image, with one more
//! history entry; `RUN` runs in the simulated shell so the files it makes land in the new layer.
//! The cache works like the classic builder's: a step is reused when an image exists whose
//! parent is the current image and whose last history entry is this step's `CREATED BY` text.
//! `COPY`/`ADD` put a hash of the copied content into that text, so a changed source file misses
//! the cache and so does every step after it (their parent is new).
//!
//! Compared with the daemon on the development machines (client 28.2.2 without buildx, Engine
//! 20.10 classic builder), what the simulator does differently, on purpose or not yet:
//! - Messages are the 20.10 daemon's (`dockerfile parse error line 3: …`); newer engines say
//!   `… error on line 3: …`. The simulator's `docker version` claims 28.2.2 for both.
//! - A failing `RUN` exits with the command's own status (3 for `exit 3`), as the real CLI does.
//! - A failing `RUN` leaves no stopped container behind (dockerd keeps it without `--force-rm`).
//! - A `RUN`'s stdout and stderr are printed one after the other, not interleaved.
//! - `ADD` unpacks only uncompressed tars (no gzip support here) and refuses URLs.
//! - `COPY --chown/--chmod` are accepted and ignored; files keep their context modes.
//! - `--label` becomes a last `LABEL` step whose text is a guess at the classic builder's.
//! - `DOCKER_BUILDKIT=1` prints a BuildKit-style summary that could not be compared: the CLI
//!   here has no buildx and refuses BuildKit builds.
//! - Content hashes in `COPY file:<hash>` are the simulator's own, not dockerd's tarsum.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::catalog::{self, ShellFlavor};
use super::dockerfile::{self, Instruction, Kind};
use super::fs::{self, Entry, Layer, Node, View};
use super::shell::{Machine, ShellState};
use super::state::{HistoryItem, Image};
use super::tar_entries::{self, TarKind};
use super::{short, SimEngine};
use crate::engine::{BuildOptions, Engine, EngineError, EngineResult, ImageConfig, ProgressEvent};
use crate::render::formatter::go_quote;

/// Build args every build accepts without an `ARG` line (never reported as unused).
const PREDEFINED_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// How a build stops.
enum Fail {
    /// Before any step ran: the CLI prints `Error response from daemon: …`, exit 1.
    Daemon(String),
    /// A step failed: the builder's stream carries the text, printed as is; the CLI exits with
    /// `code` (a failing `RUN`'s own exit status, 1 otherwise).
    Step {
        message: String,
        code: i32,
        /// BuildKit's wording of the same failure.
        buildkit: String,
    },
}

fn step_fail(message: impl Into<String>) -> Fail {
    let message = message.into();
    Fail::Step {
        buildkit: message.clone(),
        message,
        code: 1,
    }
}

/// One entry of the unpacked build context (paths relative, without a leading slash).
#[derive(Clone)]
enum CtxEntry {
    File { data: Vec<u8>, mode: u32 },
    Dir,
    Symlink(String),
}

/// Something `COPY`/`ADD` puts under the destination.
#[derive(Clone)]
enum Item {
    File { data: Vec<u8>, mode: u32 },
    Dir,
    Symlink(String),
}

fn unpack_context(tar_bytes: &[u8]) -> Result<BTreeMap<String, CtxEntry>, String> {
    let mut out = BTreeMap::new();
    for entry in tar_entries::read(tar_bytes).map_err(|e| e.to_string())? {
        let key = fs::normalize("/", &entry.path)
            .trim_start_matches('/')
            .to_string();
        if key.is_empty() {
            continue;
        }
        let e = match entry.kind {
            TarKind::Dir => CtxEntry::Dir,
            TarKind::Symlink(target) => CtxEntry::Symlink(target),
            TarKind::File(data) => CtxEntry::File {
                data,
                mode: entry.mode.unwrap_or(0o644) & 0o7777,
            },
        };
        out.insert(key, e);
    }
    Ok(out)
}

/// Resolve a context path, following symlinks only inside the context: a link to `/etc/passwd`
/// or `../../x` lands back inside it (as dockerd's scoped resolution does), never on the host.
fn ctx_resolve(ctx: &BTreeMap<String, CtxEntry>, rel: &str) -> String {
    // The context's root is `/` here, so `..` and absolute targets stay inside it.
    let link_at = |p: &str| match ctx.get(p.trim_start_matches('/')) {
        Some(CtxEntry::Symlink(target)) => Some(target.clone()),
        _ => None,
    };
    fs::follow_links(&format!("/{rel}"), 40, link_at)
        .trim_start_matches('/')
        .to_string()
}

/// Whether a source path climbs above the context root (`../a.txt`).
fn escapes(path: &str) -> bool {
    let mut depth: i32 = 0;
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn go_list(v: &[String]) -> String {
    format!(
        "[{}]",
        v.iter().map(|s| go_quote(s)).collect::<Vec<_>>().join(" ")
    )
}

fn nop(text: &str) -> String {
    format!("/bin/sh -c #(nop)  {text}")
}

fn set_env(env: &mut Vec<String>, key: &str, value: &str) {
    let prefix = format!("{key}=");
    match env.iter_mut().find(|e| e.starts_with(&prefix)) {
        Some(e) => *e = format!("{key}={value}"),
        None => env.push(format!("{key}={value}")),
    }
}

fn env_lookup(env: &[String], key: &str) -> Option<String> {
    env.iter().find_map(|e| {
        e.split_once('=')
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    })
}

/// What the steps of a build did, for BuildKit-style output.
struct Vertex {
    name: String,
    cached: bool,
    output: String,
}

/// The image a step works on: everything a new image needs, without an id yet for `scratch`.
#[derive(Clone)]
struct Current {
    id: Option<String>,
    base: Option<String>,
    layers: Vec<Layer>,
    config: ImageConfig,
    history: Vec<HistoryItem>,
    size: u64,
}

impl Current {
    fn scratch() -> Self {
        Current {
            id: None,
            base: None,
            layers: vec![],
            config: ImageConfig::default(),
            history: vec![],
            size: 0,
        }
    }
    fn of(img: &Image) -> Self {
        Current {
            id: Some(img.id.clone()),
            base: img.base.clone(),
            layers: img.extra_layers.clone(),
            config: img.config.clone(),
            history: img.history.clone(),
            size: img.size,
        }
    }
    fn lower(&self) -> Vec<&Layer> {
        let mut v: Vec<&Layer> = Vec::new();
        if let Some(c) = self.base.as_deref().and_then(catalog::find) {
            v.push(&c.layer);
        }
        v.extend(self.layers.iter());
        v
    }
    fn flavor(&self) -> ShellFlavor {
        self.base
            .as_deref()
            .and_then(catalog::find)
            .map_or(ShellFlavor::Busybox, |c| c.shell)
    }
    fn workdir(&self) -> String {
        if self.config.working_dir.is_empty() {
            "/".into()
        } else {
            self.config.working_dir.clone()
        }
    }
}

/// What one step produces before it becomes an image.
struct Outcome {
    config: ImageConfig,
    layer: Option<Layer>,
}

impl SimEngine {
    pub(super) fn build(
        &mut self,
        context_tar: &[u8],
        options: &BuildOptions,
        progress: &mut dyn FnMut(&ProgressEvent),
    ) -> EngineResult<String> {
        let mut vertices = Vec::new();
        let classic = !options.quiet && !options.buildkit;
        let mut emit = |text: &str| {
            if classic {
                progress(&ProgressEvent {
                    stream: Some(text.to_string()),
                    ..Default::default()
                });
            }
        };
        let result = self.build_steps(context_tar, options, &mut emit, &mut vertices);
        match result {
            Ok(id) => {
                if options.buildkit && !options.quiet {
                    let text = buildkit_text(&vertices, options, &id, None);
                    progress(&ProgressEvent {
                        stream: Some(text),
                        ..Default::default()
                    });
                }
                Ok(id)
            }
            Err(Fail::Daemon(message)) => Err(EngineError::daemon(400, message)),
            Err(Fail::Step {
                message,
                code,
                buildkit,
            }) => {
                let (message, code) = if options.buildkit {
                    if !options.quiet {
                        let text = buildkit_text(&vertices, options, "", Some(&buildkit));
                        progress(&ProgressEvent {
                            stream: Some(text),
                            ..Default::default()
                        });
                    }
                    (format!("ERROR: failed to solve: {buildkit}"), 1)
                } else {
                    (message, code)
                };
                progress(&ProgressEvent {
                    error: Some(message.clone()),
                    ..Default::default()
                });
                Err(EngineError::Runtime {
                    exit_code: code,
                    message,
                })
            }
        }
    }

    fn build_steps(
        &mut self,
        context_tar: &[u8],
        options: &BuildOptions,
        emit: &mut dyn FnMut(&str),
        vertices: &mut Vec<Vertex>,
    ) -> Result<String, Fail> {
        let ctx = unpack_context(context_tar)
            .map_err(|e| Fail::Daemon(format!("failed to read the build context: {e}")))?;
        let name = if options.dockerfile.is_empty() {
            "Dockerfile".to_string()
        } else {
            options.dockerfile.clone()
        };
        let text = match ctx.get(&ctx_resolve(&ctx, &name)) {
            Some(CtxEntry::File { data, .. }) => String::from_utf8_lossy(data).into_owned(),
            _ => {
                return Err(Fail::Daemon(format!(
                    "Cannot locate specified Dockerfile: {name}"
                )))
            }
        };
        let instructions = dockerfile::parse(&text).map_err(|e| Fail::Daemon(e.to_string()))?;
        if instructions.is_empty() {
            return Err(Fail::Daemon(format!(
                "the Dockerfile ({name}) cannot be empty"
            )));
        }
        // ARGs before the first FROM are global: they only feed FROM lines.
        let first_from = instructions
            .iter()
            .position(|i| matches!(i.kind, Kind::From { .. }));
        let meta_end = first_from.unwrap_or(instructions.len());
        if instructions[..meta_end]
            .iter()
            .any(|i| !matches!(i.kind, Kind::Arg { .. }))
            || first_from.is_none()
        {
            return Err(Fail::Daemon("no build stage in current context".into()));
        }
        let meta = &instructions[..meta_end];
        let mut stages: Vec<Vec<&Instruction>> = Vec::new();
        for ins in &instructions[meta_end..] {
            if matches!(ins.kind, Kind::From { .. }) {
                stages.push(Vec::new());
            }
            stages.last_mut().expect("starts with FROM").push(ins);
        }
        if let Some(target) = &options.target {
            let t = target.to_ascii_lowercase();
            let ix = stages
                .iter()
                .position(|s| matches!(&s[0].kind, Kind::From { alias: Some(a), .. } if *a == t));
            match ix {
                Some(ix) => stages.truncate(ix + 1),
                None => {
                    return Err(Fail::Daemon(format!(
                        "failed to reach build target {target} in Dockerfile"
                    )))
                }
            }
        }
        let mut extra_labels = Vec::new();
        if !options.labels.is_empty() {
            // The classic builder adds `--label`s as one more LABEL step on the last stage.
            let text = options
                .labels
                .iter()
                .map(|(k, v)| format!("{}='{}' ", go_quote(k), v))
                .collect::<String>();
            extra_labels.push(Instruction {
                line: 0,
                original: format!("LABEL {text}"),
                kind: Kind::Label(
                    options
                        .labels
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ),
            });
        }
        let total = meta.len() + stages.iter().map(Vec::len).sum::<usize>() + extra_labels.len();
        let mut step = 0;
        let mut used_args: BTreeSet<String> = BTreeSet::new();
        let mut global: BTreeMap<String, String> = BTreeMap::new();
        for ins in meta {
            step += 1;
            emit(&format!("Step {step}/{total} : {}\n", ins.original));
            if let Kind::Arg { name, default } = &ins.kind {
                let value = options.build_args.get(name).cloned().or(default.clone());
                if options.build_args.contains_key(name) {
                    used_args.insert(name.clone());
                }
                if let Some(v) = value {
                    global.insert(name.clone(), v);
                }
            }
        }
        let mut stage_images: Vec<(Option<String>, Current)> = Vec::new();
        let n_stages = stages.len();
        for (si, stage) in stages.into_iter().enumerate() {
            let mut body: Vec<&Instruction> = stage;
            if si + 1 == n_stages {
                body.extend(extra_labels.iter());
            }
            let Kind::From { image, alias } = &body[0].kind else {
                unreachable!("stages start with FROM")
            };
            step += 1;
            emit(&format!("Step {step}/{total} : {}\n", body[0].original));
            let image = dockerfile::expand(image, &|k| global.get(k).cloned());
            let mut cur = self.base_image(&image, &stage_images, options, emit)?;
            emit(&format!(
                " ---> {}\n",
                cur.id.as_deref().map(short).unwrap_or("")
            ));
            vertices.push(Vertex {
                name: format!("FROM {image}"),
                cached: true,
                output: String::new(),
            });
            let mut args: Vec<(String, Option<String>)> = Vec::new();
            let mut cmd_set = false;
            for ins in &body[1..] {
                step += 1;
                emit(&format!("Step {step}/{total} : {}\n", ins.original));
                if let Kind::Arg { name, .. } = &ins.kind {
                    if options.build_args.contains_key(name) {
                        used_args.insert(name.clone());
                    }
                }
                cur = self.step(
                    ins,
                    cur,
                    &mut args,
                    &mut cmd_set,
                    &ctx,
                    &stage_images,
                    options,
                    emit,
                    vertices,
                )?;
            }
            stage_images.push((alias.clone(), cur));
        }
        let (_, last) = stage_images.pop().expect("one stage at least");
        let id = match last.id {
            Some(id) => id,
            // `FROM scratch` alone: dockerd refuses to make an image of nothing.
            None => {
                return Err(Fail::Daemon(
                    "No image was generated. Is your Dockerfile empty?".into(),
                ))
            }
        };
        let unused: Vec<&String> = options
            .build_args
            .keys()
            .filter(|k| !used_args.contains(*k) && !PREDEFINED_ARGS.contains(&k.as_str()))
            .collect();
        if !unused.is_empty() {
            emit(&format!(
                "[Warning] One or more build-args [{}] were not consumed\n",
                unused
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        emit(&format!("Successfully built {}\n", short(&id)));
        for t in &options.tags {
            let tag = t.repo_tag();
            for other in self.state.images.values_mut() {
                other.repo_tags.retain(|x| *x != tag);
            }
            if let Some(img) = self.state.images.get_mut(&id) {
                img.repo_tags.push(tag.clone());
            }
            emit(&format!("Successfully tagged {tag}\n"));
        }
        Ok(id)
    }

    /// The image a `FROM` starts from: `scratch`, an earlier stage, a local image, or one the
    /// offline catalogue can pull (with `docker pull`'s progress lines, as the builder shows).
    fn base_image(
        &mut self,
        image: &str,
        stages: &[(Option<String>, Current)],
        options: &BuildOptions,
        emit: &mut dyn FnMut(&str),
    ) -> Result<Current, Fail> {
        if image == "scratch" {
            return Ok(Current::scratch());
        }
        let lower = image.to_ascii_lowercase();
        if let Some((_, c)) = stages.iter().find(|(a, _)| a.as_deref() == Some(&lower)) {
            return Ok(c.clone());
        }
        if !options.pull {
            if let Ok(id) = self.find_image(image) {
                return Ok(Current::of(&self.state.images[&id]));
            }
        }
        let reference = crate::client::reference::parse_normalized(image)
            .map_err(|e| step_fail(e.to_string()))?;
        let mut lines = Vec::new();
        self.image_pull(&reference, &mut |ev| {
            lines.push(match (&ev.id, &ev.status) {
                (Some(id), Some(st)) => format!("{id}: {st}\n"),
                (None, Some(st)) => format!("{st}\n"),
                _ => String::new(),
            });
        })
        .map_err(|e| step_fail(e.to_string()))?;
        for l in lines {
            emit(&l);
        }
        let id = self
            .find_image(&reference.repo_tag())
            .map_err(|e| step_fail(e.to_string()))?;
        Ok(Current::of(&self.state.images[&id]))
    }

    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        ins: &Instruction,
        cur: Current,
        args: &mut Vec<(String, Option<String>)>,
        cmd_set: &mut bool,
        ctx: &BTreeMap<String, CtxEntry>,
        stages: &[(Option<String>, Current)],
        options: &BuildOptions,
        emit: &mut dyn FnMut(&str),
        vertices: &mut Vec<Vertex>,
    ) -> Result<Current, Fail> {
        // Values seen by the builder's own expansion: ENV first, then ARGs in scope.
        let lookup_env = cur.config.env.clone();
        let lookup_args = args.clone();
        let lookup = move |k: &str| {
            env_lookup(&lookup_env, k).or_else(|| {
                lookup_args
                    .iter()
                    .rev()
                    .find(|(n, _)| n == k)
                    .and_then(|(_, v)| v.clone())
            })
        };
        let ex = |s: &str| dockerfile::expand(s, &lookup);
        let mut config = cur.config.clone();
        // (CREATED BY, whether the classic builder runs a container for it)
        let (created_by, runs_container): (String, bool) = match &ins.kind {
            Kind::From { .. } => unreachable!("FROM starts a stage"),
            Kind::Run(command) => {
                let argv = command.argv();
                let scoped: Vec<String> = {
                    let mut v: Vec<String> = args
                        .iter()
                        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
                        .collect();
                    v.sort();
                    v
                };
                let joined = argv.join(" ");
                let by = if scoped.is_empty() {
                    joined
                } else {
                    format!("|{} {} {joined}", scoped.len(), scoped.join(" "))
                };
                (by, true)
            }
            Kind::Cmd(c) => {
                config.cmd = Some(c.argv());
                *cmd_set = true;
                (nop(&format!("CMD {}", go_list(&c.argv()))), true)
            }
            Kind::Entrypoint(c) => {
                config.entrypoint = Some(c.argv());
                // An ENTRYPOINT resets a CMD inherited from the base image.
                if !*cmd_set {
                    config.cmd = None;
                }
                (nop(&format!("ENTRYPOINT {}", go_list(&c.argv()))), true)
            }
            Kind::Label(pairs) => {
                let mut parts = Vec::new();
                for (k, v) in pairs {
                    let (k, v) = (ex(k), ex(v));
                    config.labels.insert(k.clone(), v.clone());
                    parts.push(format!("{k}={v}"));
                }
                (nop(&format!("LABEL {}", parts.join(" "))), true)
            }
            Kind::Env(pairs) => {
                let mut parts = Vec::new();
                for (k, v) in pairs {
                    let v = dockerfile::expand(v, &|n| {
                        env_lookup(&config.env, n).or_else(|| lookup(n))
                    });
                    set_env(&mut config.env, k, &v);
                    parts.push(format!("{k}={v}"));
                }
                (nop(&format!("ENV {}", parts.join(" "))), true)
            }
            Kind::Expose(ports) => {
                let mut shown = Vec::new();
                for p in ports {
                    let p = ex(p);
                    let (num, proto) = p.split_once('/').unwrap_or((&p, "tcp"));
                    if num.parse::<u16>().is_err() {
                        return Err(step_fail(format!("Invalid containerPort: {num}")));
                    }
                    let key = format!("{num}/{}", proto.to_ascii_lowercase());
                    if !config.exposed_ports.contains(&key) {
                        config.exposed_ports.push(key);
                    }
                    shown.push(p);
                }
                (nop(&format!("EXPOSE {}", shown.join(" "))), true)
            }
            Kind::Workdir(dir) => {
                let d = fs::normalize(&cur.workdir(), &ex(dir));
                config.working_dir = d.clone();
                (format!("/bin/sh -c #(nop) WORKDIR {d}"), true)
            }
            Kind::User(u) => {
                config.user = ex(u);
                (nop(&format!("USER {}", config.user)), true)
            }
            Kind::Arg { name, default } => {
                let value = options.build_args.get(name).cloned().or(default.clone());
                args.push((name.clone(), value));
                let shown = match default {
                    Some(d) => format!("ARG {name}={d}"),
                    None => format!("ARG {name}"),
                };
                (nop(&shown), true)
            }
            Kind::Volume(vols) => {
                let vols: Vec<String> = vols.iter().map(|v| ex(v)).collect();
                for v in &vols {
                    if !config.volumes.contains(v) {
                        config.volumes.push(v.clone());
                    }
                }
                (nop(&format!("VOLUME [{}]", vols.join(" "))), true)
            }
            Kind::Copy { .. } | Kind::Add { .. } => (String::new(), false),
        };
        // COPY/ADD: gather the sources first; their content hash is part of the cache key.
        let mut copy_plan = None;
        let created_by = match &ins.kind {
            Kind::Copy {
                from,
                sources,
                dest,
            } => {
                let plan = self.copy_plan(
                    "COPY",
                    from.as_deref(),
                    sources,
                    &ex(dest),
                    ctx,
                    stages,
                    &cur,
                    false,
                )?;
                let by = format!(
                    "/bin/sh -c #(nop) COPY {}:{} in {} ",
                    plan.kind, plan.hash, plan.dest_text
                );
                copy_plan = Some(plan);
                by
            }
            Kind::Add { sources, dest } => {
                let plan =
                    self.copy_plan("ADD", None, sources, &ex(dest), ctx, stages, &cur, true)?;
                let by = format!(
                    "/bin/sh -c #(nop) ADD {}:{} in {} ",
                    plan.kind, plan.hash, plan.dest_text
                );
                copy_plan = Some(plan);
                by
            }
            _ => created_by,
        };
        let vertex_name = ins.original.clone();
        let fs_step = matches!(
            ins.kind,
            Kind::Run(_) | Kind::Copy { .. } | Kind::Add { .. } | Kind::Workdir(_)
        );
        if !options.no_cache {
            let parent = cur.id.clone();
            let hit = self
                .state
                .images
                .values()
                .find(|i| {
                    i.parent == parent
                        && i.history.last().is_some_and(|h| h.created_by == created_by)
                })
                .map(|i| i.id.clone());
            if let Some(id) = hit {
                emit(&format!(" ---> Using cache\n ---> {}\n", short(&id)));
                if fs_step {
                    vertices.push(Vertex {
                        name: vertex_name,
                        cached: true,
                        output: String::new(),
                    });
                }
                return Ok(Current::of(&self.state.images[&id]));
            }
        }
        let container = runs_container.then(|| self.state.new_id());
        if let Some(c) = &container {
            emit(&format!(" ---> Running in {}\n", short(c)));
        }
        let mut output = String::new();
        let outcome = match &ins.kind {
            Kind::Run(command) => {
                let mut env = cur.config.env.clone();
                for (k, v) in args.iter() {
                    if let Some(v) = v {
                        if env_lookup(&env, k).is_none() {
                            env.push(format!("{k}={v}"));
                        }
                    }
                }
                let hostname = container.as_deref().map(short).unwrap_or("").to_string();
                let (layer, out, err, status) = run_in(
                    &cur,
                    &command.argv(),
                    &env,
                    &hostname,
                    self.state.now().timestamp(),
                )?;
                let err_text = String::from_utf8_lossy(&err).into_owned();
                let out_text = String::from_utf8_lossy(&out).into_owned();
                emit(&out_text);
                output.push_str(&out_text);
                if !err_text.is_empty() {
                    // dockerd marks a step's stderr in red within the stream.
                    emit(&format!("\x1b[91m{err_text}\x1b[0m"));
                    output.push_str(&err_text);
                }
                if status != 0 {
                    let shown = command.argv().join(" ");
                    if fs_step {
                        vertices.push(Vertex {
                            name: vertex_name,
                            cached: false,
                            output,
                        });
                    }
                    return Err(Fail::Step {
                        message: format!(
                            "The command '{shown}' returned a non-zero code: {status}"
                        ),
                        code: status,
                        buildkit: format!(
                            "process \"{}\" did not complete successfully: exit code: {status}",
                            shown.replace('"', "\\\"")
                        ),
                    });
                }
                Outcome {
                    config,
                    layer: Some(layer),
                }
            }
            Kind::Workdir(_) => {
                let mut layer = Layer::new();
                {
                    let lower = cur.lower();
                    let mut view = View {
                        lower,
                        upper: &mut layer,
                        binds: vec![],
                        now: self.state.now().timestamp(),
                    };
                    let _ = view.mkdir(&config.working_dir, true);
                }
                Outcome {
                    config,
                    layer: (!layer.is_empty()).then_some(layer),
                }
            }
            Kind::Copy { .. } | Kind::Add { .. } => {
                let plan = copy_plan.expect("planned above");
                let layer = apply_copy(&cur, &plan, self.state.now().timestamp())?;
                Outcome {
                    config,
                    layer: Some(layer),
                }
            }
            _ => Outcome {
                config,
                layer: None,
            },
        };
        if let Some(c) = &container {
            emit(&format!("Removing intermediate container {}\n", short(c)));
        }
        let now = self.tick();
        let new_id = self.state.new_image_id();
        let size = outcome.layer.as_ref().map_or(0, fs::layer_size);
        let mut history = cur.history.clone();
        history.push(HistoryItem {
            id: Some(new_id.clone()),
            created: now,
            created_by,
            size,
            comment: String::new(),
        });
        let mut layers = cur.layers.clone();
        if let Some(l) = outcome.layer {
            layers.push(l);
        }
        let img = Image {
            id: new_id.clone(),
            repo_tags: vec![],
            repo_digests: vec![],
            created: now,
            base: cur.base.clone(),
            extra_layers: layers,
            config: outcome.config,
            history,
            size: cur.size + size,
            parent: cur.id.clone(),
            comment: String::new(),
        };
        emit(&format!(" ---> {}\n", short(&new_id)));
        if fs_step {
            vertices.push(Vertex {
                name: vertex_name,
                cached: false,
                output,
            });
        }
        let next = Current::of(&img);
        self.state.images.insert(new_id, img);
        Ok(next)
    }

    /// Resolve COPY/ADD sources to the items to write, and the hash that names them.
    #[allow(clippy::too_many_arguments)]
    fn copy_plan(
        &mut self,
        word: &str,
        from: Option<&str>,
        sources: &[String],
        dest: &str,
        ctx: &BTreeMap<String, CtxEntry>,
        stages: &[(Option<String>, Current)],
        cur: &Current,
        add: bool,
    ) -> Result<CopyPlan, Fail> {
        let failed = |m: String| step_fail(format!("{word} failed: {m}"));
        let mut groups: Vec<(String, Vec<(String, Item)>)> = Vec::new();
        let mut hasher = Sha256::new();
        let mut any_dir = false;
        match from {
            None => {
                for src in sources {
                    if src.starts_with("http://") || src.starts_with("https://") {
                        return Err(step_fail(format!(
                            "docktutor: {word} from a URL is not supported by the simulator"
                        )));
                    }
                    if escapes(src) {
                        return Err(failed(format!(
                            "forbidden path outside the build context: {src} ()"
                        )));
                    }
                    let rel = fs::normalize("/", src).trim_start_matches('/').to_string();
                    let matched: Vec<String> = if has_glob(&rel) {
                        let pat: Vec<&str> = rel.split('/').collect();
                        ctx.keys()
                            .filter(|k| {
                                let parts: Vec<&str> = k.split('/').collect();
                                parts.len() == pat.len()
                                    && pat
                                        .iter()
                                        .zip(&parts)
                                        .all(|(p, s)| crate::command::shell::glob_match(p, s))
                            })
                            .cloned()
                            .collect()
                    } else {
                        vec![rel.clone()]
                    };
                    if matched.is_empty() {
                        return Err(failed("no source files were specified".into()));
                    }
                    for m in matched {
                        let resolved = ctx_resolve(ctx, &m);
                        let is_root = resolved.is_empty();
                        let entry = if is_root {
                            Some(CtxEntry::Dir)
                        } else {
                            ctx.get(&resolved).cloned()
                        };
                        let mut items = Vec::new();
                        match entry {
                            None => {
                                return Err(failed(format!("file not found in build context or excluded by .dockerignore: stat {src}: file does not exist")));
                            }
                            Some(CtxEntry::File { data, mode }) => {
                                items.push((
                                    fs::base(&format!("/{m}")).to_string(),
                                    Item::File { data, mode },
                                ));
                            }
                            Some(CtxEntry::Symlink(t)) => {
                                items.push((
                                    fs::base(&format!("/{m}")).to_string(),
                                    Item::Symlink(t),
                                ));
                            }
                            Some(CtxEntry::Dir) => {
                                any_dir = true;
                                let prefix = if is_root {
                                    String::new()
                                } else {
                                    format!("{resolved}/")
                                };
                                for (k, e) in ctx.range(prefix.clone()..) {
                                    let Some(sub) = k.strip_prefix(&prefix) else {
                                        break;
                                    };
                                    let item = match e {
                                        CtxEntry::File { data, mode } => Item::File {
                                            data: data.clone(),
                                            mode: *mode,
                                        },
                                        CtxEntry::Dir => Item::Dir,
                                        CtxEntry::Symlink(t) => Item::Symlink(t.clone()),
                                    };
                                    items.push((sub.to_string(), item));
                                }
                            }
                        }
                        groups.push((m, items));
                    }
                }
            }
            Some(stage) => {
                let src_img = if let Ok(n) = stage.parse::<usize>() {
                    stages.get(n).map(|(_, c)| c.clone())
                } else {
                    stages
                        .iter()
                        .find(|(a, _)| a.as_deref() == Some(stage))
                        .map(|(_, c)| c.clone())
                };
                let src_img = match src_img {
                    Some(c) => c,
                    None => match self.find_image(stage) {
                        Ok(id) => Current::of(&self.state.images[&id]),
                        Err(_) => {
                            return Err(step_fail(format!("invalid from flag value {stage}: pull access denied for {stage}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied")));
                        }
                    },
                };
                let mut scratch = Layer::new();
                let view = View {
                    lower: src_img.lower(),
                    upper: &mut scratch,
                    binds: vec![],
                    now: 0,
                };
                for src in sources {
                    let p = fs::normalize("/", src);
                    let mut items = Vec::new();
                    match view.stat(&p) {
                        None => {
                            return Err(failed(format!(
                                "stat {}: file does not exist",
                                p.trim_start_matches('/')
                            )))
                        }
                        Some(Node::Dir { .. }) => {
                            any_dir = true;
                            walk(&view, &p, "", &mut items);
                        }
                        Some(_) => {
                            let data = view.read(&p).unwrap_or_default();
                            items
                                .push((fs::base(&p).to_string(), Item::File { data, mode: 0o644 }));
                        }
                    }
                    groups.push((p, items));
                }
            }
        }
        for (name, items) in &groups {
            hasher.update(name.as_bytes());
            for (p, item) in items {
                hasher.update(p.as_bytes());
                if let Item::File { data, .. } = item {
                    hasher.update(data);
                }
            }
        }
        let hash = catalog::hex(&hasher.finalize());
        let many = groups.len() > 1;
        if many && !dest.ends_with('/') {
            return Err(step_fail(format!(
                "When using {word} with more than one source file, the destination must be a directory and end with a /"
            )));
        }
        let kind = if many {
            "multi"
        } else if any_dir {
            "dir"
        } else {
            "file"
        };
        let abs = fs::normalize(&cur.workdir(), dest);
        let dest_dir = {
            let mut scratch = Layer::new();
            let view = View {
                lower: cur.lower(),
                upper: &mut scratch,
                binds: vec![],
                now: 0,
            };
            dest.ends_with('/') || many || view.stat(&abs).is_some_and(|n| n.is_dir())
        };
        Ok(CopyPlan {
            kind,
            hash,
            dest_text: if dest.starts_with('/') {
                dest.to_string()
            } else {
                abs.clone()
            },
            dest: abs,
            dest_dir,
            groups,
            extract_tars: add,
        })
    }
}

struct CopyPlan {
    kind: &'static str,
    hash: String,
    /// The destination as history shows it.
    dest_text: String,
    dest: String,
    /// Whether single files go *into* `dest` rather than *to* it.
    dest_dir: bool,
    /// (source as matched, items relative to it). A file source has one item named by its
    /// base name; a directory's items are its contents.
    groups: Vec<(String, Vec<(String, Item)>)>,
    /// `ADD` unpacks local tar archives.
    extract_tars: bool,
}

fn walk(view: &View, dir: &str, rel: &str, out: &mut Vec<(String, Item)>) {
    for name in view.list(dir).unwrap_or_default() {
        let p = format!("{}/{name}", dir.trim_end_matches('/'));
        let r = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        match view.lstat(&p) {
            Some(Node::Dir { .. }) => {
                out.push((r.clone(), Item::Dir));
                walk(view, &p, &r, out);
            }
            Some(Node::Symlink { target }) => out.push((r, Item::Symlink(target))),
            Some(Node::File { mode, .. }) => out.push((
                r,
                Item::File {
                    data: view.read(&p).unwrap_or_default(),
                    mode,
                },
            )),
            None => {}
        }
    }
}

fn is_tar(data: &[u8]) -> bool {
    data.len() >= 512 && &data[257..262] == b"ustar"
}

fn apply_copy(cur: &Current, plan: &CopyPlan, now: i64) -> Result<Layer, Fail> {
    let mut layer = Layer::new();
    {
        let mut view = View {
            lower: cur.lower(),
            upper: &mut layer,
            binds: vec![],
            now,
        };
        let fail = |p: &str| step_fail(format!("failed to copy files: cannot write {p}"));
        let put = |view: &mut View, path: &str, item: &Item| -> Result<(), Fail> {
            let _ = view.mkdir(fs::parent(path), true);
            match item {
                Item::Dir => view.mkdir(path, true).map_err(|_| fail(path)),
                Item::Symlink(t) => {
                    view.symlink(t, path);
                    Ok(())
                }
                Item::File { data, mode } => {
                    view.write(path, data.clone(), false)
                        .map_err(|_| fail(path))?;
                    let resolved = view.resolve(path);
                    if let Some(Entry::File { mode: m, .. }) = view.upper.get_mut(&resolved) {
                        *m = *mode;
                    }
                    Ok(())
                }
            }
        };
        if plan.dest_dir || plan.groups.iter().any(|(_, items)| items.len() != 1) {
            let _ = view.mkdir(&plan.dest, true);
        }
        for (_, items) in &plan.groups {
            let single_file = items.len() == 1 && !matches!(items[0].1, Item::Dir);
            for (rel, item) in items {
                if plan.extract_tars {
                    if let Item::File { data, .. } = item {
                        if is_tar(data) {
                            extract(&mut view, &plan.dest, data).map_err(|_| fail(&plan.dest))?;
                            continue;
                        }
                    }
                }
                let target = if single_file && !plan.dest_dir {
                    plan.dest.clone()
                } else {
                    fs::normalize(&plan.dest, rel)
                };
                put(&mut view, &target, item)?;
            }
        }
    }
    Ok(layer)
}

fn extract(view: &mut View, dest: &str, data: &[u8]) -> Result<(), String> {
    let entries = tar_entries::read(data).map_err(|e| e.to_string())?;
    tar_entries::unpack(view, dest, entries)
}

/// Run a RUN step's argv in a throwaway container over `cur`; returns the new layer.
fn run_in(
    cur: &Current,
    argv: &[String],
    env: &[String],
    hostname: &str,
    now: i64,
) -> Result<(Layer, Vec<u8>, Vec<u8>, i32), Fail> {
    let mut layer = Layer::new();
    let (out, err, status) = {
        let mut m = Machine {
            view: View {
                lower: cur.lower(),
                upper: &mut layer,
                binds: vec![],
                now,
            },
            flavor: cur.flavor(),
            hostname: hostname.to_string(),
            tty: false,
            slept: 0,
            processes: vec![(1, argv.join(" "))],
            timeline: None,
            stdin_open: false,
            blocked: false,
            consumed: 0,
        };
        let mut state = ShellState::new(&cur.workdir(), env);
        let Some(program) = argv.first() else {
            return Err(step_fail("failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"\": executable file not found in $PATH: unknown"));
        };
        if m.which(&state, program).is_none() {
            let why = if program.contains('/') {
                format!("stat {program}: no such file or directory")
            } else {
                "executable file not found in $PATH".to_string()
            };
            return Err(step_fail(format!("failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"{program}\": {why}: unknown")));
        }
        let r = m.program(&mut state, argv, &[]);
        (r.stdout, r.stderr, state.exited.unwrap_or(r.status))
    };
    Ok((layer, out, err, status))
}

/// BuildKit's plain progress (what `DOCKER_BUILDKIT=1 docker build` prints on stderr when
/// stderr is not a terminal): one numbered vertex per filesystem step, `CACHED` for reused
/// ones, then the export.
fn buildkit_text(
    vertices: &[Vertex],
    options: &BuildOptions,
    id: &str,
    error: Option<&str>,
) -> String {
    let dockerfile = if options.dockerfile.is_empty() {
        "Dockerfile"
    } else {
        options.dockerfile.as_str()
    };
    let mut s = String::from("#0 building with \"default\" instance using docker driver\n\n");
    s.push_str(&format!(
        "#1 [internal] load build definition from {dockerfile}\n#1 transferring dockerfile: done\n#1 DONE 0.0s\n\n#2 [internal] load .dockerignore\n#2 transferring context: done\n#2 DONE 0.0s\n\n"
    ));
    let total = vertices.len();
    let mut n = 3;
    for (i, v) in vertices.iter().enumerate() {
        s.push_str(&format!("#{n} [{}/{total}] {}\n", i + 1, v.name));
        if v.cached {
            s.push_str(&format!("#{n} CACHED\n\n"));
        } else {
            for line in v.output.lines() {
                s.push_str(&format!("#{n} 0.100 {line}\n"));
            }
            if error.is_some() && i + 1 == total {
                s.push_str(&format!("#{n} ERROR: {}\n", error.unwrap_or_default()));
                s.push('\n');
                return s;
            }
            s.push_str(&format!("#{n} DONE 0.1s\n\n"));
        }
        n += 1;
    }
    s.push_str(&format!(
        "#{n} exporting to image\n#{n} exporting layers done\n"
    ));
    s.push_str(&format!("#{n} writing image {id} done\n"));
    for t in &options.tags {
        s.push_str(&format!(
            "#{n} naming to {} done\n",
            crate::client::reference::fully_qualified(t)
        ));
    }
    s.push_str(&format!("#{n} DONE 0.0s\n"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(files: &[(&str, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, data.as_bytes()).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn build(
        engine: &mut SimEngine,
        tar: &[u8],
        options: &BuildOptions,
    ) -> (EngineResult<String>, String) {
        let mut text = String::new();
        let r = engine.image_build(tar, options, &mut |ev| {
            if let Some(s) = &ev.stream {
                text.push_str(s);
            }
            if let Some(e) = &ev.error {
                text.push_str(&format!("[error] {e}\n"));
            }
        });
        (r, text)
    }

    fn steps_with_cache(text: &str) -> Vec<bool> {
        // For each `Step`, whether the next line says `Using cache`.
        let lines: Vec<&str> = text.lines().collect();
        let mut v = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if l.starts_with("Step ") && !l.contains(" : FROM ") {
                v.push(lines.get(i + 1) == Some(&" ---> Using cache"));
            }
        }
        v
    }

    const NODE_APP: &str = "FROM busybox\nWORKDIR /app\nCOPY package.json /app\nRUN echo installing && mkdir -p node_modules && echo x > node_modules/dep.js\nCOPY . /app\nEXPOSE 80\nCMD [\"node\", \"server.js\"]\n";

    #[test]
    fn second_build_uses_cache_and_a_changed_source_reruns_from_its_step() {
        let mut e = SimEngine::deterministic(7);
        let files = |server: &'static str| {
            context(&[
                ("Dockerfile", NODE_APP),
                ("package.json", "{\"name\":\"app\"}\n"),
                ("server.js", server),
            ])
        };
        let opts = BuildOptions {
            tags: vec![crate::client::reference::parse_normalized("app").unwrap()],
            ..Default::default()
        };
        let (r1, t1) = build(&mut e, &files("console.log(1)\n"), &opts);
        let id1 = r1.unwrap();
        assert_eq!(steps_with_cache(&t1), vec![false; 6], "{t1}");
        assert!(t1.contains("\ninstalling\n"), "{t1}");
        assert!(t1.ends_with("Successfully tagged app:latest\n"), "{t1}");
        let (r2, t2) = build(&mut e, &files("console.log(1)\n"), &opts);
        assert_eq!(r2.unwrap(), id1, "same inputs, same image");
        assert_eq!(steps_with_cache(&t2), vec![true; 6], "{t2}");
        assert!(
            !t2.contains("\ninstalling\n"),
            "RUN did not run again: {t2}"
        );
        // server.js changes: WORKDIR, COPY package.json and RUN stay cached; COPY . reruns
        // and so does everything after it.
        let (r3, t3) = build(&mut e, &files("console.log(2)\n"), &opts);
        assert_ne!(r3.unwrap(), id1);
        assert_eq!(
            steps_with_cache(&t3),
            vec![true, true, true, false, false, false],
            "{t3}"
        );
        // --no-cache reruns everything.
        let no_cache = BuildOptions {
            no_cache: true,
            ..opts.clone()
        };
        let (_, t4) = build(&mut e, &files("console.log(2)\n"), &no_cache);
        assert_eq!(steps_with_cache(&t4), vec![false; 6], "{t4}");
    }

    #[test]
    fn built_image_has_files_config_and_history() {
        let mut e = SimEngine::deterministic(1);
        let tar = context(&[
            ("Dockerfile", NODE_APP),
            ("package.json", "{}\n"),
            ("server.js", "x\n"),
        ]);
        let (r, _) = build(&mut e, &tar, &BuildOptions::default());
        let id = r.unwrap();
        let img = &e.state.images[&id];
        assert_eq!(
            img.config.cmd,
            Some(vec!["node".into(), "server.js".into()])
        );
        assert_eq!(img.config.working_dir, "/app");
        assert_eq!(img.config.exposed_ports, vec!["80/tcp".to_string()]);
        let cur = Current::of(img);
        let mut up = Layer::new();
        let view = View {
            lower: cur.lower(),
            upper: &mut up,
            binds: vec![],
            now: 0,
        };
        assert_eq!(view.read("/app/server.js").unwrap(), b"x\n");
        assert_eq!(view.read("/app/node_modules/dep.js").unwrap(), b"x\n");
        let hist: Vec<String> = img
            .history_entries()
            .iter()
            .map(|h| h.created_by.clone())
            .collect();
        assert_eq!(hist[0], "/bin/sh -c #(nop)  CMD [\"node\" \"server.js\"]");
        assert_eq!(hist[1], "/bin/sh -c #(nop)  EXPOSE 80");
        assert!(
            hist[2].starts_with("/bin/sh -c #(nop) COPY dir:"),
            "{}",
            hist[2]
        );
        assert!(hist[2].ends_with(" in /app "), "{}", hist[2]);
        assert_eq!(
            hist[3],
            "/bin/sh -c echo installing && mkdir -p node_modules && echo x > node_modules/dep.js"
        );
        assert!(hist[4].starts_with("/bin/sh -c #(nop) COPY file:"));
        assert_eq!(hist[5], "/bin/sh -c #(nop) WORKDIR /app");
        // Intermediate images are hidden from `docker images` but the final one is listed.
        let parent = img.parent.clone().unwrap();
        let listed: Vec<String> = e
            .image_list(false)
            .unwrap()
            .into_iter()
            .map(|i| i.id)
            .collect();
        assert!(listed.contains(&id));
        assert!(!listed.contains(&parent));
    }

    #[test]
    fn failures_say_what_dockerd_says() {
        let mut e = SimEngine::deterministic(1);
        let cases: &[(&str, &str, i32)] = &[
            (
                "FROM busybox\nRUN exit 3\n",
                "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
                3,
            ),
            (
                "FROM busybox\nRUN [\"sh\",\"-c\",\"exit 4\"]\n",
                "The command 'sh -c exit 4' returned a non-zero code: 4",
                4,
            ),
            (
                "FROM busybox\nCOPY nothere.txt /x\n",
                "COPY failed: file not found in build context or excluded by .dockerignore: stat nothere.txt: file does not exist",
                1,
            ),
            (
                "FROM busybox\nCOPY nothere* /x\n",
                "COPY failed: no source files were specified",
                1,
            ),
            (
                "FROM busybox\nCOPY ../a.txt /x\n",
                "COPY failed: forbidden path outside the build context: ../a.txt ()",
                1,
            ),
            (
                "FROM scratch\nRUN echo hi\n",
                "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"/bin/sh\": stat /bin/sh: no such file or directory: unknown",
                1,
            ),
            ("FROM busybox\nEXPOSE abc\n", "Invalid containerPort: abc", 1),
        ];
        for (df, want, code) in cases {
            let tar = context(&[("Dockerfile", df), ("a.txt", "hi\n")]);
            let (r, text) = build(&mut e, &tar, &BuildOptions::default());
            match r {
                Err(EngineError::Runtime { exit_code, message }) => {
                    assert_eq!(message, *want, "{df}");
                    assert_eq!(exit_code, *code, "{df}");
                    assert!(text.contains(&format!("[error] {want}")), "{text}");
                }
                other => panic!("{df}: {other:?}"),
            }
        }
        let daemon: &[(&str, &str)] = &[
            ("", "the Dockerfile (Dockerfile) cannot be empty"),
            ("RUN echo\n", "no build stage in current context"),
            (
                "FROM busybox\nRUNN x\n",
                "dockerfile parse error line 2: unknown instruction: RUNN",
            ),
        ];
        for (df, want) in daemon {
            let tar = context(&[("Dockerfile", df)]);
            let (r, _) = build(&mut e, &tar, &BuildOptions::default());
            assert_eq!(r.unwrap_err(), EngineError::daemon(400, *want), "{df}");
        }
    }

    #[test]
    fn stages_target_copy_from_args_and_add_tar() {
        let mut e = SimEngine::deterministic(3);
        let inner = context(&[("inside.txt", "from the tar\n")]);
        let mut b = tar::Builder::new(Vec::new());
        let df = "ARG BASE=busybox\nFROM $BASE AS builder\nARG WHO=world\nRUN echo \"hello $WHO\" > /greeting\nFROM busybox\nCOPY --from=builder /greeting /greeting\nADD arch.tar /unpacked/\nCMD cat /greeting\n";
        for (name, data) in [
            ("Dockerfile", df.as_bytes()),
            ("arch.tar", inner.as_slice()),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut args = BTreeMap::new();
        args.insert("WHO".to_string(), "you".to_string());
        args.insert("UNUSED".to_string(), "1".to_string());
        let opts = BuildOptions {
            build_args: args,
            ..Default::default()
        };
        let (r, text) = build(&mut e, &tar, &opts);
        let id = r.unwrap();
        assert!(
            text.starts_with("Step 1/8 : ARG BASE=busybox\nStep 2/8 : FROM $BASE AS builder\n"),
            "{text}"
        );
        assert!(
            text.contains("[Warning] One or more build-args [UNUSED] were not consumed\n"),
            "{text}"
        );
        let cur = Current::of(&e.state.images[&id]);
        let mut up = Layer::new();
        let view = View {
            lower: cur.lower(),
            upper: &mut up,
            binds: vec![],
            now: 0,
        };
        assert_eq!(view.read("/greeting").unwrap(), b"hello you\n");
        assert_eq!(
            view.read("/unpacked/inside.txt").unwrap(),
            b"from the tar\n"
        );
        assert_eq!(
            e.state.images[&id].config.cmd,
            Some(vec!["/bin/sh".into(), "-c".into(), "cat /greeting".into()])
        );
        // The RUN's history names the ARG in scope, as dockerd records it.
        let builder_run = e
            .state
            .images
            .values()
            .flat_map(|i| i.history.iter())
            .any(|h| h.created_by == "|1 WHO=you /bin/sh -c echo \"hello $WHO\" > /greeting");
        assert!(builder_run);
        let target = BuildOptions {
            target: Some("builder".into()),
            ..Default::default()
        };
        let (_, text) = build(&mut e, &tar, &target);
        assert!(text.contains("Step 4/4 : RUN"), "{text}");
        let bad = BuildOptions {
            target: Some("nope".into()),
            ..Default::default()
        };
        assert_eq!(
            build(&mut e, &tar, &bad).0.unwrap_err(),
            EngineError::daemon(400, "failed to reach build target nope in Dockerfile")
        );
    }

    #[test]
    fn symlinks_never_leave_the_context() {
        let mut b = tar::Builder::new(Vec::new());
        let df = "FROM busybox\nCOPY link /copied\n";
        let mut h = tar::Header::new_gnu();
        h.set_size(df.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "Dockerfile", df.as_bytes()).unwrap();
        let mut l = tar::Header::new_gnu();
        l.set_entry_type(tar::EntryType::Symlink);
        l.set_size(0);
        b.append_link(&mut l, "link", "/etc/passwd").unwrap();
        let tar = b.into_inner().unwrap();
        let mut e = SimEngine::deterministic(1);
        let (r, _) = build(&mut e, &tar, &BuildOptions::default());
        // `/etc/passwd` is looked up inside the context, where it does not exist.
        assert!(
            matches!(r, Err(EngineError::Runtime { ref message, .. }) if message.starts_with("COPY failed: file not found")),
            "{r:?}"
        );
    }
}
