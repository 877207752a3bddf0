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
    pub origin: &'static str,
}

/// Every address worth trying, in order, for the given environment.
pub fn candidates(
    docker_host: Option<&str>,
    home: Option<PathBuf>,
    xdg_runtime: Option<PathBuf>,
) -> Vec<Candidate> {
    let mut list = Vec::new();
    if let Some(host) = docker_host.filter(|h| !h.is_empty()) {
        list.push(Candidate {
            address: host.to_string(),
            origin: "DOCKER_HOST",
        });
        // The CLI uses DOCKER_HOST alone when it is set.
        return list;
    }
    let mut unix = |path: PathBuf, origin: &'static str| {
        let address = format!("unix://{}", path.display());
        if !list.iter().any(|c: &Candidate| c.address == address) {
            list.push(Candidate { address, origin });
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

/// A connected client and the address that answered.
pub struct Connection {
    pub docker: Docker,
    pub address: String,
}

/// Connect to the first candidate that answers a ping, with the API version negotiated down to
/// what the daemon speaks. Must run inside a tokio runtime.
pub async fn connect() -> Result<Connection, EngineError> {
    let list = candidates(
        std::env::var("DOCKER_HOST").ok().as_deref(),
        dirs::home_dir(),
        std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from),
    );
    let mut tried = Vec::new();
    let mut reasons = Vec::new();
    for candidate in &list {
        tried.push(candidate.address.clone());
        match try_one(candidate).await {
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

async fn try_one(candidate: &Candidate) -> Result<Docker, String> {
    let address = candidate.address.as_str();
    let docker = if let Some(path) = address.strip_prefix("unix://") {
        if !std::path::Path::new(path).exists() {
            return Err("no such socket".into());
        }
        Docker::connect_with_unix(path, REQUEST_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
            .map_err(|e| e.to_string())?
    } else if address.starts_with("tcp://") || address.starts_with("http://") {
        if std::env::var_os("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty()) {
            return Err("TLS (DOCKER_TLS_VERIFY) is not supported by docktutor yet".into());
        }
        Docker::connect_with_http(address, REQUEST_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
            .map_err(|e| e.to_string())?
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
        let list = candidates(Some("tcp://10.0.0.5:2375"), Some("/home/a".into()), None);
        assert_eq!(
            list,
            vec![Candidate {
                address: "tcp://10.0.0.5:2375".into(),
                origin: "DOCKER_HOST"
            }]
        );
    }

    #[test]
    fn default_order_system_desktop_rootless_podman() {
        let list = candidates(None, Some("/home/a".into()), Some("/run/user/1000".into()));
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
    fn empty_docker_host_is_ignored() {
        assert_eq!(
            candidates(Some(""), None, None)[0].address,
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
            origin: "test",
        };
        let err = rt.block_on(try_one(&missing)).err().unwrap();
        assert_eq!(err, "no such socket");
        let ssh = Candidate {
            address: "ssh://me@host".into(),
            origin: "test",
        };
        assert!(rt.block_on(try_one(&ssh)).err().unwrap().contains("ssh://"));
    }
}
