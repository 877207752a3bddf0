//! Finding a daemon the way the docker CLI does: `DOCKER_HOST` first, then the system socket,
//! then the per-user sockets of Docker Desktop, rootless Docker and Podman.

use std::path::PathBuf;
use std::time::Duration;

use bollard::Docker;

use crate::engine::EngineError;

/// How long one candidate may take to answer a ping before the next is tried.
const PING_TIMEOUT: Duration = Duration::from_secs(3);
/// Seconds bollard waits for any one request; a `docker stop` of a shell takes 10 s, a build
/// longer, so this is generous.
const REQUEST_TIMEOUT_SECS: u64 = 600;

/// One address to try, as the user would write it in `DOCKER_HOST`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub address: String,
    /// Where the address came from, for the "tried" list.
    pub origin: String,
    /// A docker context's own TLS files (`ca.pem`, `cert.pem`, `key.pem`), when it has them.
    pub tls_dir: Option<PathBuf>,
}

/// The endpoint of the docker context in use, when one other than `default` is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextEndpoint {
    pub name: String,
    pub host: String,
    pub tls_dir: Option<PathBuf>,
}

/// The context the CLI would use: `DOCKER_CONTEXT`, else `currentContext` in `config.json` of
/// `config_dir` (`DOCKER_CONFIG` or `~/.docker`). `Ok(None)` for the default context.
pub fn context_endpoint(
    docker_context: Option<&str>,
    config_dir: &std::path::Path,
) -> Result<Option<ContextEndpoint>, String> {
    let name = match docker_context.filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None => {
            let config = config_dir.join("config.json");
            let Ok(text) = std::fs::read_to_string(&config) else {
                return Ok(None);
            };
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not valid JSON: {e}", config.display()))?;
            match json.get("currentContext").and_then(|c| c.as_str()) {
                Some(c) if !c.is_empty() => c.to_string(),
                _ => return Ok(None),
            }
        }
    };
    if name == "default" {
        return Ok(None);
    }
    // The CLI keeps each context under the sha256 of its name.
    use sha2::Digest;
    let id = format!("{:x}", sha2::Sha256::digest(name.as_bytes()));
    let meta = config_dir.join("contexts/meta").join(&id).join("meta.json");
    // Worded as the docker CLI words it (Go's error text for a missing file).
    let text = std::fs::read_to_string(&meta).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            _ => e.to_string(),
        };
        format!(
            "context \"{name}\": context not found: open {}: {why}",
            meta.display()
        )
    })?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not valid JSON: {e}", meta.display()))?;
    let host = json
        .pointer("/Endpoints/docker/Host")
        .and_then(|h| h.as_str())
        .ok_or_else(|| {
            format!(
                "{}: context \"{name}\" has no docker endpoint",
                meta.display()
            )
        })?;
    let tls = config_dir.join("contexts/tls").join(&id).join("docker");
    Ok(Some(ContextEndpoint {
        name,
        host: host.to_string(),
        tls_dir: tls.join("ca.pem").is_file().then_some(tls),
    }))
}

/// Every address worth trying, in order, for the given environment.
pub fn candidates(
    docker_host: Option<&str>,
    context: Option<ContextEndpoint>,
    home: Option<PathBuf>,
    xdg_runtime: Option<PathBuf>,
) -> Vec<Candidate> {
    let mut list = Vec::new();
    if let Some(host) = docker_host.filter(|h| !h.is_empty()) {
        list.push(Candidate {
            address: host.to_string(),
            origin: "DOCKER_HOST".into(),
            tls_dir: None,
        });
        // The CLI uses DOCKER_HOST alone when it is set, and a context's endpoint alone next.
        return list;
    }
    if let Some(context) = context {
        list.push(Candidate {
            address: context.host,
            origin: format!("docker context \"{}\"", context.name),
            tls_dir: context.tls_dir,
        });
        return list;
    }
    let mut unix = |path: PathBuf, origin: &'static str| {
        let address = format!("unix://{}", path.display());
        if !list.iter().any(|c: &Candidate| c.address == address) {
            list.push(Candidate {
                address,
                origin: origin.into(),
                tls_dir: None,
            });
        }
    };
    unix(PathBuf::from("/var/run/docker.sock"), "system Docker");
    if let Some(home) = &home {
        unix(home.join(".docker/run/docker.sock"), "Docker Desktop");
        unix(home.join(".docker/desktop/docker.sock"), "Docker Desktop");
    }
    if let Some(run) = &xdg_runtime {
        unix(run.join("docker.sock"), "rootless Docker");
        unix(run.join("podman/podman.sock"), "Podman");
    }
    unix(PathBuf::from("/run/podman/podman.sock"), "Podman");
    list
}

/// The TLS settings of the environment, read as the docker CLI reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsEnv {
    /// `DOCKER_TLS_VERIFY`: any non-empty value turns on TLS with the daemon's certificate checked.
    pub verify: Option<String>,
    /// `DOCKER_TLS`: TLS without checking the daemon's certificate.
    pub tls: Option<String>,
    /// `DOCKER_CERT_PATH`, else `~/.docker`.
    pub cert_path: Option<PathBuf>,
    pub home: Option<PathBuf>,
}

impl TlsEnv {
    pub fn from_process() -> TlsEnv {
        TlsEnv {
            verify: std::env::var("DOCKER_TLS_VERIFY").ok(),
            tls: std::env::var("DOCKER_TLS").ok(),
            cert_path: std::env::var_os("DOCKER_CERT_PATH")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
            home: dirs::home_dir(),
        }
    }
}

/// The three files of a verified TLS connection.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Tls {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl Tls {
    /// `None` for plain TCP; an error names the setting or file that stops a TLS connection.
    fn from_env(env: &TlsEnv) -> Result<Option<Tls>, String> {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
        if !set(&env.verify) {
            if set(&env.tls) {
                // bollard always checks the daemon's certificate against a CA.
                return Err(
                    "DOCKER_TLS without DOCKER_TLS_VERIFY (TLS without checking the \
                            daemon's certificate) is not supported; set DOCKER_TLS_VERIFY=1 and \
                            DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem"
                        .into(),
                );
            }
            return Ok(None);
        }
        let dir = match (&env.cert_path, &env.home) {
            (Some(p), _) => p.clone(),
            (None, Some(home)) => home.join(".docker"),
            (None, None) => {
                return Err(
                    "DOCKER_TLS_VERIFY is set but neither DOCKER_CERT_PATH nor a home \
                            folder says where ca.pem, cert.pem and key.pem are"
                        .into(),
                )
            }
        };
        Tls::in_dir(&dir).map(Some)
    }

    fn in_dir(dir: &std::path::Path) -> Result<Tls, String> {
        let tls = Tls {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        };
        for f in [&tls.ca, &tls.cert, &tls.key] {
            if !f.is_file() {
                return Err(format!(
                    "DOCKER_TLS_VERIFY is set but {} is missing (set DOCKER_CERT_PATH to the \
                     folder with ca.pem, cert.pem and key.pem)",
                    f.display()
                ));
            }
        }
        Ok(tls)
    }
}

/// A connected client and the address that answered.
pub struct Connection {
    pub docker: Docker,
    pub address: String,
}

/// For work outside an async context (the engine, `clean`, `prepare`, the Ctrl-C handler): a
/// current-thread runtime and the daemon it reached through [`connect`].
pub fn connect_blocking() -> Result<(tokio::runtime::Runtime, Connection), EngineError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| EngineError::Other(format!("cannot start the async runtime: {e}")))?;
    let connection = runtime.block_on(connect())?;
    Ok((runtime, connection))
}

/// Connect to the first candidate that answers a ping, with the API version negotiated down to
/// what the daemon speaks. Must run inside a tokio runtime.
pub async fn connect() -> Result<Connection, EngineError> {
    let docker_host = std::env::var("DOCKER_HOST").ok();
    let config_dir = std::env::var_os("DOCKER_CONFIG")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".docker")));
    // A context only counts when DOCKER_HOST does not decide first.
    let context = match (&docker_host, &config_dir) {
        (Some(h), _) if !h.is_empty() => None,
        (_, Some(dir)) => context_endpoint(std::env::var("DOCKER_CONTEXT").ok().as_deref(), dir)
            // Not an engine that failed to answer: the CLI stops before trying any.
            .map_err(|detail| {
                EngineError::Other(format!(
                    "Failed to initialize: unable to resolve docker endpoint: {detail}"
                ))
            })?,
        _ => None,
    };
    let list = candidates(
        docker_host.as_deref(),
        context,
        dirs::home_dir(),
        std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
    );
    let tls = TlsEnv::from_process();
    let mut tried = Vec::new();
    let mut reasons = Vec::new();
    for candidate in &list {
        tried.push(candidate.address.clone());
        match try_one(candidate, &tls).await {
            Ok(docker) => {
                return Ok(Connection {
                    docker,
                    address: candidate.address.clone(),
                })
            }
            Err(reason) => reasons.push(format!(
                "{} ({}): {reason}",
                candidate.address, candidate.origin
            )),
        }
    }
    Err(EngineError::Unreachable {
        tried,
        detail: format!(
            "no Docker engine answered. Tried:\n  {}\nStart Docker (`sudo systemctl start docker`, or open Docker Desktop) and try again, \
             or use the built-in simulator: `--engine sim`.",
            reasons.join("\n  ")
        ),
    })
}

async fn try_one(candidate: &Candidate, tls: &TlsEnv) -> Result<Docker, String> {
    let address = candidate.address.as_str();
    let docker = if let Some(path) = address.strip_prefix("unix://") {
        if !std::path::Path::new(path).exists() {
            return Err("no such socket".into());
        }
        Docker::connect_with_unix(path, REQUEST_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
            .map_err(|e| e.to_string())?
    } else if address.starts_with("tcp://") || address.starts_with("http://") {
        let files = match &candidate.tls_dir {
            Some(dir) => Some(Tls::in_dir(dir)?),
            None => Tls::from_env(tls)?,
        };
        match files {
            Some(files) => {
                let https = address.replacen("http://", "tcp://", 1);
                Docker::connect_with_ssl(
                    &https,
                    &files.key,
                    &files.cert,
                    &files.ca,
                    REQUEST_TIMEOUT_SECS,
                    bollard::API_DEFAULT_VERSION,
                )
                .map_err(|e| format!("TLS setup failed: {e}"))?
            }
            None => Docker::connect_with_http(
                address,
                REQUEST_TIMEOUT_SECS,
                bollard::API_DEFAULT_VERSION,
            )
            .map_err(|e| e.to_string())?,
        }
    } else if address.starts_with("ssh://") {
        return Err("ssh:// hosts are not supported by docktutor yet".into());
    } else {
        return Err("unsupported address (use unix:// or tcp://)".into());
    };
    match tokio::time::timeout(PING_TIMEOUT, docker.ping()).await {
        Err(_) => return Err(format!("no answer within {} s", PING_TIMEOUT.as_secs())),
        Ok(Err(e)) => return Err(short_reason(&e.to_string())),
        Ok(Ok(_)) => {}
    }
    docker
        .negotiate_version()
        .await
        .map_err(|e| format!("API version negotiation failed: {e}"))
}

/// The last, most specific clause of a transport error ("Connection refused (os error 111)").
fn short_reason(text: &str) -> String {
    text.rsplit(": ").next().unwrap_or(text).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_host_alone_when_set() {
        let list = candidates(
            Some("tcp://10.0.0.5:2375"),
            None,
            Some("/home/a".into()),
            None,
        );
        assert_eq!(
            list,
            vec![Candidate {
                address: "tcp://10.0.0.5:2375".into(),
                origin: "DOCKER_HOST".into(),
                tls_dir: None,
            }]
        );
    }

    #[test]
    fn default_order_system_desktop_rootless_podman() {
        let list = candidates(
            None,
            None,
            Some("/home/a".into()),
            Some("/run/user/1000".into()),
        );
        let addresses: Vec<_> = list.iter().map(|c| c.address.as_str()).collect();
        assert_eq!(
            addresses,
            [
                "unix:///var/run/docker.sock",
                "unix:///home/a/.docker/run/docker.sock",
                "unix:///home/a/.docker/desktop/docker.sock",
                "unix:///run/user/1000/docker.sock",
                "unix:///run/user/1000/podman/podman.sock",
                "unix:///run/podman/podman.sock",
            ]
        );
    }

    #[test]
    fn tls_settings_read_as_the_cli_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let env =
            |verify: Option<&str>, tls: Option<&str>, path: Option<&std::path::Path>| TlsEnv {
                verify: verify.map(String::from),
                tls: tls.map(String::from),
                cert_path: path.map(PathBuf::from),
                home: Some(dir.path().join("home")),
            };
        // Plain TCP unless DOCKER_TLS_VERIFY is set to something.
        assert_eq!(Tls::from_env(&env(None, None, None)), Ok(None));
        assert_eq!(Tls::from_env(&env(Some(""), None, None)), Ok(None));
        // The files come from DOCKER_CERT_PATH.
        let files = Tls::from_env(&env(Some("1"), None, Some(dir.path())))
            .unwrap()
            .unwrap();
        assert_eq!(files.ca, dir.path().join("ca.pem"));
        assert_eq!(files.key, dir.path().join("key.pem"));
        // ... or ~/.docker, and a missing one is named.
        let err = Tls::from_env(&env(Some("1"), None, None)).unwrap_err();
        assert!(err.contains("home/.docker/ca.pem is missing"), "{err}");
        // TLS without verification is refused in one line that says what to set.
        let err = Tls::from_env(&env(None, Some("1"), None)).unwrap_err();
        assert!(err.contains("set DOCKER_TLS_VERIFY=1"), "{err}");
    }

    #[test]
    fn docker_context_as_the_cli_finds_it() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // No config.json, or the default context: the usual sockets.
        assert_eq!(context_endpoint(None, d), Ok(None));
        std::fs::write(d.join("config.json"), r#"{"currentContext":"default"}"#).unwrap();
        assert_eq!(context_endpoint(None, d), Ok(None));
        // The id is the sha256 of the name, as `docker context create` stores it.
        use sha2::Digest;
        let id = format!("{:x}", sha2::Sha256::digest(b"remote"));
        let meta = d.join("contexts/meta").join(&id);
        std::fs::create_dir_all(&meta).unwrap();
        std::fs::write(
            meta.join("meta.json"),
            r#"{"Name":"remote","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://10.0.0.9:2376","SkipTLSVerify":false}}}"#,
        )
        .unwrap();
        std::fs::write(d.join("config.json"), r#"{"currentContext":"remote"}"#).unwrap();
        let found = context_endpoint(None, d).unwrap().unwrap();
        assert_eq!(found.host, "tcp://10.0.0.9:2376");
        assert_eq!(found.tls_dir, None);
        let list = candidates(None, Some(found), None, None);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].origin, "docker context \"remote\"");
        // DOCKER_CONTEXT wins over config.json, and a missing context is named.
        let err = context_endpoint(Some("gone"), d).unwrap_err();
        assert!(
            err.starts_with("context \"gone\": context not found"),
            "{err}"
        );
    }

    #[test]
    fn empty_docker_host_is_ignored() {
        assert_eq!(
            candidates(Some(""), None, None, None)[0].address,
            "unix:///var/run/docker.sock"
        );
    }

    #[test]
    fn unreachable_names_every_address_and_the_simulator() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let missing = Candidate {
            address: "unix:///nonexistent/docker.sock".into(),
            origin: "test".into(),
            tls_dir: None,
        };
        let err = rt
            .block_on(try_one(&missing, &TlsEnv::default()))
            .err()
            .unwrap();
        assert_eq!(err, "no such socket");
        let ssh = Candidate {
            address: "ssh://me@host".into(),
            origin: "test".into(),
            tls_dir: None,
        };
        assert!(rt
            .block_on(try_one(&ssh, &TlsEnv::default()))
            .err()
            .unwrap()
            .contains("ssh://"));
    }
}
