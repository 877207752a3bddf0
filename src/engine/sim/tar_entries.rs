//! Reading tar archives, for every place the simulator takes one in: a build context, an
//! archive `ADD` unpacks, `docker cp`'s stream into a container, and `load`/`import`.

use std::io::Read;

use super::fs::{self, View};

/// One member of an archive, as it was stored.
pub struct TarEntry {
    /// The path as written in the archive (relative, maybe with `./` or a trailing `/`).
    pub path: String,
    pub kind: TarKind,
    pub mode: Option<u32>,
    pub mtime: Option<i64>,
}

pub enum TarKind {
    Dir,
    /// A symbolic link and its target (empty when the archive names none).
    Symlink(String),
    File(Vec<u8>),
}

/// Every member of `data`, in archive order.
pub fn read(data: &[u8]) -> std::io::Result<Vec<TarEntry>> {
    let mut archive = tar::Archive::new(std::io::Cursor::new(data));
    let mut out = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let header = entry.header();
        let (mode, mtime) = (header.mode().ok(), header.mtime().ok().map(|t| t as i64));
        let ty = header.entry_type();
        let kind = if ty.is_dir() {
            TarKind::Dir
        } else if ty.is_symlink() {
            let target = entry.link_name()?;
            TarKind::Symlink(target.map_or_else(String::new, |t| t.to_string_lossy().into_owned()))
        } else {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes)?;
            TarKind::File(bytes)
        };
        out.push(TarEntry {
            path,
            kind,
            mode,
            mtime,
        });
    }
    Ok(out)
}

/// Unpack `entries` under `dest` in `view`, making folders as needed. `normalize` clamps `..`,
/// so an archive cannot write above `dest`'s root. Err names the path that could not be made.
pub fn unpack(view: &mut View, dest: &str, entries: Vec<TarEntry>) -> Result<(), String> {
    let _ = view.mkdir(dest, true);
    for entry in entries {
        let target = fs::normalize(dest, entry.path.trim_end_matches('/'));
        let _ = view.mkdir(fs::parent(&target), true);
        match entry.kind {
            TarKind::Dir => view.mkdir(&target, true).map_err(|_| target.clone())?,
            TarKind::Symlink(link) if !link.is_empty() => view.symlink(&link, &target),
            TarKind::Symlink(_) => {}
            TarKind::File(bytes) => view
                .write(&target, bytes, false)
                .map_err(|_| target.clone())?,
        }
    }
    Ok(())
}
