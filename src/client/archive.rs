//! Host-side tar handling for `docker cp` and `docker build`, following the docker CLI's rules
//! for where a copied path lands.

use std::fs;
use std::io::{Cursor, Read};
use std::path::{Component, Path, PathBuf};

/// Tar a host path (file, folder or link) with its base name as the archive root.
/// Returns the archive and its length (what `Successfully copied …` reports).
pub fn pack_host_path(path: &Path, follow_link: bool) -> Result<(Vec<u8>, u64), String> {
    let meta = if follow_link {
        fs::metadata(path)
    } else {
        fs::symlink_metadata(path)
    };
    meta.map_err(|e| format!("lstat {}: {}", path.display(), io_reason(&e)))?;
    let name = path
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(follow_link);
    let r = if path.is_dir()
        && (follow_link
            || !fs::symlink_metadata(path)
                .map(|m| m.file_type().is_symlink())
                .unwrap_or(false))
    {
        builder.append_dir_all(&name, path)
    } else {
        builder.append_path_with_name(path, &name)
    };
    r.map_err(|e| format!("{}: {e}", path.display()))?;
    let data = builder.into_inner().map_err(|e| e.to_string())?;
    let len = data.len() as u64;
    Ok((data, len))
}

/// Rename the root entry of an archive (`docker cp file ctr:/dir/newname`).
pub fn rename_root(tar_bytes: &[u8], new_name: &str) -> Result<Vec<u8>, String> {
    let mut archive = tar::Archive::new(Cursor::new(tar_bytes));
    let mut builder = tar::Builder::new(Vec::new());
    let entries = archive.entries().map_err(|e| e.to_string())?;
    for entry in entries {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        let mut comps = path.components();
        comps.next();
        let rest = comps.as_path();
        let renamed = if rest.as_os_str().is_empty() {
            PathBuf::from(new_name)
        } else {
            Path::new(new_name).join(rest)
        };
        let mut header = entry.header().clone();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| e.to_string())?;
        let link = entry
            .link_name()
            .map_err(|e| e.to_string())?
            .map(|l| l.into_owned());
        match link {
            Some(target) => builder.append_link(&mut header, &renamed, target),
            None => builder.append_data(&mut header, &renamed, Cursor::new(data)),
        }
        .map_err(|e| e.to_string())?;
    }
    builder.into_inner().map_err(|e| e.to_string())
}

/// Extract a container archive to the host as `docker cp CTR:PATH DEST` does: into DEST when it
/// is an existing folder, otherwise as DEST itself. Returns the archive length.
pub fn extract_to_host(tar_bytes: &[u8], dest: &Path, container_path: &str) -> Result<u64, String> {
    let into_dir = dest.is_dir();
    let parent = if into_dir {
        dest.to_path_buf()
    } else {
        dest.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    if !parent.as_os_str().is_empty() && !parent.is_dir() {
        return Err("no such directory".into());
    }
    let source_is_dir = container_path.ends_with('/') || archive_root_is_dir(tar_bytes);
    if dest.is_file() && source_is_dir {
        return Err(format!("cannot copy directory to file {}", dest.display()));
    }
    let mut archive = tar::Archive::new(Cursor::new(tar_bytes));
    let entries = archive.entries().map_err(|e| e.to_string())?;
    for entry in entries {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry.path().map_err(|e| e.to_string())?.into_owned();
        if path
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::RootDir))
        {
            return Err(format!(
                "refusing to extract {}: it points outside the destination",
                path.display()
            ));
        }
        let target = if into_dir {
            dest.join(&path)
        } else {
            let mut comps = path.components();
            comps.next();
            let rest = comps.as_path();
            if rest.as_os_str().is_empty() {
                dest.to_path_buf()
            } else {
                dest.join(rest)
            }
        };
        entry
            .unpack(&target)
            .map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(tar_bytes.len() as u64)
}

fn archive_root_is_dir(tar_bytes: &[u8]) -> bool {
    let mut archive = tar::Archive::new(Cursor::new(tar_bytes));
    let Ok(mut entries) = archive.entries() else {
        return false;
    };
    matches!(entries.next(), Some(Ok(e)) if e.header().entry_type().is_dir())
}

/// Tar a build context. `.dockerignore` patterns are honoured; a Dockerfile given with `-f`
/// outside the context is added under a private name, as the CLI does. Symlinks are stored as
/// links, never followed, so `COPY` cannot reach outside the context through them.
/// Returns the archive and the Dockerfile's path inside it.
pub fn pack_build_context(
    context: &Path,
    dockerfile: Option<&Path>,
    cwd: &Path,
) -> Result<(Vec<u8>, String), String> {
    if !context.is_dir() {
        // The CLI names the context as it was typed.
        let typed = context.strip_prefix(cwd).unwrap_or(context);
        return Err(format!(
            "unable to prepare context: path \"{}\" not found",
            typed.display()
        ));
    }
    let ignore = fs::read_to_string(context.join(".dockerignore")).unwrap_or_default();
    let patterns: Vec<(bool, String)> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.strip_prefix('!') {
            Some(p) => (false, clean_pattern(p)),
            None => (true, clean_pattern(l)),
        })
        .collect();
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    let mut files = Vec::new();
    collect(context, context, &mut files).map_err(|e| e.to_string())?;
    files.sort();
    for rel in files {
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        if is_ignored(&rel_str, &patterns) && rel_str != "Dockerfile" && rel_str != ".dockerignore"
        {
            continue;
        }
        builder
            .append_path_with_name(context.join(&rel), &rel)
            .map_err(|e| e.to_string())?;
    }
    let dockerfile_name = match dockerfile {
        // The CLI looks for `Dockerfile`, then `dockerfile`, before it sends anything.
        None => {
            let found = ["Dockerfile", "dockerfile"]
                .into_iter()
                .find(|n| fs::symlink_metadata(context.join(n)).is_ok());
            match found {
                Some(n) => n.to_string(),
                None => {
                    return Err(format!(
                        "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {}: no such file or directory",
                        lexical_clean(&context.join("Dockerfile")).display()
                    ))
                }
            }
        }
        Some(p) => {
            let abs = if p.is_absolute() {
                p.to_path_buf()
            } else {
                cwd.join(p)
            };
            match abs.strip_prefix(context) {
                Ok(inside) if abs.exists() => inside.to_string_lossy().into_owned(),
                _ => {
                    let bytes = fs::read(&abs).map_err(|e| {
                        format!("unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {}: {}", abs.display(), io_reason(&e))
                    })?;
                    let name = ".dockerfile.docktutor".to_string();
                    let mut header = tar::Header::new_gnu();
                    header.set_size(bytes.len() as u64);
                    header.set_mode(0o644);
                    header.set_cksum();
                    builder
                        .append_data(&mut header, &name, Cursor::new(bytes))
                        .map_err(|e| e.to_string())?;
                    name
                }
            }
        }
    };
    let data = builder.into_inner().map_err(|e| e.to_string())?;
    Ok((data, dockerfile_name))
}

/// `/a/b/./c/../d` → `/a/b/d`, as Go's `filepath.Clean` prints a path.
fn lexical_clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let ft = entry.file_type()?;
        out.push(rel);
        if ft.is_dir() {
            collect(root, &path, out)?;
        }
    }
    Ok(())
}

fn clean_pattern(p: &str) -> String {
    p.trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/')
        .to_string()
}

/// Last matching pattern wins; a pattern also excludes everything below a matched folder.
fn is_ignored(rel: &str, patterns: &[(bool, String)]) -> bool {
    let mut ignored = false;
    for (exclude, pat) in patterns {
        let matched = glob_path(pat, rel) || rel.starts_with(&format!("{pat}/")) || {
            let mut prefix = String::new();
            rel.split('/').any(|part| {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                glob_path(pat, &prefix)
            })
        };
        if matched {
            ignored = *exclude;
        }
    }
    ignored
}

/// `**` spans folders; `*` and `?` stay inside one path component.
fn glob_path(pattern: &str, path: &str) -> bool {
    if pattern == "**" {
        return true;
    }
    let pat: Vec<&str> = pattern.split('/').collect();
    let parts: Vec<&str> = path.split('/').collect();
    fn go(p: &[&str], s: &[&str]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(&"**"), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some(pp), Some(ss)) => {
                crate::command::shell::glob_match(pp, ss) && go(&p[1..], &s[1..])
            }
            _ => false,
        }
    }
    go(&pat, &parts)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_rules() {
        let pats = vec![
            (true, "node_modules".to_string()),
            (true, "*.log".to_string()),
            (false, "keep.log".to_string()),
        ];
        assert!(is_ignored("node_modules/x/y.js", &pats));
        assert!(is_ignored("debug.log", &pats));
        assert!(!is_ignored("keep.log", &pats));
        assert!(!is_ignored("src/main.rs", &pats));
    }

    #[test]
    fn copy_round_trip_through_host() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("hello.txt");
        fs::write(&src, "hi\n").unwrap();
        let (tar, len) = pack_host_path(&src, false).unwrap();
        assert_eq!(len as usize, tar.len());
        let renamed = rename_root(&tar, "greeting.txt").unwrap();
        let out_dir = dir.path().join("out");
        fs::create_dir(&out_dir).unwrap();
        extract_to_host(&renamed, &out_dir, "/greeting.txt").unwrap();
        assert_eq!(
            fs::read_to_string(out_dir.join("greeting.txt")).unwrap(),
            "hi\n"
        );
        // To a path that does not exist yet: the file takes that name.
        extract_to_host(&tar, &dir.path().join("copy.txt"), "/hello.txt").unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("copy.txt")).unwrap(),
            "hi\n"
        );
        assert_eq!(
            extract_to_host(&tar, &dir.path().join("missing/copy.txt"), "/hello.txt").unwrap_err(),
            "no such directory"
        );
    }
}
