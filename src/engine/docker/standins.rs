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
    /// Extra Dockerfile lines (after busybox is installed).
    pub extra: &'static str,
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

/// Every image the built-in lessons and scenarios run.
pub const STANDINS: &[StandIn] = &[
    StandIn {
        reference: "busybox:latest",
        cmd: &["sh"],
        extra: "",
        debian: None,
    },
    StandIn {
        reference: "ubuntu:latest",
        cmd: &["/bin/bash"],
        extra: BASH_WRAPPER,
        debian: Some(crate::engine::sim::catalog::UBUNTU_OS),
    },
    StandIn {
        reference: "hello-world:latest",
        cmd: &["/hello"],
        extra: "RUN printf '#!/bin/sh\\necho\\necho \"Hello from Docker!\"\\necho \"This message shows that your installation appears to be working correctly.\"\\n' > /hello && chmod 755 /hello\n",
        debian: None,
    },
    StandIn {
        reference: "debian:jessie",
        cmd: &["bash"],
        extra: BASH_WRAPPER,
        debian: Some(crate::engine::sim::catalog::JESSIE_OS),
    },
];

/// What happened to one stand-in.
#[derive(Clone, Debug, PartialEq)]
pub enum StandInOutcome {
    Built {
        id: String,
    },
    /// An image of that name that is not a stand-in is already there; it was left alone.
    KeptExisting,
}

/// Build every stand-in from the static busybox at `busybox_path`, reporting each as it goes.
pub fn build_all(
    busybox_path: &std::path::Path,
    mut report: impl FnMut(&StandIn, &Result<StandInOutcome, EngineError>),
) -> Result<(), EngineError> {
    let binary = std::fs::read(busybox_path)
        .map_err(|e| EngineError::Other(format!("cannot read {}: {e}", busybox_path.display())))?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EngineError::Other(e.to_string()))?;
    rt.block_on(async {
        let connection = super::connect::connect().await?;
        for standin in STANDINS {
            let outcome = build_one(&connection.docker, standin, &binary).await;
            report(standin, &outcome);
        }
        Ok(())
    })
}

fn dockerfile(standin: &StandIn) -> String {
    let cmd = standin
        .cmd
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "FROM scratch\n\
         COPY busybox /bin/busybox\n\
         RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
         RUN mkdir -p /tmp /root /home /etc /var/spool /usr/sbin /usr/bin /lib /lib64 && chmod 1777 /tmp \
         && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo 'root:x:0:' > /etc/group\n\
         {extra}{tools}\
         LABEL {STANDIN_LABEL}=true\n\
         ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n\
         CMD [{cmd}]\n",
        extra = standin.extra,
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

/// The files of the build context besides the Dockerfile and busybox.
fn tool_files(standin: &StandIn) -> Vec<(String, Vec<u8>, u32)> {
    let Some(os_release) = standin.debian else {
        return Vec::new();
    };
    let mut files: Vec<(String, Vec<u8>, u32)> = TOOLS
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
    more: &[(String, Vec<u8>, u32)],
) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut files = vec![
        ("Dockerfile", dockerfile.as_bytes(), 0o644),
        ("busybox", busybox, 0o755),
    ];
    files.extend(more.iter().map(|(n, d, m)| (n.as_str(), d.as_slice(), *m)));
    for (name, data, mode) in files {
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
    let tar = context_tar(&dockerfile(standin), busybox, &tool_files(standin))
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
    Ok(StandInOutcome::Built { id })
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
    }

    #[test]
    fn context_holds_both_files() {
        let tar = context_tar("FROM scratch\n", b"\x7fELF", &[]).unwrap();
        let mut archive = tar::Archive::new(tar.as_slice());
        let names: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["Dockerfile", "busybox"]);
    }
}
