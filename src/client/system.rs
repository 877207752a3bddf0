//! version, info, login/logout, and the tar commands (save, load, export, import).

use super::containers::template_error;
use super::output::Output;
use super::reference::parse_normalized;
use super::{Client, Stdin, CLIENT_API_VERSION, CLIENT_VERSION};
use crate::command::{Cmd, Invocation};
use crate::render;

impl Client<'_> {
    pub(super) fn cmd_version(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let server = self.engine.version();
        if let Some(fmt) = inv.value("format") {
            let doc = serde_json::json!({
                "Client": { "Version": CLIENT_VERSION, "ApiVersion": CLIENT_API_VERSION, "Os": "linux", "Arch": "amd64" },
                "Server": server.as_ref().ok().map(|v| serde_json::json!({
                    "Version": v.version, "ApiVersion": v.api_version, "MinAPIVersion": v.min_api_version,
                    "Os": v.os, "Arch": v.arch, "KernelVersion": v.kernel_version, "GitCommit": v.git_commit,
                })),
            });
            return match render::template::render_one(fmt, &doc) {
                Ok(line) => {
                    out.println(&line);
                    0
                }
                Err(e) => template_error(&e, out),
            };
        }
        let api = match &server {
            Ok(v) if version_less(&v.api_version, CLIENT_API_VERSION) => {
                format!("{} (downgraded from {CLIENT_API_VERSION})", v.api_version)
            }
            _ => CLIENT_API_VERSION.to_string(),
        };
        out.println("Client:");
        for (k, v) in [
            ("Version", CLIENT_VERSION.to_string()),
            ("API version", api),
            ("Go version", "go1.24.3".into()),
            ("Git commit", "e6534b4".into()),
            ("Built", "Fri May 30 12:07:14 2025".into()),
            ("OS/Arch", "linux/amd64".into()),
            ("Context", "default".into()),
        ] {
            out.println(&format!(" {:<19}{v}", format!("{k}:")));
        }
        match server {
            Ok(v) => {
                out.println("");
                out.println("Server:");
                out.println(" Engine:");
                for (k, val) in [
                    ("Version", v.version.clone()),
                    (
                        "API version",
                        format!("{} (minimum version {})", v.api_version, v.min_api_version),
                    ),
                    ("Go version", v.go_version.clone()),
                    ("Git commit", v.git_commit.clone()),
                    ("Built", v.build_time.clone()),
                    ("OS/Arch", format!("{}/{}", v.os, v.arch)),
                    ("Experimental", "false".into()),
                ] {
                    out.println(&format!("  {:<18}{val}", format!("{k}:")));
                }
                for (name, version, commit) in &v.components {
                    out.println(&format!(" {name}:"));
                    out.println(&format!("  {:<18}{version}", "Version:"));
                    out.println(&format!("  {:<18}{commit}", "GitCommit:"));
                }
                0
            }
            Err(e) => {
                out.engine_error(&e);
                1
            }
        }
    }

    pub(super) fn cmd_info(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let info = match self.engine.info() {
            Ok(i) => i,
            Err(e) => {
                out.println("Client:");
                out.println(&format!(" Version:    {CLIENT_VERSION}"));
                out.println(" Context:    default");
                out.println(" Debug Mode: false");
                out.println("");
                out.println("Server:");
                out.engine_error(&e);
                return 1;
            }
        };
        if let Some(fmt) = inv.value("format") {
            let doc = serde_json::json!({
                "Containers": info.containers, "ContainersRunning": info.running,
                "ContainersPaused": info.paused, "ContainersStopped": info.stopped,
                "Images": info.images, "ServerVersion": info.server_version,
                "Driver": info.storage_driver, "DockerRootDir": info.docker_root_dir,
                "OperatingSystem": info.operating_system, "OSType": info.os_type,
                "Architecture": info.architecture, "NCPU": info.cpus, "MemTotal": info.memory,
                "Name": info.name, "KernelVersion": info.kernel_version,
            });
            return match render::template::render_one(fmt, &doc) {
                Ok(line) => {
                    out.println(&line);
                    0
                }
                Err(e) => template_error(&e, out),
            };
        }
        let lines = [
            "Client:".to_string(),
            format!(" Version:    {CLIENT_VERSION}"),
            " Context:    default".into(),
            " Debug Mode: false".into(),
            String::new(),
            "Server:".into(),
            format!(" Containers: {}", info.containers),
            format!("  Running: {}", info.running),
            format!("  Paused: {}", info.paused),
            format!("  Stopped: {}", info.stopped),
            format!(" Images: {}", info.images),
            format!(" Server Version: {}", info.server_version),
            format!(" Storage Driver: {}", info.storage_driver),
            " Logging Driver: json-file".into(),
            " Cgroup Driver: systemd".into(),
            format!(" Runtimes: {}", info.runtimes.join(" ")),
            format!(" Default Runtime: {}", info.default_runtime),
            format!(" Kernel Version: {}", info.kernel_version),
            format!(" Operating System: {}", info.operating_system),
            format!(" OSType: {}", info.os_type),
            format!(" Architecture: {}", info.architecture),
            format!(" CPUs: {}", info.cpus),
            format!(" Total Memory: {}", render::units::binary_size(info.memory)),
            format!(" Name: {}", info.name),
            format!(" Docker Root Dir: {}", info.docker_root_dir),
            " Debug Mode: false".into(),
            format!(" Registry: {}", info.registry),
            " Experimental: false".into(),
            " Insecure Registries:".into(),
            "  127.0.0.0/8".into(),
            " Live Restore Enabled: false".into(),
        ];
        for l in lines {
            out.println(&l);
        }
        0
    }

    pub(super) fn cmd_login(&mut self, inv: &Invocation, stdin: Stdin, out: &mut Output) -> i32 {
        let server = inv
            .args
            .first()
            .cloned()
            .unwrap_or_else(|| "https://index.docker.io/v1/".into());
        let user = inv.value("username").map(str::to_string);
        let password = if inv.flag("password-stdin") {
            match &stdin {
                Stdin::Data(d) => Some(
                    String::from_utf8_lossy(d)
                        .trim_end_matches(['\n', '\r'])
                        .to_string(),
                ),
                _ => None,
            }
        } else {
            inv.value("password").map(str::to_string)
        };
        if inv.value("password").is_some() {
            out.eprintln(
                "WARNING! Using --password via the CLI is insecure. Use --password-stdin.",
            );
        }
        let (Some(user), Some(password)) = (user, password) else {
            out.unsupported("interactive `docker login` prompts (use `-u USER --password-stdin`)");
            return 1;
        };
        match self.engine.registry_login(&server, &user, &password) {
            Ok(status) => {
                out.println(&status);
                0
            }
            Err(e) => {
                out.engine_error(&e);
                1
            }
        }
    }

    pub(super) fn cmd_logout(&mut self, inv: &Invocation, out: &mut Output) -> i32 {
        let server = inv
            .args
            .first()
            .cloned()
            .unwrap_or_else(|| "https://index.docker.io/v1/".into());
        out.println(&format!("Removing login credentials for {server}"));
        0
    }

    /// save / load / export / import move tar archives between the engine and host files.
    pub(super) fn cmd_archive(&mut self, inv: &Invocation, stdin: Stdin, out: &mut Output) -> i32 {
        let host = |c: &Client, p: &str| c.options.cwd.join(p);
        match inv.cmd {
            Cmd::Save | Cmd::Export => {
                let Some(file) = inv.value("output") else {
                    out.eprintln(
                        "cowardly refusing to save to a terminal. Use the -o flag or redirect",
                    );
                    return 1;
                };
                let data = if inv.cmd == Cmd::Save {
                    self.engine.image_save(&inv.args)
                } else {
                    self.engine.container_export(&inv.args[0])
                };
                match data {
                    Ok(bytes) => match std::fs::write(host(self, file), bytes) {
                        Ok(()) => 0,
                        Err(e) => {
                            out.eprintln(&format!("failed to save to {file}: {e}"));
                            1
                        }
                    },
                    Err(e) => {
                        out.engine_error(&e);
                        1
                    }
                }
            }
            Cmd::Load => {
                let bytes = match inv.value("input") {
                    Some(f) => match std::fs::read(host(self, f)) {
                        Ok(b) => b,
                        Err(e) => {
                            out.eprintln(&format!("open {f}: {e}"));
                            return 1;
                        }
                    },
                    None => match stdin {
                        Stdin::Data(d) => d,
                        _ => {
                            out.eprintln("requested load from stdin, but stdin is empty");
                            return 1;
                        }
                    },
                };
                match self.engine.image_load(&bytes) {
                    Ok(lines) => {
                        for l in lines {
                            out.println(&l);
                        }
                        0
                    }
                    Err(e) => {
                        out.engine_error(&e);
                        1
                    }
                }
            }
            _ => {
                let source = &inv.args[0];
                let bytes = if source == "-" {
                    match stdin {
                        Stdin::Data(d) => d,
                        _ => Vec::new(),
                    }
                } else {
                    match std::fs::read(host(self, source)) {
                        Ok(b) => b,
                        Err(e) => {
                            out.eprintln(&format!("open {source}: {e}"));
                            return 1;
                        }
                    }
                };
                let reference = match inv.args.get(1).map(|r| parse_normalized(r)) {
                    Some(Ok(r)) => Some(r),
                    Some(Err(e)) => {
                        out.eprintln(&e.to_string());
                        return 1;
                    }
                    None => None,
                };
                match self.engine.image_import(&bytes, reference.as_ref()) {
                    Ok(id) => {
                        out.println(&id);
                        0
                    }
                    Err(e) => {
                        out.engine_error(&e);
                        1
                    }
                }
            }
        }
    }
}

/// `1.41` < `1.50`, compared numerically per component.
fn version_less(a: &str, b: &str) -> bool {
    let parse = |s: &str| {
        s.split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    parse(a) < parse(b)
}
