//! The offline image catalogue: what `docker pull` can fetch on the simulator. Contents are
//! built from code on first use (never stored in the state file), believable enough for the
//! lessons: real-looking `/etc/os-release`, the usual top-level folders, each image's real
//! default command and a history like the published image's.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use super::fs::{Entry, Layer};
use crate::engine::ImageConfig;

pub struct CatalogImage {
    /// `ubuntu:latest`
    pub repo_tag: &'static str,
    /// Other tags of the same image (`ubuntu:24.04`).
    pub created: &'static str,
    pub size: u64,
    pub config: ImageConfig,
    /// (created_by, size) oldest first.
    pub history: Vec<(&'static str, u64)>,
    pub layer: Layer,
    /// Which shell flavour runs `sh`: bash prompts `root@id:/# `, busybox `/ # `.
    pub shell: ShellFlavor,
    pub service: Option<Service>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellFlavor {
    Bash,
    Busybox,
}

/// A long-running server the image starts by default.
pub struct Service {
    pub program: &'static str,
    pub logs: &'static [&'static str],
}

const PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const COREUTILS: &[&str] = &[
    "bash", "cat", "chmod", "cp", "date", "dd", "df", "echo", "env", "false", "grep", "head",
    "hostname", "id", "ln", "ls", "mkdir", "mv", "pwd", "rm", "rmdir", "sed", "sh", "sleep",
    "sort", "tail", "touch", "true", "uname", "wc", "which", "whoami", "apt", "apt-get", "dpkg",
    "tar", "gzip", "find", "xargs", "tee", "uniq", "cut", "tr", "basename", "dirname", "printf",
    "test", "stat", "du", "mount", "more", "yes", "seq", "nproc", "clear",
];

const BUSYBOX_APPLETS: &[&str] = &[
    "sh", "ash", "cat", "chmod", "cp", "date", "dd", "df", "echo", "env", "false", "grep", "head",
    "hostname", "id", "ln", "ls", "mkdir", "mv", "ps", "pwd", "rm", "rmdir", "sed", "sleep",
    "sort", "tail", "touch", "top", "true", "uname", "vi", "wc", "which", "whoami", "wget", "tar",
    "gzip", "find", "xargs", "tee", "uniq", "cut", "tr", "basename", "dirname", "printf", "test",
    "stat", "du", "mount", "more", "yes", "seq", "nproc", "clear", "free", "uptime", "busybox",
    "httpd",
];

pub const HELLO_TEXT: &str = "
Hello from Docker!
This message shows that your installation appears to be working correctly.

To generate this message, Docker took the following steps:
 1. The Docker client contacted the Docker daemon.
 2. The Docker daemon pulled the \"hello-world\" image from the Docker Hub.
    (amd64)
 3. The Docker daemon created a new container from that image which runs the
    executable that produces the output you are currently reading.
 4. The Docker daemon streamed that output to the Docker client, which sent it
    to your terminal.

To try something more ambitious, you can run an Ubuntu container with:
 $ docker run -it ubuntu bash

Share images, automate workflows, and more with a free Docker ID:
 https://hub.docker.com/

For more examples and ideas, visit:
 https://docs.docker.com/get-started/

";

fn dir(l: &mut Layer, p: &str) {
    l.insert(
        p.to_string(),
        Entry::Dir {
            mode: 0o755,
            mtime: 0,
        },
    );
}
fn file(l: &mut Layer, p: &str, text: &str) {
    l.insert(
        p.to_string(),
        Entry::file(text.as_bytes().to_vec(), 0o644, 0),
    );
}
fn exe(l: &mut Layer, p: &str) {
    l.insert(
        p.to_string(),
        Entry::file(b"\x7fELF (simulated program)".to_vec(), 0o755, 0),
    );
}
fn link(l: &mut Layer, p: &str, target: &str) {
    l.insert(
        p.to_string(),
        Entry::Symlink {
            target: target.to_string(),
        },
    );
}

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
const GROUP: &str = "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n";

/// A Debian-family root filesystem (merged /usr, as Ubuntu 24.04 has).
fn debian_like(os_release: &str, merged_usr: bool, extra_bins: &[&str]) -> Layer {
    let mut l = Layer::new();
    for d in [
        "/boot",
        "/dev",
        "/etc",
        "/home",
        "/media",
        "/mnt",
        "/opt",
        "/proc",
        "/root",
        "/run",
        "/srv",
        "/sys",
        "/tmp",
        "/usr",
        "/usr/bin",
        "/usr/sbin",
        "/usr/lib",
        "/usr/local",
        "/usr/local/bin",
        "/usr/share",
        "/var",
        "/var/lib",
        "/var/log",
        "/var/tmp",
        "/var/cache",
        "/var/lib/apt",
        "/var/lib/apt/lists",
        "/etc/apt",
    ] {
        dir(&mut l, d);
    }
    l.insert(
        "/tmp".into(),
        Entry::Dir {
            mode: 0o1777,
            mtime: 0,
        },
    );
    if merged_usr {
        link(&mut l, "/bin", "usr/bin");
        link(&mut l, "/sbin", "usr/sbin");
        link(&mut l, "/lib", "usr/lib");
        link(&mut l, "/lib64", "usr/lib64");
        dir(&mut l, "/usr/lib64");
    } else {
        dir(&mut l, "/bin");
        dir(&mut l, "/sbin");
        dir(&mut l, "/lib");
        dir(&mut l, "/lib64");
    }
    let bindir = if merged_usr { "/usr/bin" } else { "/bin" };
    for b in COREUTILS.iter().chain(extra_bins) {
        exe(&mut l, &format!("{bindir}/{b}"));
    }
    file(&mut l, "/etc/os-release", os_release);
    file(&mut l, "/etc/passwd", PASSWD);
    file(&mut l, "/etc/group", GROUP);
    file(
        &mut l,
        "/root/.bashrc",
        "# ~/.bashrc: executed by bash(1) for non-login shells.\n",
    );
    l
}

fn busybox_layer() -> Layer {
    let mut l = Layer::new();
    for d in [
        "/bin",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/lib64",
        "/proc",
        "/root",
        "/sys",
        "/tmp",
        "/usr",
        "/usr/sbin",
        "/var",
        "/var/spool",
    ] {
        dir(&mut l, d);
    }
    l.insert(
        "/tmp".into(),
        Entry::Dir {
            mode: 0o1777,
            mtime: 0,
        },
    );
    for a in BUSYBOX_APPLETS {
        exe(&mut l, &format!("/bin/{a}"));
    }
    file(&mut l, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n");
    file(
        &mut l,
        "/etc/group",
        "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n",
    );
    l
}

pub const UBUNTU_OS: &str = "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nVERSION=\"24.04.1 LTS (Noble Numbat)\"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\nSUPPORT_URL=\"https://help.ubuntu.com/\"\nBUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\nPRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\nUBUNTU_CODENAME=noble\nLOGO=ubuntu-logo\n";
pub const JESSIE_OS: &str = "PRETTY_NAME=\"Debian GNU/Linux 8 (jessie)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"8\"\nVERSION=\"8 (jessie)\"\nID=debian\nHOME_URL=\"http://www.debian.org/\"\nSUPPORT_URL=\"http://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n";

fn config(
    cmd: &[&str],
    entrypoint: Option<&[&str]>,
    env: &[&str],
    workdir: &str,
    ports: &[&str],
    volumes: &[&str],
) -> ImageConfig {
    ImageConfig {
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        entrypoint: entrypoint.map(|e| e.iter().map(|s| s.to_string()).collect()),
        env: std::iter::once(PATH)
            .chain(env.iter().copied())
            .map(str::to_string)
            .collect(),
        working_dir: workdir.to_string(),
        user: String::new(),
        labels: BTreeMap::new(),
        exposed_ports: ports.iter().map(|s| s.to_string()).collect(),
        volumes: volumes.iter().map(|s| s.to_string()).collect(),
    }
}

fn build() -> Vec<CatalogImage> {
    let mut images = Vec::new();
    images.push(CatalogImage {
        repo_tag: "ubuntu:latest",
        created: "2024-10-11T03:28:52Z",
        size: 78_112_034,
        config: config(&["/bin/bash"], None, &[], "", &[], &[]),
        history: vec![
            ("/bin/sh -c #(nop)  ARG RELEASE", 0),
            ("/bin/sh -c #(nop)  ARG LAUNCHPAD_BUILD_ARCH", 0),
            ("/bin/sh -c #(nop)  LABEL org.opencontainers.image.ref.name=ubuntu", 0),
            ("/bin/sh -c #(nop)  LABEL org.opencontainers.image.version=24.04", 0),
            ("/bin/sh -c #(nop) ADD file:a4d66a3bc2b5ea28e6e4b7b1d0a8e5e7e1f7aa1b4f1d5a8c0dc4b56c9e5f3f88 in / ", 78_112_034),
            ("/bin/sh -c #(nop)  CMD [\"/bin/bash\"]", 0),
        ],
        layer: debian_like(UBUNTU_OS, true, &[]),
        shell: ShellFlavor::Bash,
        service: None,
    });
    for tag in ["busybox:latest", "busybox:1.23"] {
        images.push(CatalogImage {
            repo_tag: tag,
            created: if tag.ends_with("1.23") { "2015-09-02T16:22:43Z" } else { "2024-09-26T21:31:42Z" },
            size: if tag.ends_with("1.23") { 1_096_000 } else { 4_269_408 },
            config: config(&["sh"], None, &[], "", &[], &[]),
            history: vec![
                ("/bin/sh -c #(nop) ADD file:7e9002edaafd4e4579b65c8f0aaabde1aeb7fd3f8d95579f7fd3f2e5ab7d8d1c in / ", if tag.ends_with("1.23") { 1_096_000 } else { 4_269_408 }),
                ("/bin/sh -c #(nop)  CMD [\"sh\"]", 0),
            ],
            layer: busybox_layer(),
            shell: ShellFlavor::Busybox,
            service: None,
        });
    }
    let mut hello = Layer::new();
    exe(&mut hello, "/hello");
    images.push(CatalogImage {
        repo_tag: "hello-world:latest",
        created: "2023-05-02T16:49:27Z",
        size: 13_256,
        config: config(&["/hello"], None, &[], "", &[], &[]),
        history: vec![
            ("/bin/sh -c #(nop) COPY file:201f8f1849e89d53be9f6aa76937f5e209d745abfd15a8552fcf2ba45ab267f9 in / ", 13_256),
            ("/bin/sh -c #(nop)  CMD [\"/hello\"]", 0),
        ],
        layer: hello,
        shell: ShellFlavor::Busybox,
        service: None,
    });
    images.push(CatalogImage {
        repo_tag: "debian:jessie",
        created: "2020-08-04T00:27:37Z",
        size: 129_042_126,
        config: config(&["bash"], None, &[], "", &[], &[]),
        history: vec![
            ("/bin/sh -c #(nop) ADD file:ca0e4fbd4ed9ec10ad1b9a1b2b24b7e11b6b1d5b5b2b5fcf6d0b7dd1b2c4c3b in / ", 129_042_126),
            ("/bin/sh -c #(nop)  CMD [\"bash\"]", 0),
        ],
        layer: debian_like(JESSIE_OS, false, &["ps"]),
        shell: ShellFlavor::Bash,
        service: None,
    });
    let mut registry = busybox_layer();
    for d in ["/etc/docker", "/etc/docker/registry", "/var/lib/registry"] {
        dir(&mut registry, d);
    }
    exe(&mut registry, "/bin/registry");
    file(&mut registry, "/entrypoint.sh", "#!/bin/sh\n\nset -e\n\ncase \"$1\" in\n    *.yaml|*.yml) set -- registry serve \"$@\" ;;\n    serve|garbage-collect|help|-*) set -- registry \"$@\" ;;\nesac\n\nexec \"$@\"\n");
    file(&mut registry, "/etc/docker/registry/config.yml", "version: 0.1\nlog:\n  fields:\n    service: registry\nstorage:\n  cache:\n    blobdescriptor: inmemory\n  filesystem:\n    rootdirectory: /var/lib/registry\nhttp:\n  addr: :5000\n");
    file(
        &mut registry,
        "/etc/os-release",
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME=\"Alpine Linux v3.18\"\n",
    );
    images.push(CatalogImage {
        repo_tag: "registry:2",
        created: "2023-10-02T18:43:50Z",
        size: 25_367_112,
        config: config(&["/etc/docker/registry/config.yml"], Some(&["/entrypoint.sh"]), &[], "", &["5000/tcp"], &["/var/lib/registry"]),
        history: vec![
            ("/bin/sh -c #(nop) ADD file:756183bba9c7f4593c2b216e98e4208b9163c4c962ea0837ef88bd917609d001 in / ", 7_331_656),
            ("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", 0),
            ("RUN /bin/sh -c set -ex     && apk add --no-cache ca-certificates # buildkit", 687_000),
            ("COPY ./registry/registry /bin/registry # buildkit", 17_300_000),
            ("COPY ./registry/config-example.yml /etc/docker/registry/config.yml # buildkit", 295),
            ("VOLUME [/var/lib/registry]", 0),
            ("EXPOSE map[5000/tcp:{}]", 0),
            ("COPY docker-entrypoint.sh /entrypoint.sh # buildkit", 155),
            ("ENTRYPOINT [\"/entrypoint.sh\"]", 0),
            ("CMD [\"/etc/docker/registry/config.yml\"]", 0),
        ],
        layer: registry,
        shell: ShellFlavor::Busybox,
        service: Some(Service {
            program: "registry",
            logs: &[
                "time=\"2026-01-01T00:00:00.000000000Z\" level=info msg=\"Starting upload purge in 20m0s\" go.version=go1.20.8 instance.id=3b8f3c5a-8f0e-4d52-9a8e-3c9f5f0e1c2d service=registry version=2.8.3",
                "time=\"2026-01-01T00:00:00.000000000Z\" level=info msg=\"redis not configured\" go.version=go1.20.8 service=registry version=2.8.3",
                "time=\"2026-01-01T00:00:00.000000000Z\" level=info msg=\"listening on [::]:5000\" go.version=go1.20.8 service=registry version=2.8.3",
            ],
        }),
    });
    let mut tomcat = debian_like(JESSIE_OS, false, &["java", "ps"]);
    for d in [
        "/usr/local/tomcat",
        "/usr/local/tomcat/bin",
        "/usr/local/tomcat/webapps",
        "/usr/local/tomcat/logs",
    ] {
        dir(&mut tomcat, d);
    }
    exe(&mut tomcat, "/usr/local/tomcat/bin/catalina.sh");
    images.push(CatalogImage {
        repo_tag: "tomcat:8.0",
        created: "2018-06-27T21:56:57Z",
        size: 462_616_371,
        config: config(&["catalina.sh", "run"], None, &["CATALINA_HOME=/usr/local/tomcat"], "/usr/local/tomcat", &["8080/tcp"], &[]),
        history: vec![
            ("/bin/sh -c #(nop) ADD file:e6ca98733431f75e97eb09758ba64065d213d51bd2070a95cf15f2ff5adccfc4 in / ", 125_071_264),
            ("/bin/sh -c #(nop)  ENV CATALINA_HOME=/usr/local/tomcat", 0),
            ("/bin/sh -c #(nop) WORKDIR /usr/local/tomcat", 0),
            ("/bin/sh -c set -eux; apt-get update; apt-get install -y openjdk-7-jre-headless", 337_545_107),
            ("/bin/sh -c #(nop)  EXPOSE 8080/tcp", 0),
            ("/bin/sh -c #(nop)  CMD [\"catalina.sh\" \"run\"]", 0),
        ],
        layer: tomcat,
        shell: ShellFlavor::Bash,
        service: Some(Service {
            program: "catalina.sh",
            logs: &[
                "Using CATALINA_BASE:   /usr/local/tomcat",
                "Using CATALINA_HOME:   /usr/local/tomcat",
                "INFO: Starting Servlet Engine: Apache Tomcat/8.0.53",
                "INFO: Starting ProtocolHandler [\"http-apr-8080\"]",
                "INFO: Server startup in 612 ms",
            ],
        }),
    });
    images
}

pub fn all() -> &'static [CatalogImage] {
    static CATALOG: OnceLock<Vec<CatalogImage>> = OnceLock::new();
    CATALOG.get_or_init(build)
}

/// The catalogue entry for `repo:tag` (`ubuntu:latest`).
pub fn find(repo_tag: &str) -> Option<&'static CatalogImage> {
    all().iter().find(|i| i.repo_tag == repo_tag)
}

/// Stable ids for catalogue content: `sha256:` + hex of a hash of the name.
pub fn image_id(repo_tag: &str) -> String {
    format!(
        "sha256:{}",
        hex(&Sha256::digest(
            format!("docktutor catalogue image {repo_tag}").as_bytes()
        ))
    )
}

pub fn digest(repo_tag: &str) -> String {
    format!(
        "sha256:{}",
        hex(&Sha256::digest(
            format!("docktutor catalogue digest {repo_tag}").as_bytes()
        ))
    )
}

/// Short layer ids, as pull and push print them.
pub fn layer_ids(repo_tag: &str, n: usize) -> Vec<String> {
    full_layer_ids(repo_tag, n)
        .into_iter()
        .map(|l| l[..12].to_string())
        .collect()
}

/// 64-hex layer ids (`Deleted: sha256:…` when the last image using one goes).
pub fn full_layer_ids(repo_tag: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            hex(&Sha256::digest(
                format!("docktutor layer {repo_tag} {i}").as_bytes(),
            ))
        })
        .collect()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
