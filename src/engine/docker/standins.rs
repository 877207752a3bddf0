//! Stand-in images for machines that cannot pull: built from a static busybox binary, labelled
//! as stand-ins, and never written over an image of the same name that is not one.

use std::collections::HashMap;

use bollard::query_parameters as q;
use futures_util::StreamExt;

use super::sandbox::STANDIN_LABEL;
use crate::engine::EngineError;

/// One image the lessons use, and how its stand-in differs from busybox.
#[derive(Clone, Debug)]
pub struct StandIn {
    pub reference: &'static str,
    /// The default command.
    pub cmd: &'static [&'static str],
    /// The entrypoint, when the real image has one.
    pub entrypoint: Option<&'static [&'static str]>,
    /// Extra Dockerfile lines (after busybox is installed).
    pub extra: &'static str,
    /// Files from this machine the stand-in needs besides busybox.
    pub payload: Payload,
    /// For a Debian-family image: its `/etc/os-release`, and the offline stand-in `apt-get`,
    /// `apt`, `pip` and `npm` (see [`TOOLS`]) that install from docktutor's package table.
    pub debian: Option<&'static str>,
}

/// The stand-in package tools, copied to /usr/share/docktutor-standin in Debian-family
/// stand-ins; `apt-get` and `apt` are copies of apt.sh, and apt.sh writes `pip`, `npm` and the
/// programs it installs as wrappers around the others.
const TOOLS: &[(&str, &str)] = &[
    ("apt.sh", include_str!("standin/apt.sh")),
    ("pip.sh", include_str!("standin/pip.sh")),
    ("npm.sh", include_str!("standin/npm.sh")),
    ("program.sh", include_str!("standin/program.sh")),
];

const TOOLS_README: &str = "This image is a docktutor stand-in, built offline from a static busybox: it is not the real\nimage of this name. apt-get, apt, pip and npm here are shell scripts that install from\npackages.txt (docktutor's package table, the same the simulator uses): the files have the\nreal packages' names and sizes, but the programs only answer --version.\n";

/// Bash is not in busybox: a wrapper keeps `/bin/bash` working (with sh's messages).
const BASH_WRAPPER: &str =
    "RUN printf '#!/bin/sh\\nexec /bin/sh \"$@\"\\n' > /bin/bash && chmod 755 /bin/bash\n";

/// What a stand-in takes from this machine besides busybox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    None,
    /// A Docker registry binary (Debian's `docker-registry`) and the libraries it links.
    Registry,
}

/// Where Debian's `docker-registry` package installs the registry.
pub const DEFAULT_REGISTRY_BINARY: &str = "/usr/bin/docker-registry";

/// The registry image's own `/entrypoint.sh` (distribution/distribution-library-image).
const REGISTRY_ENTRYPOINT: &str = "#!/bin/sh\n\nset -e\n\ncase \"$1\" in\n    *.yaml|*.yml) set -- registry serve \"$@\" ;;\n    serve|garbage-collect|help|-*) set -- registry \"$@\" ;;\nesac\n\nexec \"$@\"\n";

/// The registry image's `config.yml`: filesystem storage, plain HTTP on :5000, no auth.
const REGISTRY_CONFIG: &str = "version: 0.1\nlog:\n  fields:\n    service: registry\nstorage:\n  cache:\n    blobdescriptor: inmemory\n  filesystem:\n    rootdirectory: /var/lib/registry\nhttp:\n  addr: :5000\n  headers:\n    X-Content-Type-Options: [nosniff]\nhealth:\n  storagedriver:\n    enabled: true\n    interval: 10s\n    threshold: 3\n";

/// Every image the built-in lessons and scenarios run.
pub const STANDINS: &[StandIn] = &[
    StandIn {
        reference: "busybox:latest",
        cmd: &["sh"],
        entrypoint: None,
        extra: "",
        payload: Payload::None,
        debian: None,
    },
    StandIn {
        reference: "ubuntu:latest",
        cmd: &["/bin/bash"],
        entrypoint: None,
        payload: Payload::None,
        extra: BASH_WRAPPER,
        debian: Some(crate::engine::sim::catalog::UBUNTU_OS),
    },
    StandIn {
        reference: "hello-world:latest",
        cmd: &["/hello"],
        entrypoint: None,
        payload: Payload::None,
        debian: None,
        extra: "RUN printf '#!/bin/sh\\necho\\necho \"Hello from Docker!\"\\necho \"This message shows that your installation appears to be working correctly.\"\\n' > /hello && chmod 755 /hello\n",
    },
    StandIn {
        reference: "debian:jessie",
        cmd: &["bash"],
        entrypoint: None,
        payload: Payload::None,
        extra: BASH_WRAPPER,
        debian: Some(crate::engine::sim::catalog::JESSIE_OS),
    },
    StandIn {
        reference: "registry:2",
        cmd: &["/etc/docker/registry/config.yml"],
        entrypoint: Some(&["/entrypoint.sh"]),
        payload: Payload::Registry,
        debian: None,
        // `rootfs/` holds the registry binary as /bin/registry, the libraries it links, the
        // config and the entrypoint, at their paths in the image.
        extra: "COPY rootfs/ /\nVOLUME [\"/var/lib/registry\"]\nEXPOSE 5000\n",
    },
];

/// What happened to one stand-in.
#[derive(Clone, Debug, PartialEq)]
pub enum StandInOutcome {
    Built {
        id: String,
        /// What the stand-in was built from besides busybox, for the report (the registry
        /// binary's path and version).
        from: Option<String>,
    },
    /// An image of that name that is not a stand-in is already there; it was left alone.
    KeptExisting,
}

/// The stand-ins `wanted` names (`registry:2`, or a repository alone: `busybox`), all of
/// them when `wanted` is empty; an unknown name is an error that lists the known ones.
pub fn select(wanted: &[String]) -> Result<Vec<&'static StandIn>, String> {
    if wanted.is_empty() {
        return Ok(STANDINS.iter().collect());
    }
    let mut out: Vec<&'static StandIn> = Vec::new();
    for w in wanted {
        let found = STANDINS.iter().find(|s| {
            s.reference == w
                || s.reference
                    .split_once(':')
                    .is_some_and(|(repo, _)| repo == w)
        });
        match found {
            Some(s) if !out.iter().any(|o| o.reference == s.reference) => out.push(s),
            Some(_) => {}
            None => {
                let known: Vec<&str> = STANDINS.iter().map(|s| s.reference).collect();
                return Err(format!(
                    "no stand-in image is called {w} (there are: {})",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

/// A file for the build context: its path there, its bytes, its mode.
type ContextFile = (String, Vec<u8>, u32);

/// The registry binary, the libraries it links (as `ldd` lists them) and the registry image's
/// config and entrypoint, under `rootfs/` at their paths in the image.
pub fn registry_payload(binary: &std::path::Path) -> Result<(Vec<ContextFile>, String), String> {
    let bytes = std::fs::read(binary).map_err(|e| {
        format!(
            "the registry stand-in needs a registry binary: cannot read {} ({}); on Debian: apt-get install docker-registry",
            binary.display(),
            io_reason(&e)
        )
    })?;
    let mut files: Vec<ContextFile> = vec![
        ("rootfs/bin/registry".into(), bytes, 0o755),
        (
            "rootfs/etc/docker/registry/config.yml".into(),
            REGISTRY_CONFIG.as_bytes().to_vec(),
            0o644,
        ),
        (
            "rootfs/entrypoint.sh".into(),
            REGISTRY_ENTRYPOINT.as_bytes().to_vec(),
            0o755,
        ),
    ];
    for lib in linked_libraries(binary)? {
        let data = std::fs::read(&lib).map_err(|e| {
            format!(
                "{} links {}, which cannot be read ({})",
                binary.display(),
                lib,
                io_reason(&e)
            )
        })?;
        files.push((format!("rootfs{lib}"), data, 0o755));
    }
    let version = std::process::Command::new(binary)
        .arg("--version")
        .output()
        .ok()
        .map(|o| {
            // `--version` starts with the program's own path: keep what follows it.
            let text = String::from_utf8_lossy(&o.stdout).trim().to_string();
            let path = binary.display().to_string();
            text.strip_prefix(&path).unwrap_or(&text).trim().to_string()
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "version unknown".into());
    Ok((files, format!("{} ({version})", binary.display())))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        _ => e.to_string(),
    }
}

/// The shared libraries a dynamically linked binary needs, from `ldd`; none for a static one.
fn linked_libraries(binary: &std::path::Path) -> Result<Vec<String>, String> {
    let out = std::process::Command::new("ldd")
        .arg(binary)
        .output()
        .map_err(|e| {
            format!(
                "cannot run ldd to list the libraries {} needs: {e}",
                binary.display()
            )
        })?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    parse_ldd(&text).map_err(|missing| {
        format!(
            "{} needs {missing}, which is not on this machine",
            binary.display()
        )
    })
}

/// Absolute library paths in `ldd` output (`libc.so.6 => /lib/…/libc.so.6 (0x…)` and the
/// loader's `/lib64/ld-linux-x86-64.so.2 (0x…)`); `Err(name)` for a library not found.
fn parse_ldd(text: &str) -> Result<Vec<String>, String> {
    let mut libs = Vec::new();
    for line in text.lines().map(str::trim) {
        let path = match line.split_once("=>") {
            Some((name, rest)) => {
                let rest = rest.trim();
                if rest.starts_with("not found") {
                    return Err(name.trim().to_string());
                }
                rest.split_whitespace().next().unwrap_or("")
            }
            None => line.split_whitespace().next().unwrap_or(""),
        };
        if path.starts_with('/') && !libs.iter().any(|l| l == path) {
            libs.push(path.to_string());
        }
    }
    Ok(libs)
}

/// Build the `selected` stand-ins from the static busybox at `busybox_path` (and, for
/// `registry:2`, the registry binary at `registry_binary`), reporting each as it goes.
pub fn build_all(
    busybox_path: &std::path::Path,
    registry_binary: &std::path::Path,
    selected: &[&StandIn],
    mut report: impl FnMut(&StandIn, &Result<StandInOutcome, EngineError>),
) -> Result<(), EngineError> {
    let binary = std::fs::read(busybox_path)
        .map_err(|e| EngineError::Other(format!("cannot read {}: {e}", busybox_path.display())))?;
    let (rt, connection) = super::connect::connect_blocking()?;
    rt.block_on(async {
        for standin in selected {
            let outcome = match standin.payload {
                Payload::None => {
                    build_one(&connection.docker, standin, &binary, tool_files(standin))
                        .await
                        .map(|id| with_from(id, None))
                }
                Payload::Registry => match registry_payload(registry_binary) {
                    Ok((files, from)) => build_one(&connection.docker, standin, &binary, files)
                        .await
                        .map(|id| with_from(id, Some(from))),
                    Err(message) => Err(EngineError::Other(message)),
                },
            };
            report(standin, &outcome);
        }
        Ok(())
    })
}

fn with_from(outcome: StandInOutcome, from: Option<String>) -> StandInOutcome {
    match outcome {
        StandInOutcome::Built { id, .. } => StandInOutcome::Built { id, from },
        other => other,
    }
}

fn json_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn dockerfile(standin: &StandIn) -> String {
    // Stand-ins without an entrypoint keep the Dockerfile they always had, so rebuilding one
    // is a cache hit with the same image id.
    let entrypoint = standin
        .entrypoint
        .map(|e| format!("ENTRYPOINT [{}]\n", json_list(e)))
        .unwrap_or_default();
    format!(
        "FROM scratch\n\
         COPY busybox /bin/busybox\n\
         RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
         RUN mkdir -p /tmp /root /home /etc /var/spool /usr/sbin /usr/bin /lib /lib64 && chmod 1777 /tmp \
         && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo 'root:x:0:' > /etc/group\n\
         {extra}{tools}\
         LABEL {STANDIN_LABEL}=true\n\
         ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n\
         {entrypoint}\
         CMD [{cmd}]\n",
        extra = standin.extra,
        cmd = json_list(standin.cmd),
        tools = if standin.debian.is_some() {
            "COPY docktutor-standin /usr/share/docktutor-standin\n\
             RUN cd /usr/share/docktutor-standin && chmod 755 *.sh && cp apt.sh /usr/bin/apt-get \
             && cp apt.sh /usr/bin/apt && cp os-release /etc/os-release \
             && mkdir -p /var/lib/apt/lists /var/lib/dpkg/info /usr/local/bin /usr/share/doc \
             && touch /var/lib/dpkg/status\n"
        } else {
            ""
        }
    )
}

/// The files of the build context a Debian-family stand-in needs for its package tools.
fn tool_files(standin: &StandIn) -> Vec<ContextFile> {
    let Some(os_release) = standin.debian else {
        return Vec::new();
    };
    let mut files: Vec<ContextFile> = TOOLS
        .iter()
        .map(|(name, text)| {
            (
                format!("docktutor-standin/{name}"),
                text.as_bytes().to_vec(),
                0o755,
            )
        })
        .collect();
    for (name, text) in [
        ("packages.txt", crate::engine::packages::table_text()),
        (
            "externally-managed.txt",
            crate::engine::sim::EXTERNALLY_MANAGED.to_string(),
        ),
        ("os-release", os_release.to_string()),
        ("README", TOOLS_README.to_string()),
    ] {
        files.push((
            format!("docktutor-standin/{name}"),
            text.into_bytes(),
            0o644,
        ));
    }
    files
}

fn context_tar(
    dockerfile: &str,
    busybox: &[u8],
    extra: &[ContextFile],
) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    let base = [
        ("Dockerfile", dockerfile.as_bytes(), 0o644),
        ("busybox", busybox, 0o755),
    ];
    let rest = extra
        .iter()
        .map(|(name, data, mode)| (name.as_str(), data.as_slice(), *mode));
    for (name, data, mode) in base.into_iter().chain(rest) {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_mtime(0);
        header.set_cksum();
        builder.append_data(&mut header, name, data)?;
    }
    builder.into_inner()
}

async fn build_one(
    docker: &bollard::Docker,
    standin: &StandIn,
    busybox: &[u8],
    extra: Vec<ContextFile>,
) -> Result<StandInOutcome, EngineError> {
    if let Ok(existing) = docker.inspect_image(standin.reference).await {
        let is_standin = existing
            .config
            .and_then(|c| c.labels)
            .is_some_and(|l| l.contains_key(STANDIN_LABEL));
        if !is_standin {
            return Ok(StandInOutcome::KeptExisting);
        }
    }
    let tar = context_tar(&dockerfile(standin), busybox, &extra)
        .map_err(|e| EngineError::Other(format!("cannot pack the build context: {e}")))?;
    let options = q::BuildImageOptions {
        dockerfile: "Dockerfile".into(),
        t: Some(standin.reference.to_string()),
        rm: true,
        q: true,
        labels: Some(HashMap::new()),
        ..Default::default()
    };
    let mut stream = docker.build_image(options, None, Some(bollard::body_full(tar.into())));
    let mut id = String::new();
    while let Some(item) = stream.next().await {
        let info =
            item.map_err(|e| EngineError::Other(format!("building {}: {e}", standin.reference)))?;
        if let Some(message) = info.error_detail.and_then(|d| d.message) {
            return Err(EngineError::Other(format!(
                "building {}: {message}",
                standin.reference
            )));
        }
        if let Some(s) = info.stream {
            if s.trim().starts_with("sha256:") {
                id = s.trim().to_string();
            }
        }
    }
    Ok(StandInOutcome::Built { id, from: None })
}

/// Whether `reference` on the daemon is one of docktutor's stand-ins (for messages).
pub fn is_standin_label(labels: &std::collections::BTreeMap<String, String>) -> bool {
    labels.contains_key(STANDIN_LABEL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfiles_label_and_keep_the_command() {
        let d = dockerfile(&STANDINS[1]);
        assert!(d.starts_with("FROM scratch\n"));
        assert!(d.contains("LABEL org.docktutor.standin=true"));
        assert!(d.contains("CMD [\"/bin/bash\"]"));
        assert!(d.contains("/bin/bash && chmod 755 /bin/bash"));
        assert!(!d.contains("ENTRYPOINT"));
    }

    #[test]
    fn the_registry_stand_in_is_shaped_like_registry_2() {
        let registry = select(&["registry:2".into()]).unwrap()[0];
        let d = dockerfile(registry);
        assert!(d.contains("COPY rootfs/ /\n"), "{d}");
        assert!(d.contains("VOLUME [\"/var/lib/registry\"]\n"), "{d}");
        assert!(d.contains("EXPOSE 5000\n"), "{d}");
        assert!(
            d.ends_with(
                "ENTRYPOINT [\"/entrypoint.sh\"]\nCMD [\"/etc/docker/registry/config.yml\"]\n"
            ),
            "{d}"
        );
        assert!(REGISTRY_CONFIG.contains("rootdirectory: /var/lib/registry\n"));
        assert!(REGISTRY_CONFIG.contains("addr: :5000\n"));
        assert!(!REGISTRY_CONFIG.contains("auth"));
    }

    #[test]
    fn selection_by_reference_or_repository() {
        let names = |w: &[&str]| -> Result<Vec<&str>, String> {
            let w: Vec<String> = w.iter().map(|s| s.to_string()).collect();
            select(&w).map(|v| v.iter().map(|s| s.reference).collect())
        };
        assert_eq!(names(&[]).unwrap().len(), STANDINS.len());
        assert_eq!(
            names(&["registry", "busybox:latest", "registry:2"]).unwrap(),
            ["registry:2", "busybox:latest"]
        );
        let err = names(&["alpine"]).unwrap_err();
        assert_eq!(
            err,
            "no stand-in image is called alpine (there are: busybox:latest, ubuntu:latest, hello-world:latest, debian:jessie, registry:2)"
        );
    }

    #[test]
    fn ldd_output_gives_the_libraries() {
        let dynamic = "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f1c)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f1c)\n";
        assert_eq!(
            parse_ldd(dynamic).unwrap(),
            [
                "/lib/x86_64-linux-gnu/libc.so.6",
                "/lib64/ld-linux-x86-64.so.2"
            ]
        );
        assert_eq!(
            parse_ldd("\tnot a dynamic executable\n").unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            parse_ldd("\tlibfoo.so.1 => not found\n").unwrap_err(),
            "libfoo.so.1"
        );
    }

    #[test]
    fn a_missing_registry_binary_is_one_clear_line() {
        let err =
            registry_payload(std::path::Path::new("/nonexistent/docker-registry")).unwrap_err();
        assert_eq!(
            err,
            "the registry stand-in needs a registry binary: cannot read /nonexistent/docker-registry (no such file); on Debian: apt-get install docker-registry"
        );
        assert!(!err.contains('\n'));
    }

    #[test]
    fn context_holds_every_file() {
        let extra = vec![("rootfs/bin/registry".to_string(), b"x".to_vec(), 0o755)];
        let tar = context_tar("FROM scratch\n", b"\x7fELF", &extra).unwrap();
        let mut archive = tar::Archive::new(tar.as_slice());
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["Dockerfile", "busybox", "rootfs/bin/registry"]);
    }
}
