//! `docker run`/`create` flags into a [`ContainerSpec`], with the CLI's own validation messages.

use std::collections::BTreeMap;
use std::path::Path;

use crate::command::Invocation;
use crate::engine::{ContainerSpec, Mount, MountKind, PortBinding};

/// A flag value docker rejects before calling the daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionError {
    /// pflag's `invalid argument "12q" for "-m, --memory" flag: …`: printed with the usage line.
    InvalidArgument(String),
    /// `docker: invalid containerPort: abc` style: printed with the `docker: ` prefix.
    Invalid(String),
    /// Printed alone, exit 1 (`conflicting options: cannot specify both --attach and --detach`).
    Conflict(String),
}

/// Build the spec for `run`/`create`. `args[0]` is the image, the rest the command.
/// `cwd` resolves relative bind-mount sources, as the docker CLI does since 23.0.
pub fn container_spec(
    inv: &Invocation,
    cwd: &Path,
    env: &BTreeMap<String, String>,
) -> Result<ContainerSpec, OptionError> {
    let mut spec = ContainerSpec {
        image: inv.args.first().cloned().unwrap_or_default(),
        cmd: inv.args.iter().skip(1).cloned().collect(),
        name: inv.value("name").map(str::to_string),
        tty: inv.flag("tty"),
        open_stdin: inv.flag("interactive"),
        auto_remove: inv.flag("rm"),
        publish_all: inv.flag("publish-all"),
        privileged: inv.flag("privileged"),
        working_dir: inv.value("workdir").map(str::to_string),
        user: inv.value("user").map(str::to_string),
        hostname: inv.value("hostname").map(str::to_string),
        restart_policy: inv.value("restart").map(str::to_string),
        network: inv
            .value("network")
            .or(inv.value("net"))
            .map(str::to_string),
        gpus: inv.value("gpus").map(str::to_string),
        cpuset_cpus: inv.value("cpuset-cpus").map(str::to_string),
        dns: inv.values("dns").to_vec(),
        links: inv.values("link").to_vec(),
        volumes_from: inv.values("volumes-from").to_vec(),
        exposed_ports: inv.values("expose").to_vec(),
        ..ContainerSpec::default()
    };
    if let Some(ep) = inv.flags.get("entrypoint").and_then(|v| v.last()) {
        spec.entrypoint = Some(if ep.is_empty() {
            vec![]
        } else {
            vec![ep.clone()]
        });
    }
    if let Some(c) = inv.value("cpu-shares") {
        spec.cpu_shares = Some(c.parse().map_err(|_| {
            OptionError::InvalidArgument(format!(
                "invalid argument \"{c}\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing \"{c}\": invalid syntax"
            ))
        })?);
    }
    if let Some(m) = inv.value("memory") {
        spec.memory = Some(parse_memory(m).map_err(|why| {
            OptionError::InvalidArgument(format!(
                "invalid argument \"{m}\" for \"-m, --memory\" flag: {why}"
            ))
        })?);
    }

    // Attach streams: `-a` picks them; otherwise a foreground run attaches stdout and stderr,
    // and stdin when `-i` is given.
    let attach = inv.values("attach");
    for a in attach {
        match a.to_ascii_lowercase().as_str() {
            "stdin" => spec.attach_stdin = true,
            "stdout" => spec.attach_stdout = true,
            "stderr" => spec.attach_stderr = true,
            _ => {
                return Err(OptionError::InvalidArgument(format!(
                    "invalid argument \"{a}\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR"
                )))
            }
        }
    }
    if inv.flag("detach") {
        if !attach.is_empty() {
            return Err(OptionError::Conflict(
                "conflicting options: cannot specify both --attach and --detach".into(),
            ));
        }
    } else if attach.is_empty() {
        spec.attach_stdout = true;
        spec.attach_stderr = true;
        spec.attach_stdin = spec.open_stdin;
    }

    for e in inv.values("env") {
        spec.env.push(expand_env(e, env));
    }
    for f in inv.values("env-file") {
        let path = cwd.join(f);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| OptionError::Invalid(format!("open {f}: {}", io_reason(&e))))?;
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            spec.env.push(expand_env(line, env));
        }
    }
    for l in inv.values("label") {
        let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
        spec.labels.insert(k.to_string(), v.to_string());
    }
    for p in inv.values("publish") {
        spec.ports.extend(parse_publish(p)?);
    }
    for v in inv.values("volume") {
        spec.mounts.push(parse_volume(v, cwd)?);
    }
    for (flag, field) in [("pid", "PidMode"), ("ipc", "IpcMode"), ("uts", "UTSMode")] {
        if let Some(v) = inv.value(flag) {
            spec.extra.insert(field.into(), v.into());
        }
    }
    for (flag, field) in [
        ("cap-add", "CapAdd"),
        ("device", "Devices"),
        ("security-opt", "SecurityOpt"),
        ("mount", "Mounts"),
    ] {
        let vals = inv.values(flag);
        if !vals.is_empty() {
            spec.extra.insert(field.into(), vals.join(","));
        }
    }
    if let Some(c) = inv.value("cidfile") {
        spec.extra.insert("ContainerIDFile".into(), c.into());
    }
    if inv.flags.contains_key("sig-proxy") {
        spec.extra
            .insert("SigProxy".into(), inv.flag("sig-proxy").to_string());
    }
    Ok(spec)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// `-e NAME` takes NAME's value from the client's environment; an unset NAME is dropped.
fn expand_env(e: &str, env: &BTreeMap<String, String>) -> String {
    if e.contains('=') {
        return e.to_string();
    }
    match env.get(e) {
        Some(v) => format!("{e}={v}"),
        None => e.to_string(),
    }
}

/// go-units `RAMInBytes`: `512m`, `1g`, `1024`, `1.5GB`.
pub fn parse_memory(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, suffix) = t.split_at(split);
    let value: f64 = num.parse().map_err(|_| format!("invalid size: '{text}'"))?;
    let mult: f64 = match suffix
        .to_ascii_lowercase()
        .trim_end_matches('b')
        .trim_end_matches('i')
    {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024f64.powi(4),
        "p" => 1024f64.powi(5),
        _ => return Err(format!("invalid suffix: '{}'", suffix.to_ascii_lowercase())),
    };
    Ok((value * mult) as i64)
}

/// `-p [ip:][hostPort:]containerPort[/proto]`, with ranges (`8000-8002:80-82`).
pub fn parse_publish(spec: &str) -> Result<Vec<PortBinding>, OptionError> {
    let (body, proto) = match spec.rsplit_once('/') {
        Some((b, p)) => (b, p.to_string()),
        None => (spec, "tcp".to_string()),
    };
    // An IPv6 host ip is bracketed: [::1]:8080:80
    let (ip, rest) = if let Some(stripped) = body.strip_prefix('[') {
        match stripped.split_once("]:") {
            Some((ip, rest)) => (Some(ip.to_string()), rest),
            None => return Err(OptionError::Invalid(format!("invalid IP address: {body}"))),
        }
    } else {
        let parts: Vec<&str> = body.split(':').collect();
        match parts.len() {
            1 | 2 => (None, body),
            3 => (Some(parts[0].to_string()), &body[parts[0].len() + 1..]),
            _ => {
                return Err(OptionError::Invalid(format!(
                    "invalid proto: {}",
                    parts.last().copied().unwrap_or("")
                )))
            }
        }
    };
    if let Some(ip) = &ip {
        if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
            return Err(OptionError::Invalid(format!("invalid IP address: {ip}")));
        }
    }
    let (host, container) = match rest.split_once(':') {
        Some((h, c)) => (Some(h), c),
        None => (None, rest),
    };
    let cports = parse_port_range(container)
        .ok_or_else(|| OptionError::Invalid(format!("invalid containerPort: {container}")))?;
    let hports = match host.filter(|h| !h.is_empty()) {
        Some(h) => Some(
            parse_port_range(h)
                .ok_or_else(|| OptionError::Invalid(format!("invalid hostPort: {h}")))?,
        ),
        None => None,
    };
    if let Some(hp) = &hports {
        if hp.len() != cports.len() && hp.len() != 1 {
            return Err(OptionError::Invalid(format!(
                "invalid ranges specified for container and host Ports: {container} and {}",
                host.unwrap_or("")
            )));
        }
    }
    Ok(cports
        .iter()
        .enumerate()
        .map(|(i, &cp)| PortBinding {
            host_ip: ip.clone().filter(|s| !s.is_empty()),
            host_port: hports
                .as_ref()
                .map(|h| if h.len() == 1 { h[0] } else { h[i] }),
            container_port: cp,
            protocol: proto.clone(),
        })
        .collect())
}

fn parse_port_range(text: &str) -> Option<Vec<u16>> {
    let port = |s: &str| {
        s.parse::<u32>()
            .ok()
            .filter(|&p| p <= 65535)
            .map(|p| p as u16)
    };
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port(a)?, port(b)?);
            (a <= b).then(|| (a..=b).collect())
        }
        None => Some(vec![port(text)?]),
    }
}

/// `-v`: `host:ctr[:opts]` (host absolute or `./relative`), `name:ctr[:opts]`, or `ctr`.
pub fn parse_volume(text: &str, cwd: &Path) -> Result<Mount, OptionError> {
    let parts: Vec<&str> = text.split(':').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(OptionError::Invalid(format!(
            "invalid spec: {text}: empty section between colons"
        )));
    }
    let (source, target, opts) = match parts.as_slice() {
        [t] => (None, *t, None),
        [s, t] => (Some(*s), *t, None),
        [s, t, o] => (Some(*s), *t, Some(*o)),
        _ => {
            return Err(OptionError::Invalid(format!(
                "invalid spec: {text}: too many colons"
            )))
        }
    };
    if !target.starts_with('/') {
        return Err(OptionError::Invalid(format!(
            "invalid mount config for type \"{}\": invalid mount path: '{target}' mount path must be absolute",
            if source.is_some_and(is_host_path) { "bind" } else { "volume" }
        )));
    }
    let read_only = opts.is_some_and(|o| o.split(',').any(|x| x == "ro"));
    Ok(match source {
        None => Mount {
            kind: MountKind::Volume,
            source: String::new(),
            target: target.into(),
            read_only,
        },
        Some(s) if is_host_path(s) => {
            let abs = if s.starts_with('/') {
                Path::new(s).to_path_buf()
            } else {
                cwd.join(s)
            };
            Mount {
                kind: MountKind::Bind,
                source: normalize(&abs),
                target: target.into(),
                read_only,
            }
        }
        Some(s) => Mount {
            kind: MountKind::Volume,
            source: s.into(),
            target: target.into(),
            read_only,
        },
    })
}

fn is_host_path(s: &str) -> bool {
    s.starts_with('/')
        || s.starts_with("./")
        || s.starts_with("../")
        || s == "."
        || s == ".."
        || s.starts_with('~')
}

/// Lexically clean a path (`/a/./b/../c` → `/a/c`) without touching the filesystem.
fn normalize(p: &Path) -> String {
    let mut out: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    format!("/{}", out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_specs() {
        let p = parse_publish("8080:80").unwrap();
        assert_eq!(
            p,
            vec![PortBinding {
                host_ip: None,
                host_port: Some(8080),
                container_port: 80,
                protocol: "tcp".into()
            }]
        );
        let p = parse_publish("127.0.0.1:5000:5000").unwrap();
        assert_eq!(p[0].host_ip.as_deref(), Some("127.0.0.1"));
        let p = parse_publish("80").unwrap();
        assert_eq!(p[0].host_port, None);
        let p = parse_publish("53:53/udp").unwrap();
        assert_eq!(p[0].protocol, "udp");
        assert_eq!(parse_publish("8000-8001:80-81").unwrap().len(), 2);
        assert_eq!(
            parse_publish("abc"),
            Err(OptionError::Invalid("invalid containerPort: abc".into()))
        );
        assert_eq!(
            parse_publish("70000:80"),
            Err(OptionError::Invalid("invalid hostPort: 70000".into()))
        );
    }

    #[test]
    fn volume_specs() {
        let cwd = Path::new("/work/lesson");
        let m = parse_volume("./mydata:/data", cwd).unwrap();
        assert_eq!(
            (m.kind, m.source.as_str(), m.target.as_str()),
            (MountKind::Bind, "/work/lesson/mydata", "/data")
        );
        let m = parse_volume("/Users/dixon/mydata:/data:ro", cwd).unwrap();
        assert!(m.read_only);
        assert_eq!(m.source, "/Users/dixon/mydata");
        let m = parse_volume("cache:/var/cache", cwd).unwrap();
        assert_eq!((m.kind, m.source.as_str()), (MountKind::Volume, "cache"));
        let m = parse_volume("/data", cwd).unwrap();
        assert_eq!((m.kind, m.source.as_str()), (MountKind::Volume, ""));
        assert_eq!(
            parse_volume(":/data", cwd),
            Err(OptionError::Invalid(
                "invalid spec: :/data: empty section between colons".into()
            ))
        );
    }

    #[test]
    fn memory_sizes() {
        assert_eq!(parse_memory("512m"), Ok(512 * 1024 * 1024));
        assert_eq!(parse_memory("1g"), Ok(1024 * 1024 * 1024));
        assert_eq!(parse_memory("100"), Ok(100));
        assert_eq!(parse_memory("12q"), Err("invalid suffix: 'q'".into()));
    }
}
