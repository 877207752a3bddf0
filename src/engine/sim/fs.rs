//! Copy-on-write filesystems: image layers below, a container layer on top, whiteouts for
//! deletions, and bind mounts that reach real host folders.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// One entry of a layer, keyed by its absolute path (`/etc/os-release`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Entry {
    File {
        #[serde(with = "bytes_as_text")]
        data: Vec<u8>,
        mode: u32,
        mtime: i64,
        /// Bytes the file holds beyond `data`, never kept in memory: an installed package's
        /// binaries are tens of megabytes, and sizes (`docker history`, `ps -s`) must show it.
        #[serde(default, skip_serializing_if = "is_zero")]
        bulk: u64,
    },
    Dir {
        mode: u32,
        mtime: i64,
    },
    Symlink {
        target: String,
    },
    /// A deletion recorded in an upper layer (overlayfs' whiteout).
    Whiteout,
}

/// File contents are kept as text when they are text, so state files stay readable.
mod bytes_as_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Text(String),
        Bytes(Vec<u8>),
    }

    pub fn serialize<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(data) {
            Ok(t) => Repr::Text(t.to_string()).serialize(s),
            Err(_) => Repr::Bytes(data.to_vec()).serialize(s),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(match Repr::deserialize(d)? {
            Repr::Text(t) => t.into_bytes(),
            Repr::Bytes(b) => b,
        })
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Entry {
    /// A file of `data`.
    pub fn file(data: Vec<u8>, mode: u32, mtime: i64) -> Entry {
        Entry::File {
            data,
            mode,
            mtime,
            bulk: 0,
        }
    }

    /// The bytes this entry adds to a layer, as dockerd counts them: file sizes only
    /// (directories, links and whiteouts count 0).
    pub fn size(&self) -> u64 {
        match self {
            Entry::File { data, bulk, .. } => data.len() as u64 + bulk,
            _ => 0,
        }
    }
}

/// A layer's size, as `docker history` and `docker ps -s` show it.
pub fn layer_size(layer: &Layer) -> u64 {
    layer.values().map(Entry::size).sum()
}

pub type Layer = BTreeMap<String, Entry>;

/// What a path is, seen through all layers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    File { size: u64, mode: u32, mtime: i64 },
    Dir { mode: u32, mtime: i64 },
    Symlink { target: String },
}

impl Node {
    pub fn is_dir(&self) -> bool {
        matches!(self, Node::Dir { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    NotADirectory,
    IsADirectory,
    Exists,
    NotEmpty,
    Host(String),
}

/// A merged view: `lower` layers bottom-up, the writable `upper` layer, and bind mounts
/// (container path → host folder).
pub struct View<'a> {
    pub lower: Vec<&'a Layer>,
    pub upper: &'a mut Layer,
    pub binds: Vec<(String, PathBuf)>,
    pub now: i64,
}

/// `/a/./b/../c` → `/a/c`, relative paths against `cwd`.
pub fn normalize(cwd: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Resolve the absolute `path` component by component, asking `link_at` for the target of each
/// prefix that is a symbolic link, after at most `max_hops` links. `..` clamps at `/`, so the
/// result never leaves the tree `link_at` describes.
pub fn follow_links(
    path: &str,
    max_hops: usize,
    link_at: impl Fn(&str) -> Option<String>,
) -> String {
    let components = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut current = String::from("/");
    let mut hops = 0;
    let mut queue: std::collections::VecDeque<String> = components(path).into();
    while let Some(c) = queue.pop_front() {
        let candidate = normalize(&current, &c);
        match link_at(&candidate) {
            Some(target) if hops < max_hops => {
                hops += 1;
                let t = if target.starts_with('/') {
                    target
                } else {
                    normalize(parent(&candidate), &target)
                };
                let rest: Vec<String> = queue.drain(..).collect();
                current = String::from("/");
                queue = components(&t).into_iter().chain(rest).collect();
            }
            _ => current = candidate,
        }
    }
    current
}

pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

pub fn base(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl View<'_> {
    /// The host path behind `path` when it lies under a bind mount.
    fn host(&self, path: &str) -> Option<PathBuf> {
        self.binds
            .iter()
            .filter(|(t, _)| {
                path == t || path.starts_with(&format!("{}/", t.trim_end_matches('/')))
            })
            .max_by_key(|(t, _)| t.len())
            .map(|(t, h)| {
                let rest = path[t.len()..].trim_start_matches('/');
                if rest.is_empty() {
                    h.clone()
                } else {
                    h.join(rest)
                }
            })
    }

    /// The entry at `path` without following a final symlink.
    fn raw(&self, path: &str) -> Option<Entry> {
        if path == "/" {
            return Some(Entry::Dir {
                mode: 0o755,
                mtime: 0,
            });
        }
        // A whiteout or removal of any parent hides everything below it.
        if let Some(e) = self.upper.get(path) {
            return (e != &Entry::Whiteout).then(|| e.clone());
        }
        for layer in self.lower.iter().rev() {
            if let Some(e) = layer.get(path) {
                return (e != &Entry::Whiteout).then(|| e.clone());
            }
        }
        None
    }

    /// Follow symlinks in every component (`/bin/ls` through `bin -> usr/bin`); a bind-mounted
    /// host folder is not looked into.
    pub fn resolve(&self, path: &str) -> String {
        follow_links(path, 16, |p| {
            if self.host(p).is_some() {
                return None;
            }
            match self.raw(p) {
                Some(Entry::Symlink { target }) => Some(target),
                _ => None,
            }
        })
    }

    pub fn stat(&self, path: &str) -> Option<Node> {
        let path = self.resolve(path);
        self.lstat_resolved(&path)
    }

    /// Stat without following a final symlink.
    pub fn lstat(&self, path: &str) -> Option<Node> {
        let dir = self.resolve(parent(path));
        let p = normalize(&dir, base(path));
        let p = if path == "/" { "/".to_string() } else { p };
        self.lstat_resolved(&p)
    }

    fn lstat_resolved(&self, path: &str) -> Option<Node> {
        if let Some(h) = self.host(path) {
            let m = std::fs::symlink_metadata(&h).ok()?;
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs() as i64);
            return Some(if m.is_dir() {
                Node::Dir { mode: 0o755, mtime }
            } else {
                Node::File {
                    size: m.len(),
                    mode: 0o644,
                    mtime,
                }
            });
        }
        // Every parent must exist as a directory.
        if path != "/"
            && !matches!(self.raw(parent(path)).as_ref(), Some(Entry::Dir { .. }))
            && parent(path) != "/"
        {
            return None;
        }
        match self.raw(path)? {
            Entry::File {
                data,
                mode,
                mtime,
                bulk,
            } => Some(Node::File {
                size: data.len() as u64 + bulk,
                mode,
                mtime,
            }),
            Entry::Dir { mode, mtime } => Some(Node::Dir { mode, mtime }),
            Entry::Symlink { target } => Some(Node::Symlink { target }),
            Entry::Whiteout => None,
        }
    }

    pub fn read(&self, path: &str) -> Result<Vec<u8>, FsError> {
        let path = self.resolve(path);
        if let Some(h) = self.host(&path) {
            if h.is_dir() {
                return Err(FsError::IsADirectory);
            }
            return std::fs::read(&h).map_err(|_| FsError::NotFound);
        }
        match self.lstat_resolved(&path) {
            None => Err(FsError::NotFound),
            Some(Node::Dir { .. }) => Err(FsError::IsADirectory),
            _ => match self.raw(&path) {
                Some(Entry::File { data, .. }) => Ok(data),
                _ => Err(FsError::NotFound),
            },
        }
    }

    /// Names in a directory, sorted.
    pub fn list(&self, path: &str) -> Result<Vec<String>, FsError> {
        let path = self.resolve(path);
        if let Some(h) = self.host(&path) {
            let rd = std::fs::read_dir(&h).map_err(|_| FsError::NotFound)?;
            let mut names: Vec<String> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            return Ok(names);
        }
        match self.lstat_resolved(&path) {
            None => return Err(FsError::NotFound),
            Some(Node::Dir { .. }) => {}
            Some(_) => return Err(FsError::NotADirectory),
        }
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        let mut names = std::collections::BTreeSet::new();
        let layers: Vec<&Layer> = self
            .lower
            .iter()
            .copied()
            .chain(std::iter::once(&*self.upper))
            .collect();
        for layer in &layers {
            for (k, _) in layer.range(prefix.clone()..) {
                if !k.starts_with(&prefix) {
                    break;
                }
                let rest = &k[prefix.len()..];
                if !rest.is_empty() && !rest.contains('/') {
                    names.insert(rest.to_string());
                }
            }
        }
        // Bind mount targets show up in their parent.
        for (t, _) in &self.binds {
            if parent(t) == path {
                names.insert(base(t).to_string());
            }
        }
        Ok(names
            .into_iter()
            .filter(|n| {
                self.raw(&format!("{prefix}{n}")).is_some()
                    || self.binds.iter().any(|(t, _)| *t == format!("{prefix}{n}"))
            })
            .collect())
    }

    pub fn write(&mut self, path: &str, data: Vec<u8>, append: bool) -> Result<(), FsError> {
        let path = self.resolve(path);
        if let Some(h) = self.host(&path) {
            use std::io::Write;
            let r = if append {
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&h)
                    .and_then(|mut f| f.write_all(&data))
            } else {
                std::fs::write(&h, &data)
            };
            return r.map_err(|e| FsError::Host(e.to_string()));
        }
        match self.lstat_resolved(parent(&path)) {
            Some(Node::Dir { .. }) => {}
            Some(_) => return Err(FsError::NotADirectory),
            None => return Err(FsError::NotFound),
        }
        let (mut old, mode) = match self.raw(&path) {
            Some(Entry::Dir { .. }) => return Err(FsError::IsADirectory),
            Some(Entry::File { data, mode, .. }) => (data, mode),
            _ => (Vec::new(), 0o644),
        };
        if append {
            old.extend(data);
        } else {
            old = data;
        }
        self.upper.insert(path, Entry::file(old, mode, self.now));
        Ok(())
    }

    /// Write a file that holds `bulk` bytes beyond `data` (an installed program), with `mode`.
    pub fn write_sized(
        &mut self,
        path: &str,
        data: Vec<u8>,
        bulk: u64,
        mode: u32,
    ) -> Result<(), FsError> {
        self.write(path, data, false)?;
        let resolved = self.resolve(path);
        if let Some(Entry::File {
            bulk: b, mode: m, ..
        }) = self.upper.get_mut(&resolved)
        {
            *b = bulk;
            *m = mode;
        }
        Ok(())
    }

    /// Update the modification time, creating an empty file when missing (`touch`).
    pub fn touch(&mut self, path: &str) -> Result<(), FsError> {
        let resolved = self.resolve(path);
        if let Some(h) = self.host(&resolved) {
            return std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(h)
                .map(|_| ())
                .map_err(|e| FsError::Host(e.to_string()));
        }
        match self.raw(&resolved) {
            Some(Entry::File {
                data, mode, bulk, ..
            }) => {
                self.upper.insert(
                    resolved,
                    Entry::File {
                        data,
                        mode,
                        mtime: self.now,
                        bulk,
                    },
                );
                Ok(())
            }
            Some(Entry::Dir { mode, .. }) => {
                self.upper.insert(
                    resolved,
                    Entry::Dir {
                        mode,
                        mtime: self.now,
                    },
                );
                Ok(())
            }
            _ => self.write(&resolved, Vec::new(), false),
        }
    }

    pub fn mkdir(&mut self, path: &str, parents: bool) -> Result<(), FsError> {
        let path = normalize("/", path);
        if let Some(h) = self.host(&path) {
            let r = if parents {
                std::fs::create_dir_all(&h)
            } else {
                std::fs::create_dir(&h)
            };
            return r.map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    FsError::Exists
                } else {
                    FsError::Host(e.to_string())
                }
            });
        }
        if self.stat(&path).is_some() {
            return if parents && self.stat(&path).is_some_and(|n| n.is_dir()) {
                Ok(())
            } else {
                Err(FsError::Exists)
            };
        }
        let par = parent(&path).to_string();
        match self.stat(&par) {
            Some(n) if n.is_dir() => {}
            Some(_) => return Err(FsError::NotADirectory),
            None if parents => self.mkdir(&par, true)?,
            None => return Err(FsError::NotFound),
        }
        let resolved = normalize(&self.resolve(&par), base(&path));
        self.upper.insert(
            resolved,
            Entry::Dir {
                mode: 0o755,
                mtime: self.now,
            },
        );
        Ok(())
    }

    pub fn symlink(&mut self, target: &str, path: &str) {
        self.upper.insert(
            normalize("/", path),
            Entry::Symlink {
                target: target.to_string(),
            },
        );
    }

    /// Remove a file, link or (when `recursive`) a directory tree.
    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        let dir = self.resolve(parent(path));
        let path = normalize(&dir, base(path));
        if let Some(h) = self.host(&path) {
            let r = if h.is_dir() {
                if !recursive {
                    return Err(FsError::IsADirectory);
                }
                std::fs::remove_dir_all(&h)
            } else {
                std::fs::remove_file(&h)
            };
            return r.map_err(|_| FsError::NotFound);
        }
        match self.lstat_resolved(&path) {
            None => return Err(FsError::NotFound),
            Some(Node::Dir { .. }) => {
                let children = self.list(&path)?;
                if !recursive {
                    return Err(FsError::IsADirectory);
                }
                for c in children {
                    self.remove(&format!("{path}/{c}"), true)?;
                }
            }
            _ => {}
        }
        let in_lower = self
            .lower
            .iter()
            .any(|l| l.get(&path).is_some_and(|e| *e != Entry::Whiteout));
        if in_lower {
            self.upper.insert(path, Entry::Whiteout);
        } else {
            self.upper.remove(&path);
        }
        Ok(())
    }

    /// Copy an entry (and its subtree) to a new path.
    pub fn copy(&mut self, from: &str, to: &str) -> Result<(), FsError> {
        match self.stat(from) {
            None => Err(FsError::NotFound),
            Some(Node::Dir { .. }) => {
                self.mkdir(to, true)?;
                for c in self.list(from)? {
                    self.copy(&format!("{from}/{c}"), &format!("{to}/{c}"))?;
                }
                Ok(())
            }
            Some(_) => {
                let data = self.read(from)?;
                let (bulk, mode) = match self.raw(&self.resolve(from)) {
                    Some(Entry::File { bulk, mode, .. }) => (bulk, mode),
                    _ => (0, 0o644),
                };
                self.write_sized(to, data, bulk, mode)
            }
        }
    }
}

/// `docker diff`: what the container layer changed against the image, with parents of added
/// or deleted entries reported as changed, as dockerd does.
pub fn changes(lower: &[&Layer], upper: &Layer) -> Vec<(char, String)> {
    let in_lower = |p: &str| {
        lower
            .iter()
            .rev()
            .find_map(|l| l.get(p))
            .is_some_and(|e| *e != Entry::Whiteout)
    };
    let mut out: BTreeMap<String, char> = BTreeMap::new();
    for (path, e) in upper {
        let kind = match e {
            Entry::Whiteout => 'D',
            _ if in_lower(path) => 'C',
            _ => 'A',
        };
        out.insert(path.clone(), kind);
        let mut p = parent(path).to_string();
        while p != "/" {
            if in_lower(&p) {
                out.entry(p.clone()).or_insert('C');
            }
            p = parent(&p).to_string();
        }
    }
    out.into_iter().map(|(p, k)| (k, p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base_layer() -> Layer {
        let mut l = Layer::new();
        l.insert(
            "/usr".into(),
            Entry::Dir {
                mode: 0o755,
                mtime: 0,
            },
        );
        l.insert(
            "/usr/bin".into(),
            Entry::Dir {
                mode: 0o755,
                mtime: 0,
            },
        );
        l.insert("/usr/bin/ls".into(), Entry::file(b"elf".to_vec(), 0o755, 0));
        l.insert(
            "/bin".into(),
            Entry::Symlink {
                target: "usr/bin".into(),
            },
        );
        l.insert(
            "/tmp".into(),
            Entry::Dir {
                mode: 0o1777,
                mtime: 0,
            },
        );
        l
    }

    #[test]
    fn copy_on_write_and_whiteouts() {
        let lower = base_layer();
        let mut upper = Layer::new();
        let mut v = View {
            lower: vec![&lower],
            upper: &mut upper,
            binds: vec![],
            now: 5,
        };
        assert!(v.stat("/bin/ls").is_some());
        v.write("/tmp/hello.txt", b"hello world\n".to_vec(), false)
            .unwrap();
        assert_eq!(v.read("/tmp/hello.txt").unwrap(), b"hello world\n");
        v.remove("/bin/ls", false).unwrap();
        assert!(v.stat("/usr/bin/ls").is_none());
        assert_eq!(v.list("/tmp").unwrap(), vec!["hello.txt"]);
        let diff = changes(&[&lower], &upper);
        assert_eq!(
            diff,
            vec![
                ('C', "/tmp".into()),
                ('A', "/tmp/hello.txt".into()),
                ('C', "/usr".into()),
                ('C', "/usr/bin".into()),
                ('D', "/usr/bin/ls".into())
            ]
        );
        // The image layer itself is untouched.
        assert!(lower.contains_key("/usr/bin/ls"));
    }

    #[test]
    fn bind_mounts_reach_the_host() {
        let dir = tempfile::tempdir().unwrap();
        let lower = base_layer();
        let mut upper = Layer::new();
        let mut v = View {
            lower: vec![&lower],
            upper: &mut upper,
            binds: vec![("/data".into(), dir.path().to_path_buf())],
            now: 0,
        };
        v.touch("/data/myfile").unwrap();
        assert!(dir.path().join("myfile").exists());
        std::fs::write(dir.path().join("from-host"), "hi").unwrap();
        assert_eq!(v.read("/data/from-host").unwrap(), b"hi");
        assert_eq!(v.list("/").unwrap(), vec!["bin", "data", "tmp", "usr"]);
    }
}
