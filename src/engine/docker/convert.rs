//! bollard's answers in the project's own types. Responses are read as the daemon's JSON
//! documents (bollard's models serialise with the Engine API's names), which keeps this module
//! independent of bollard's many small model types and gives `inspect` its raw document.

use std::collections::BTreeMap;

use serde_json::Value;

use super::sandbox::Sandbox;
use crate::engine::{
    ContainerDetails, ContainerStatus, ContainerSummary, HistoryEntry, ImageConfig, ImageDetails,
    ImageSummary, Mount, MountKind, PortBinding, Timestamp,
};

pub fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The text at `key`, or empty: the daemon leaves fields out as often as it sends `""`.
pub fn str_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn opt_strings(v: &Value, key: &str) -> Option<Vec<String>> {
    v.get(key).filter(|x| !x.is_null()).map(|_| strings(v, key))
}

fn labels(v: &Value, key: &str) -> BTreeMap<String, String> {
    v.get(key)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| !k.starts_with("org.docktutor."))
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

pub fn timestamp_secs(secs: i64) -> Timestamp {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

pub fn timestamp_text(text: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
        .filter(|t| t.timestamp() > 0)
}

fn status_of(word: &str) -> ContainerStatus {
    ContainerStatus::parse(word).unwrap_or(ContainerStatus::Created)
}

fn ports_from_summary(v: &Value) -> Vec<PortBinding> {
    let mut out: Vec<PortBinding> = v
        .get("Ports")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| PortBinding {
                    host_ip: p.get("IP").and_then(Value::as_str).map(str::to_string),
                    host_port: p
                        .get("PublicPort")
                        .and_then(Value::as_u64)
                        .map(|n| n as u16),
                    container_port: p.get("PrivatePort").and_then(Value::as_u64).unwrap_or(0)
                        as u16,
                    protocol: p
                        .get("Type")
                        .and_then(Value::as_str)
                        .unwrap_or("tcp")
                        .to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| {
        (a.container_port, &a.protocol, &a.host_ip).cmp(&(
            b.container_port,
            &b.protocol,
            &b.host_ip,
        ))
    });
    out
}

fn mounts(v: &Value, sandbox: &Sandbox) -> Vec<Mount> {
    v.get("Mounts")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|m| {
                    let kind = match m.get("Type").and_then(Value::as_str) {
                        Some("bind") => MountKind::Bind,
                        Some("tmpfs") => MountKind::Tmpfs,
                        _ => MountKind::Volume,
                    };
                    let source = match kind {
                        MountKind::Volume => sandbox.map_back(&str_of(m, "Name")),
                        _ => str_of(m, "Source"),
                    };
                    Mount {
                        kind,
                        source,
                        target: str_of(m, "Destination"),
                        read_only: !m.get("RW").and_then(Value::as_bool).unwrap_or(true),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A row of `GET /containers/json`.
pub fn container_summary(v: &Value, sandbox: &Sandbox) -> ContainerSummary {
    let name = v
        .get("Names")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
        .unwrap_or_default();
    let name = sandbox.map_back(name.trim_start_matches('/'));
    let networks = v
        .pointer("/NetworkSettings/Networks")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let status_text = str_of(v, "Status");
    let exit_code = exit_code_from_status(&status_text);
    ContainerSummary {
        id: str_of(v, "Id"),
        name,
        image: sandbox.map_back(&str_of(v, "Image")),
        image_id: str_of(v, "ImageID"),
        command: str_of(v, "Command"),
        created: timestamp_secs(v.get("Created").and_then(Value::as_i64).unwrap_or(0)),
        status: status_of(&str_of(v, "State")),
        status_text,
        exit_code,
        ports: ports_from_summary(v),
        labels: labels(v, "Labels"),
        mounts: mounts(v, sandbox),
        networks,
        size_rw: v.get("SizeRw").and_then(Value::as_u64),
        size_root_fs: v.get("SizeRootFs").and_then(Value::as_u64),
    }
}

/// `Exited (137) 3 seconds ago` → 137.
fn exit_code_from_status(text: &str) -> i64 {
    text.strip_prefix("Exited (")
        .and_then(|r| r.split(')').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `GET /containers/{id}/json`, with daemon names mapped back and the tutor's labels hidden.
pub fn container_details(mut v: Value, sandbox: &Sandbox) -> ContainerDetails {
    // The tutor drives shells without a tty and records the learner's `-t` in a label.
    let requested_tty = v
        .pointer(&format!(
            "/Config/Labels/{}",
            super::sandbox::TTY_LABEL.replace('/', "~1")
        ))
        .and_then(Value::as_str)
        == Some("true");
    strip_tutor_labels(&mut v, "/Config/Labels");
    let text = sandbox.map_back(&v.to_string());
    let v: Value = serde_json::from_str(&text).unwrap_or(v);
    let state = v.get("State").cloned().unwrap_or(Value::Null);
    let config = v.get("Config").cloned().unwrap_or(Value::Null);
    let status = status_of(&str_of(&state, "Status"));
    let exit_code = state.get("ExitCode").and_then(Value::as_i64).unwrap_or(0);
    let created = timestamp_text(&str_of(&v, "Created")).unwrap_or_default();
    // The bindings the daemon made (`NetworkSettings.Ports`, what `docker port` prints: one
    // per address family when no host address was asked for, none once the container
    // stopped), not the ones asked for (`HostConfig.PortBindings`). A port that is only
    // exposed has `null` there and is left out, as `docker port` leaves it out.
    let mut port_list = Vec::new();
    if let Some(map) = v
        .pointer("/NetworkSettings/Ports")
        .and_then(Value::as_object)
    {
        for (key, bindings) in map {
            let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
            for b in bindings.as_array().into_iter().flatten() {
                port_list.push(PortBinding {
                    host_ip: Some(str_of(b, "HostIp")).filter(|s| !s.is_empty()),
                    host_port: str_of(b, "HostPort").parse().ok(),
                    container_port: port.parse().unwrap_or(0),
                    protocol: proto.to_string(),
                });
            }
        }
    }
    let mut args = vec![str_of(&v, "Path")];
    args.extend(strings(&v, "Args"));
    let summary = ContainerSummary {
        id: str_of(&v, "Id"),
        name: str_of(&v, "Name").trim_start_matches('/').to_string(),
        image: str_of(&config, "Image"),
        image_id: str_of(&v, "Image"),
        command: args.join(" "),
        created,
        status,
        status_text: String::new(),
        exit_code,
        ports: port_list,
        labels: labels(&config, "Labels"),
        mounts: mounts(&v, sandbox),
        networks: v
            .pointer("/NetworkSettings/Networks")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default(),
        size_rw: v.get("SizeRw").and_then(Value::as_u64),
        size_root_fs: v.get("SizeRootFs").and_then(Value::as_u64),
    };
    ContainerDetails {
        summary,
        started_at: timestamp_text(&str_of(&state, "StartedAt")),
        finished_at: timestamp_text(&str_of(&state, "FinishedAt")),
        tty: config.get("Tty").and_then(Value::as_bool).unwrap_or(false) || requested_tty,
        open_stdin: config
            .get("OpenStdin")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        hostname: str_of(&config, "Hostname"),
        raw: v,
    }
}

fn strip_tutor_labels(v: &mut Value, pointer: &str) {
    if let Some(map) = v.pointer_mut(pointer).and_then(Value::as_object_mut) {
        map.retain(|k, _| !k.starts_with("org.docktutor."));
    }
}

/// A row of `GET /images/json`, keeping only the tags the session may see.
pub fn image_summary(v: &Value, visible_tags: Vec<String>) -> ImageSummary {
    ImageSummary {
        id: str_of(v, "Id"),
        parent_id: str_of(v, "ParentId"),
        repo_tags: visible_tags,
        repo_digests: strings(v, "RepoDigests"),
        created: timestamp_secs(v.get("Created").and_then(Value::as_i64).unwrap_or(0)),
        size: v.get("Size").and_then(Value::as_u64).unwrap_or(0),
        labels: labels(v, "Labels"),
        containers: v.get("Containers").and_then(Value::as_i64).unwrap_or(-1),
    }
}

/// `GET /images/{name}/json`.
pub fn image_details(mut v: Value, sandbox: &Sandbox, visible_tags: Vec<String>) -> ImageDetails {
    strip_tutor_labels(&mut v, "/Config/Labels");
    if let Some(tags) = v.get_mut("RepoTags") {
        *tags = Value::from(visible_tags.clone());
    }
    let text = sandbox.map_back(&v.to_string());
    let v: Value = serde_json::from_str(&text).unwrap_or(v);
    let config = v.get("Config").cloned().unwrap_or(Value::Null);
    let created = timestamp_text(&str_of(&v, "Created")).unwrap_or_default();
    let summary = ImageSummary {
        id: str_of(&v, "Id"),
        parent_id: str_of(&v, "Parent"),
        repo_tags: visible_tags,
        repo_digests: strings(&v, "RepoDigests"),
        created,
        size: v.get("Size").and_then(Value::as_u64).unwrap_or(0),
        labels: labels(&config, "Labels"),
        containers: -1,
    };
    let config = ImageConfig {
        cmd: opt_strings(&config, "Cmd"),
        entrypoint: opt_strings(&config, "Entrypoint"),
        env: strings(&config, "Env"),
        working_dir: str_of(&config, "WorkingDir"),
        user: str_of(&config, "User"),
        labels: labels(&config, "Labels"),
        exposed_ports: config
            .get("ExposedPorts")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default(),
        volumes: config
            .get("Volumes")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default(),
    };
    ImageDetails {
        summary,
        config,
        raw: v,
    }
}

/// A history row the classic builder made for the session's labels (see
/// [`hide_sandbox_steps`]).
pub fn is_sandbox_history(v: &Value) -> bool {
    str_of(v, "CreatedBy").contains("LABEL org.docktutor.")
}

pub fn history_entry(v: &Value, sandbox: &Sandbox) -> HistoryEntry {
    let id = str_of(v, "Id");
    HistoryEntry {
        id: Some(id).filter(|i| i != "<missing>" && !i.is_empty()),
        created: timestamp_secs(v.get("Created").and_then(Value::as_i64).unwrap_or(0)),
        created_by: sandbox.map_back(&str_of(v, "CreatedBy")),
        size: v.get("Size").and_then(Value::as_u64).unwrap_or(0),
        comment: str_of(v, "Comment"),
        tags: strings(v, "Tags")
            .into_iter()
            .filter(|t| sandbox.owns_tag(t))
            .map(|t| sandbox.map_back(&t))
            .collect(),
    }
}

/// The classic builder turns the session's labels into `LABEL` steps of its own at the end
/// of the build; the learner's Dockerfile has no such steps, so they go from the output
/// (with what they printed) and the other steps are counted again (`Step 3/13`).
pub fn hide_sandbox_steps(output: &str) -> String {
    let is_ours = |l: &str| {
        l.starts_with("Step ")
            && l.split_once(" : ")
                .is_some_and(|(_, i)| i.starts_with("LABEL org.docktutor."))
    };
    let lines: Vec<&str> = output.split_inclusive('\n').collect();
    // Every label is one step in the total, also when the build failed before reaching them.
    let ours = super::sandbox::LABEL_KEYS.len();
    if !lines.iter().any(|l| l.starts_with("Step ")) {
        return output.to_string();
    }
    let mut out = String::new();
    let mut skipping = false;
    let mut n = 0;
    for line in lines {
        if line.starts_with("Step ") {
            skipping = is_ours(line);
            if !skipping {
                n += 1;
                let renumbered = line
                    .split_once(" : ")
                    .and_then(|(head, rest)| {
                        let total: usize = head.split_once('/')?.1.parse().ok()?;
                        // A total no larger than the label count cannot include them.
                        let shown = if total > ours { total - ours } else { total };
                        Some(format!("Step {n}/{shown} : {rest}"))
                    })
                    .unwrap_or_else(|| line.to_string());
                out.push_str(&renumbered);
                continue;
            }
        } else if line.starts_with("Successfully ") {
            skipping = false;
        }
        if !skipping {
            out.push_str(line);
        }
    }
    // The Dockerfile's last step stands for the final image: its ` ---> id` is the one
    // `Successfully built` names.
    let built = out
        .lines()
        .find_map(|l| l.strip_prefix("Successfully built "))
        .map(str::to_string);
    if let Some(id) = built {
        let lines: Vec<&str> = out.split_inclusive('\n').collect();
        let last_arrow = lines.iter().rposition(|l| {
            l.starts_with(" ---> ")
                && !l.starts_with(" ---> Running in")
                && !l.starts_with(" ---> Using cache")
        });
        if let Some(i) = last_arrow {
            let mut rebuilt: String = lines[..i].concat();
            rebuilt.push_str(&format!(" ---> {id}\n"));
            rebuilt.push_str(&lines[i + 1..].concat());
            out = rebuilt;
        }
    }
    out
}

/// A `docker save` archive with its image names passed through `rename`: the tags in
/// `manifest.json` and the repositories in `repositories` (the sandbox's names going out, the
/// learner's coming in). Every other entry is copied as it is.
pub fn rename_archive(data: &[u8], rename: impl Fn(&str) -> String) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = tar::Builder::new(Vec::new());
    let mut archive = tar::Archive::new(data);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        let mut header = entry.header().clone();
        let renamed = match path.as_str() {
            "manifest.json" => serde_json::from_slice::<Value>(&bytes).ok().map(|mut m| {
                for image in m.as_array_mut().into_iter().flatten() {
                    for tag in image
                        .get_mut("RepoTags")
                        .and_then(Value::as_array_mut)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(t) = tag.as_str() {
                            *tag = Value::from(rename(t));
                        }
                    }
                }
                m
            }),
            "repositories" => serde_json::from_slice::<Value>(&bytes).ok().map(|r| {
                let map: serde_json::Map<String, Value> = r
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (rename(k), v.clone()))
                    .collect();
                Value::Object(map)
            }),
            _ => None,
        };
        if let Some(v) = renamed {
            bytes = v.to_string().into_bytes();
            header.set_size(bytes.len() as u64);
            header.set_cksum();
        }
        out.append_data(&mut header, &path, bytes.as_slice())?;
    }
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn archives_are_renamed_in_manifest_and_repositories_only() {
        let mut b = tar::Builder::new(Vec::new());
        for (name, text) in [
            ("abc.json", "{\"config\":{}}"),
            (
                "manifest.json",
                "[{\"Config\":\"abc.json\",\"RepoTags\":[\"dt-0a1b2c3d-snap:1\"],\"Layers\":[]}]",
            ),
            ("repositories", "{\"dt-0a1b2c3d-snap\":{\"1\":\"abc\"}}"),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(text.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, text.as_bytes()).unwrap();
        }
        let s = Sandbox::new("0a1b2c3d");
        let out = rename_archive(&b.into_inner().unwrap(), |n| s.map_back(n)).unwrap();
        let mut files = std::collections::BTreeMap::new();
        let mut a = tar::Archive::new(out.as_slice());
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            let name = e.path().unwrap().display().to_string();
            let mut text = String::new();
            std::io::Read::read_to_string(&mut e, &mut text).unwrap();
            files.insert(name, text);
        }
        assert_eq!(files["abc.json"], "{\"config\":{}}");
        assert_eq!(
            files["manifest.json"],
            "[{\"Config\":\"abc.json\",\"RepoTags\":[\"snap:1\"],\"Layers\":[]}]"
        );
        assert_eq!(files["repositories"], "{\"snap\":{\"1\":\"abc\"}}");
    }

    #[test]
    fn the_sessions_label_steps_are_not_shown() {
        let daemon = "Step 1/4 : FROM busybox\n ---> 33d4ede3b56b\nStep 2/4 : CMD [\"sh\"]\n ---> Running in 0a1b2c3d4e5f\nRemoving intermediate container 0a1b2c3d4e5f\n ---> 1a5f52c09310\nStep 3/4 : LABEL org.docktutor.pid=42\n ---> Running in 1b2c3d4e5f6a\nRemoving intermediate container 1b2c3d4e5f6a\n ---> 516c334b78dc\nStep 4/4 : LABEL org.docktutor.session=0a1b2c3d\n ---> Using cache\n ---> 616c334b78dc\nSuccessfully built 616c334b78dc\nSuccessfully tagged app:latest\n";
        assert_eq!(
            hide_sandbox_steps(daemon),
            "Step 1/2 : FROM busybox\n ---> 33d4ede3b56b\nStep 2/2 : CMD [\"sh\"]\n ---> Running in 0a1b2c3d4e5f\nRemoving intermediate container 0a1b2c3d4e5f\n ---> 616c334b78dc\nSuccessfully built 616c334b78dc\nSuccessfully tagged app:latest\n"
        );
        let plain = "Step 1/1 : FROM busybox\n ---> 33d4ede3b56b\n";
        assert_eq!(hide_sandbox_steps(plain), plain);
    }

    #[test]
    fn summary_maps_names_and_hides_tutor_labels() {
        let s = Sandbox::new("0a1b2c3d");
        let row = json!({
            "Id": "abc", "Names": ["/dt-0a1b2c3d-web"], "Image": "dt-0a1b2c3d-app",
            "ImageID": "sha256:1", "Command": "sh", "Created": 1_700_000_000,
            "State": "exited", "Status": "Exited (137) 2 seconds ago",
            "Labels": {"org.docktutor.session": "0a1b2c3d", "mine": "yes"},
            "Ports": [{"PrivatePort": 80, "PublicPort": 8080, "IP": "0.0.0.0", "Type": "tcp"}],
            "Mounts": [{"Type": "volume", "Name": "dt-0a1b2c3d-mydata", "Destination": "/data", "RW": true}],
            "NetworkSettings": {"Networks": {"bridge": {}}}
        });
        let c = container_summary(&row, &s);
        assert_eq!(c.name, "web");
        assert_eq!(c.image, "app");
        assert_eq!(c.status, ContainerStatus::Exited);
        assert_eq!(c.exit_code, 137);
        assert_eq!(c.labels.len(), 1);
        assert_eq!(c.ports[0].host_port, Some(8080));
        assert_eq!(c.mounts[0].source, "mydata");
        assert_eq!(c.networks, ["bridge"]);
    }

    #[test]
    fn details_list_the_ports_the_daemon_bound_not_the_ones_asked_for() {
        let s = Sandbox::new("0a1b2c3d");
        // `docker run -p 8888:8080` on dockerd 20.10 with IPv6 on the host.
        let doc = json!({
            "Id": "abc", "Name": "/dt-0a1b2c3d-pm", "Path": "sleep", "Args": ["100"],
            "Created": "2026-11-23T09:00:00Z", "Image": "sha256:1",
            "State": {"Status": "running", "ExitCode": 0},
            "Config": {"Image": "busybox", "ExposedPorts": {"8080/tcp": {}, "9000/tcp": {}}},
            "HostConfig": {"PortBindings": {"8080/tcp": [{"HostIp": "", "HostPort": "8888"}]}},
            "NetworkSettings": {"Ports": {
                "8080/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8888"}, {"HostIp": "::", "HostPort": "8888"}],
                "9000/tcp": null
            }}
        });
        let d = container_details(doc, &s);
        let bound: Vec<(Option<&str>, Option<u16>, u16)> = d
            .summary
            .ports
            .iter()
            .map(|p| (p.host_ip.as_deref(), p.host_port, p.container_port))
            .collect();
        assert_eq!(
            bound,
            [
                (Some("0.0.0.0"), Some(8888), 8080),
                (Some("::"), Some(8888), 8080)
            ]
        );
    }

    #[test]
    fn details_map_the_name_inside_the_raw_document() {
        let s = Sandbox::new("0a1b2c3d");
        let doc = json!({
            "Id": "abc", "Name": "/dt-0a1b2c3d-web", "Path": "/bin/bash", "Args": [],
            "Created": "2026-11-23T09:00:00.123456789Z", "Image": "sha256:1",
            "State": {"Status": "running", "ExitCode": 0, "StartedAt": "2026-11-23T09:00:01Z", "FinishedAt": "0001-01-01T00:00:00Z"},
            "Config": {"Image": "ubuntu", "Tty": false, "OpenStdin": true, "Hostname": "abc", "Labels": {"org.docktutor.session": "0a1b2c3d"}}
        });
        let d = container_details(doc, &s);
        assert_eq!(d.summary.name, "web");
        assert_eq!(d.raw["Name"], "/web");
        assert!(d.raw["Config"]["Labels"].as_object().unwrap().is_empty());
        assert!(d.started_at.is_some());
        assert!(d.finished_at.is_none(), "zero time is no time");
        assert_eq!(d.summary.command, "/bin/bash");
    }
}
