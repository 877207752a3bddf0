//! `docker save`, `load`, `export` and `import` on the simulator, in dockerd's archive
//! formats: `save` writes `manifest.json`, `repositories`, one `<id>.json` config per image
//! and one `<layer>/layer.tar` per layer; `export` a container's whole filesystem; `load` and
//! `import` read them back, printing what dockerd prints.
//!
//! A simulator image's config also carries the image as the simulator keeps it
//! (`docktutor.image`), so `save` then `load` restores it exactly, id and history included;
//! archives without it (from a real `docker save`) are loaded from their layers.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::catalog;
use super::fs::{self, Entry, Layer, Node, View};
use super::state::{HistoryItem, Image};
use super::tar_entries::{self, TarKind};
use super::SimEngine;
use crate::engine::{EngineError, EngineResult, ImageConfig, ImageRef};

/// Key in a saved config holding the simulator's own image.
const SIM_IMAGE_KEY: &str = "docktutor.image";

/// dockerd's answer to an archive it cannot read.
const BAD_TAR: &str = "Error processing tar file(exit status 1): unexpected EOF";

fn header(kind: tar::EntryType, size: u64, mode: u32, mtime: i64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(mtime.max(0) as u64);
    h.set_uid(0);
    h.set_gid(0);
    h
}

fn append(b: &mut tar::Builder<Vec<u8>>, name: &str, data: &[u8]) -> std::io::Result<()> {
    let mut h = header(tar::EntryType::Regular, data.len() as u64, 0o644, 0);
    h.set_cksum();
    b.append_data(&mut h, name, data)
}

/// A layer as dockerd stores it in an archive: paths without the leading `/`, deletions as
/// `.wh.` files.
fn layer_tar(layer: &Layer) -> std::io::Result<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, entry) in layer {
        let rel = path.trim_start_matches('/');
        if rel.is_empty() {
            continue;
        }
        match entry {
            Entry::Dir { mode, mtime } => {
                let mut h = header(tar::EntryType::Directory, 0, *mode, *mtime);
                h.set_cksum();
                b.append_data(&mut h, format!("{rel}/"), std::io::empty())?;
            }
            Entry::File {
                data,
                mode,
                mtime,
                bulk,
            } => {
                // A package's bulk bytes are not kept; the archive has them as zeros, at the
                // file's real size.
                let size = data.len() as u64 + bulk;
                let mut h = header(tar::EntryType::Regular, size, *mode, *mtime);
                h.set_cksum();
                let content = std::io::Read::chain(
                    data.as_slice(),
                    std::io::Read::take(std::io::repeat(0), *bulk),
                );
                b.append_data(&mut h, rel, content)?;
            }
            Entry::Symlink { target } => {
                let mut h = header(tar::EntryType::Symlink, 0, 0o777, 0);
                b.append_link(&mut h, rel, target)?;
            }
            Entry::Whiteout => {
                let name = format!("{}/.wh.{}", fs::parent(path), fs::base(path));
                let mut h = header(tar::EntryType::Regular, 0, 0o644, 0);
                h.set_cksum();
                b.append_data(&mut h, name.trim_start_matches('/'), std::io::empty())?;
            }
        }
    }
    b.into_inner()
}

/// Unpack a filesystem archive into a new layer (`.wh.` files become deletions).
fn tar_layer(data: &[u8], now: i64) -> Result<Layer, String> {
    let mut layer = Layer::new();
    let entries = tar_entries::read(data).map_err(|_| BAD_TAR.to_string())?;
    let any = !entries.is_empty();
    for entry in entries {
        let path = fs::normalize("/", entry.path.trim_end_matches('/'));
        if path == "/" {
            continue;
        }
        let mode = entry.mode.unwrap_or(0o644);
        let mtime = entry.mtime.unwrap_or(now);
        let name = fs::base(&path);
        if let Some(hidden) = name.strip_prefix(".wh.") {
            layer.insert(fs::normalize(fs::parent(&path), hidden), Entry::Whiteout);
            continue;
        }
        match entry.kind {
            TarKind::Dir => {
                layer.insert(path, Entry::Dir { mode, mtime });
            }
            TarKind::Symlink(target) if !target.is_empty() => {
                layer.insert(path, Entry::Symlink { target });
            }
            TarKind::Symlink(_) => {}
            TarKind::File(data) => {
                layer.insert(
                    path,
                    Entry::File {
                        data,
                        mode,
                        mtime,
                        bulk: 0,
                    },
                );
            }
        }
    }
    // An archive with no entry at all is an empty file or garbage to dockerd's tar reader.
    if !any && data.iter().all(|b| *b == 0) && !data.is_empty() {
        return Ok(layer);
    }
    if !any {
        return Err(BAD_TAR.to_string());
    }
    Ok(layer)
}

/// The whole merged filesystem of `view`, as `docker export` writes it.
fn view_tar(view: &View) -> std::io::Result<Vec<u8>> {
    fn walk(view: &View, b: &mut tar::Builder<Vec<u8>>, dir: &str) -> std::io::Result<()> {
        let mut names = view.list(dir).unwrap_or_default();
        names.sort();
        for name in names {
            let path = if dir == "/" {
                format!("/{name}")
            } else {
                format!("{dir}/{name}")
            };
            let rel = path.trim_start_matches('/');
            match view.lstat(&path) {
                Some(Node::Dir { mode, mtime }) => {
                    let mut h = header(tar::EntryType::Directory, 0, mode, mtime);
                    h.set_cksum();
                    b.append_data(&mut h, format!("{rel}/"), std::io::empty())?;
                    walk(view, b, &path)?;
                }
                Some(Node::File { mode, mtime, .. }) => {
                    let data = view.read(&path).unwrap_or_default();
                    let mut h = header(tar::EntryType::Regular, data.len() as u64, mode, mtime);
                    h.set_cksum();
                    b.append_data(&mut h, rel, data.as_slice())?;
                }
                Some(Node::Symlink { target }) => {
                    let mut h = header(tar::EntryType::Symlink, 0, 0o777, 0);
                    b.append_link(&mut h, rel, &target)?;
                }
                None => {}
            }
        }
        Ok(())
    }
    let mut b = tar::Builder::new(Vec::new());
    walk(view, &mut b, "/")?;
    b.into_inner()
}

fn archive_files(data: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut files = BTreeMap::new();
    for entry in tar_entries::read(data).map_err(|_| BAD_TAR.to_string())? {
        let bytes = match entry.kind {
            TarKind::File(bytes) => bytes,
            TarKind::Dir | TarKind::Symlink(_) => Vec::new(),
        };
        files.insert(entry.path, bytes);
    }
    if files.is_empty() {
        return Err(BAD_TAR.to_string());
    }
    Ok(files)
}

fn io_error(e: std::io::Error) -> EngineError {
    EngineError::Other(format!("cannot write the archive: {e}"))
}

/// The config document dockerd stores for an image (what `<id>.json` holds in a save).
fn config_document(img: &Image) -> serde_json::Value {
    let inspect = img.inspect_json();
    let history: Vec<serde_json::Value> = img
        .history
        .iter()
        .map(|h| {
            let mut v = serde_json::json!({
                "created": h.created.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
                "created_by": h.created_by,
            });
            if !h.comment.is_empty() {
                v["comment"] = h.comment.clone().into();
            }
            if h.size == 0 {
                v["empty_layer"] = true.into();
            }
            v
        })
        .collect();
    serde_json::json!({
        "architecture": "amd64",
        "config": inspect["Config"],
        "created": inspect["Created"],
        "history": history,
        "os": "linux",
        "rootfs": { "type": "layers", "diff_ids": img.layer_chain().iter().map(|l| format!("sha256:{l}")).collect::<Vec<_>>() },
        SIM_IMAGE_KEY: img,
    })
}

impl SimEngine {
    pub(super) fn save_images(&mut self, references: &[String]) -> EngineResult<Vec<u8>> {
        // Every image once, with the tags the references named (a repository alone names
        // all of that repository's tags; an id names none).
        let mut chosen: Vec<(String, Vec<String>)> = Vec::new();
        for r in references {
            let id = self
                .find_image(r)
                .map_err(|_| EngineError::not_found("reference does not exist"))?;
            let img = &self.state.images[&id];
            let hex = r.strip_prefix("sha256:").unwrap_or(r);
            let by_id = !hex.is_empty() && id[7..].starts_with(hex);
            let tags: Vec<String> = if by_id {
                Vec::new()
            } else {
                match crate::client::reference::parse(r) {
                    Ok(p) if p.tag.is_none() && p.digest.is_none() => {
                        let repo = p.full_repository();
                        img.repo_tags
                            .iter()
                            .filter(|t| t.rsplit_once(':').is_some_and(|(n, _)| n == repo))
                            .cloned()
                            .collect()
                    }
                    Ok(p) => vec![ImageRef {
                        tag: p.tag.or(Some("latest".into())),
                        ..p
                    }
                    .repo_tag()],
                    Err(_) => Vec::new(),
                }
            };
            match chosen.iter_mut().find(|(i, _)| *i == id) {
                Some((_, t)) => {
                    for tag in tags {
                        if !t.contains(&tag) {
                            t.push(tag);
                        }
                    }
                }
                None => chosen.push((id, tags)),
            }
        }
        let mut b = tar::Builder::new(Vec::new());
        let mut manifest = Vec::new();
        let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut written: std::collections::BTreeSet<String> = Default::default();
        for (id, tags) in &chosen {
            let img = self.state.images[id].clone();
            let config = serde_json::to_vec(&config_document(&img))
                .map_err(|e| EngineError::Other(format!("cannot write the image config: {e}")))?;
            let hex = &id[7..];
            append(&mut b, &format!("{hex}.json"), &config).map_err(io_error)?;
            let mut layer_names = Vec::new();
            for (layer_id, layer) in img.layer_chain().iter().zip(self.layer_contents(&img)) {
                let name = format!("{layer_id}/layer.tar");
                if written.insert(layer_id.clone()) {
                    append(&mut b, &format!("{layer_id}/VERSION"), b"1.0").map_err(io_error)?;
                    let data = layer_tar(&layer).map_err(io_error)?;
                    append(&mut b, &name, &data).map_err(io_error)?;
                }
                layer_names.push(name);
            }
            for t in tags {
                if let Some((repo, tag)) = t.rsplit_once(':') {
                    repositories.entry(repo.to_string()).or_default().insert(
                        tag.to_string(),
                        img.layer_chain().last().cloned().unwrap_or_default(),
                    );
                }
            }
            manifest.push(serde_json::json!({
                "Config": format!("{hex}.json"),
                "RepoTags": if tags.is_empty() { serde_json::Value::Null } else { tags.clone().into() },
                "Layers": layer_names,
            }));
        }
        append(
            &mut b,
            "manifest.json",
            serde_json::to_string(&manifest)
                .unwrap_or_default()
                .as_bytes(),
        )
        .map_err(io_error)?;
        if !repositories.is_empty() {
            append(
                &mut b,
                "repositories",
                serde_json::to_string(&repositories)
                    .unwrap_or_default()
                    .as_bytes(),
            )
            .map_err(io_error)?;
        }
        b.into_inner().map_err(io_error)
    }

    /// The non-empty layers of `img`, bottom-up, matching [`Image::layer_chain`].
    fn layer_contents(&self, img: &Image) -> Vec<Layer> {
        let mut out: Vec<Layer> = Vec::new();
        if let Some(c) = img.base.as_deref().and_then(catalog::find) {
            // A catalogue image is one layer of files here, however many its history counts.
            let n = c.history.iter().filter(|(_, s)| *s > 0).count();
            for i in 0..n {
                out.push(if i + 1 == n {
                    c.layer.clone()
                } else {
                    Layer::new()
                });
            }
        }
        out.extend(img.extra_layers.iter().filter(|l| !l.is_empty()).cloned());
        out
    }

    pub(super) fn load_images(&mut self, data: &[u8]) -> EngineResult<Vec<String>> {
        let files = archive_files(data).map_err(EngineError::Other)?;
        let manifest: Vec<serde_json::Value> = files
            .get("manifest.json")
            .and_then(|m| serde_json::from_slice(m).ok())
            .ok_or_else(|| {
                EngineError::Other(
                    "open /var/lib/docker/tmp/docker-import-1/repositories: no such file or directory"
                        .into(),
                )
            })?;
        let now = self.tick();
        let mut out = Vec::new();
        for entry in manifest {
            let config_name = entry["Config"].as_str().unwrap_or_default();
            let config_bytes = files.get(config_name).cloned().unwrap_or_default();
            let config: serde_json::Value = serde_json::from_slice(&config_bytes)
                .map_err(|_| EngineError::Other(format!("invalid image config {config_name}")))?;
            let img = match serde_json::from_value::<Image>(config[SIM_IMAGE_KEY].clone()) {
                Ok(img) => img,
                Err(_) => {
                    let mut layers = Vec::new();
                    for l in entry["Layers"].as_array().into_iter().flatten() {
                        let data = files
                            .get(l.as_str().unwrap_or_default())
                            .cloned()
                            .unwrap_or_default();
                        layers.push(tar_layer(&data, now.timestamp()).map_err(EngineError::Other)?);
                    }
                    foreign_image(&config, &config_bytes, layers, now)
                }
            };
            let id = img.id.clone();
            self.state.images.entry(id.clone()).or_insert(Image {
                repo_tags: vec![],
                repo_digests: vec![],
                ..img
            });
            let tags: Vec<String> = entry["RepoTags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str())
                .filter_map(|t| crate::client::reference::parse_normalized(t).ok())
                .map(|r| r.repo_tag())
                .collect();
            if tags.is_empty() {
                out.push(format!("Loaded image ID: {id}"));
            }
            for tag in tags {
                let holder = self
                    .state
                    .images
                    .values()
                    .find(|i| i.id != id && i.repo_tags.contains(&tag))
                    .map(|i| i.id.clone());
                if let Some(old) = holder {
                    out.push(format!(
                        "The image {tag} already exists, renaming the old one with ID {old} to empty string"
                    ));
                    if let Some(i) = self.state.images.get_mut(&old) {
                        i.repo_tags.retain(|t| *t != tag);
                    }
                }
                let img = self.state.images.get_mut(&id).expect("inserted");
                if !img.repo_tags.contains(&tag) {
                    img.repo_tags.push(tag.clone());
                }
                out.push(format!("Loaded image: {tag}"));
            }
        }
        Ok(out)
    }

    pub(super) fn export_container(&mut self, reference: &str) -> EngineResult<Vec<u8>> {
        let id = self.find_container(reference)?;
        let c = self.state.containers[&id].clone();
        let lower: Vec<Layer> = self
            .lower_layers(&c.image_id)
            .into_iter()
            .cloned()
            .collect();
        let mut upper = c.rw.clone();
        // Volumes and bind mounts are not part of the container's filesystem.
        let view = View {
            lower: lower.iter().collect(),
            upper: &mut upper,
            binds: vec![],
            now: self.state.now().timestamp(),
        };
        view_tar(&view).map_err(io_error)
    }

    pub(super) fn import_image(
        &mut self,
        data: &[u8],
        reference: Option<&ImageRef>,
    ) -> EngineResult<String> {
        let now = self.tick();
        let layer = tar_layer(data, now.timestamp()).map_err(|e| EngineError::daemon(500, e))?;
        let size: u64 = layer
            .values()
            .map(|e| match e {
                Entry::File { data, .. } => data.len() as u64,
                _ => 0,
            })
            .sum();
        let id = self.state.new_image_id();
        let img = Image {
            id: id.clone(),
            repo_tags: vec![],
            repo_digests: vec![],
            created: now,
            base: None,
            extra_layers: vec![layer],
            config: ImageConfig::default(),
            history: vec![HistoryItem {
                id: Some(id.clone()),
                created: now,
                created_by: String::new(),
                size,
                comment: "Imported from -".into(),
            }],
            size,
            parent: None,
            comment: "Imported from -".into(),
        };
        self.state.images.insert(id.clone(), img);
        if let Some(r) = reference {
            let tag = r.repo_tag();
            for other in self.state.images.values_mut() {
                other.repo_tags.retain(|t| *t != tag);
            }
            self.state
                .images
                .get_mut(&id)
                .expect("inserted")
                .repo_tags
                .push(tag);
        }
        Ok(id)
    }
}

/// An image from another engine's archive: its config, history and layers; its id is the
/// digest of its config, as dockerd computes it.
fn foreign_image(
    config: &serde_json::Value,
    config_bytes: &[u8],
    layers: Vec<Layer>,
    now: crate::engine::Timestamp,
) -> Image {
    let id = format!("sha256:{}", catalog::hex(&Sha256::digest(config_bytes)));
    let c = &config["config"];
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let created = config["created"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(now, |t| t.with_timezone(&chrono::Utc));
    let image_config = ImageConfig {
        cmd: c["Cmd"].as_array().map(|_| strings(&c["Cmd"])),
        entrypoint: c["Entrypoint"]
            .as_array()
            .map(|_| strings(&c["Entrypoint"])),
        env: strings(&c["Env"]),
        working_dir: c["WorkingDir"].as_str().unwrap_or_default().to_string(),
        user: c["User"].as_str().unwrap_or_default().to_string(),
        labels: c["Labels"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        exposed_ports: keys(&c["ExposedPorts"]),
        volumes: keys(&c["Volumes"]),
    };
    let sizes: Vec<u64> = layers
        .iter()
        .map(|l| {
            l.values()
                .map(|e| match e {
                    Entry::File { data, .. } => data.len() as u64,
                    _ => 0,
                })
                .sum()
        })
        .collect();
    let mut sized = sizes.iter();
    let history: Vec<HistoryItem> = config["history"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| {
            let empty = h["empty_layer"].as_bool().unwrap_or(false);
            HistoryItem {
                id: None,
                created: h["created"]
                    .as_str()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map_or(created, |t| t.with_timezone(&chrono::Utc)),
                created_by: h["created_by"].as_str().unwrap_or_default().to_string(),
                size: if empty {
                    0
                } else {
                    sized.next().copied().unwrap_or(0)
                },
                comment: h["comment"].as_str().unwrap_or_default().to_string(),
            }
        })
        .collect();
    let mut history = history;
    if let Some(last) = history.last_mut() {
        last.id = Some(id.clone());
    }
    Image {
        id,
        repo_tags: vec![],
        repo_digests: vec![],
        created,
        base: None,
        size: sizes.iter().sum(),
        extra_layers: layers,
        config: image_config,
        history,
        parent: None,
        comment: String::new(),
    }
}
