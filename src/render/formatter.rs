//! docker/cli's formatter contexts: from the project's types to the fields `--format` sees
//! (`.ID`, `.RunningFor`, `.Ports`…), with docker's default tables and truncation rules.

use serde_json::{Map, Value};

use super::json;
use super::table::tabwrite;
use super::template::{unescape, Flavor, Template, TemplateError, LIST_FLAVOR};
use super::units::{human_duration, human_size};
use crate::engine::{
    ContainerSummary, HistoryEntry, ImageSummary, MountKind, PortBinding, Timestamp,
};

#[derive(Clone, Debug, Default)]
pub struct PsOptions {
    pub quiet: bool,
    pub no_trunc: bool,
    pub size: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ImagesOptions {
    pub quiet: bool,
    pub no_trunc: bool,
    pub digests: bool,
}

#[derive(Clone, Debug)]
pub struct HistoryOptions {
    pub quiet: bool,
    pub no_trunc: bool,
    pub human: bool,
}

/// `2026-11-23 01:39:43 +0000 UTC`, Go's default time format.
pub fn go_time(t: &Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M:%S +0000 UTC").to_string()
}

/// `N seconds ago`.
pub fn ago(now: Timestamp, then: Timestamp) -> String {
    format!("{} ago", human_duration(now - then))
}

/// docker's `Ellipsis`: at most `max` characters, the last one `…` when cut.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Go's `strconv.Quote` for the printable text docker shows (also `history`'s exec-form
/// arrays, `["sh" "-c"]`).
pub fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn short_id(id: &str, no_trunc: bool) -> String {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    if no_trunc {
        id.to_string()
    } else {
        hex.chars().take(12).collect()
    }
}

/// The PORTS column: `0.0.0.0:8080->80/tcp, [::]:8080->80/tcp`, sorted as docker sorts.
pub fn display_ports(ports: &[PortBinding]) -> String {
    let mut ps: Vec<&PortBinding> = ports.iter().collect();
    ps.sort_by(|a, b| {
        (
            a.container_port,
            &a.protocol,
            a.host_ip.as_deref().unwrap_or(""),
            a.host_port,
        )
            .cmp(&(
                b.container_port,
                &b.protocol,
                b.host_ip.as_deref().unwrap_or(""),
                b.host_port,
            ))
    });
    let mut parts: Vec<String> = Vec::new();
    for p in ps {
        let s = match p.host_port {
            Some(hp) => {
                let ip = p.host_ip.clone().unwrap_or_else(|| "0.0.0.0".into());
                let host = if ip.contains(':') {
                    format!("[{ip}]")
                } else {
                    ip
                };
                format!("{host}:{hp}->{}/{}", p.container_port, p.protocol)
            }
            None => format!("{}/{}", p.container_port, p.protocol),
        };
        if !parts.contains(&s) {
            parts.push(s);
        }
    }
    parts.join(", ")
}

fn labels_text(labels: &std::collections::BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The `.Field`s of one `docker ps` row, keys in Go's sorted order.
pub fn container_row(c: &ContainerSummary, now: Timestamp, opts: &PsOptions) -> Value {
    let command = if opts.no_trunc {
        c.command.clone()
    } else {
        ellipsis(&c.command, 20)
    };
    let image = if c.image.starts_with("sha256:") {
        short_id(&c.image, opts.no_trunc)
    } else {
        c.image.clone()
    };
    // dockerd omits `SizeRw` when it is 0; the CLI still prints the virtual size then.
    let size = match (c.size_rw, c.size_root_fs) {
        (rw, Some(root)) => format!(
            "{} (virtual {})",
            human_size(rw.unwrap_or(0)),
            human_size(root)
        ),
        (Some(rw), None) => human_size(rw),
        _ => "0B".to_string(),
    };
    let mounts: Vec<String> = c
        .mounts
        .iter()
        .map(|m| match m.kind {
            MountKind::Volume if !m.source.is_empty() => m.source.clone(),
            _ => ellipsis(&m.source, 15),
        })
        .collect();
    let local_volumes = c
        .mounts
        .iter()
        .filter(|m| m.kind == MountKind::Volume)
        .count();
    let mut m = Map::new();
    m.insert("Command".into(), Value::String(go_quote(&command)));
    m.insert("CreatedAt".into(), Value::String(go_time(&c.created)));
    m.insert("ID".into(), Value::String(short_id(&c.id, opts.no_trunc)));
    m.insert("Image".into(), Value::String(image));
    m.insert("Labels".into(), Value::String(labels_text(&c.labels)));
    m.insert(
        "LocalVolumes".into(),
        Value::String(local_volumes.to_string()),
    );
    m.insert("Mounts".into(), Value::String(mounts.join(",")));
    m.insert("Names".into(), Value::String(c.name.clone()));
    m.insert("Networks".into(), Value::String(c.networks.join(",")));
    m.insert("Platform".into(), Value::Null);
    m.insert("Ports".into(), Value::String(display_ports(&c.ports)));
    m.insert("RunningFor".into(), Value::String(ago(now, c.created)));
    m.insert("Size".into(), Value::String(size));
    m.insert("State".into(), Value::String(c.status.as_str().into()));
    m.insert("Status".into(), Value::String(c.status_text.clone()));
    Value::Object(m)
}

fn ps_title(field: &str) -> String {
    match field {
        "ID" => "CONTAINER ID",
        "Image" => "IMAGE",
        "Command" => "COMMAND",
        "RunningFor" => "CREATED",
        "CreatedAt" => "CREATED AT",
        "Status" => "STATUS",
        "Ports" => "PORTS",
        "Names" => "NAMES",
        "Size" => "SIZE",
        "Labels" => "LABELS",
        "Label" => "LABEL",
        "Mounts" => "MOUNTS",
        "Networks" => "NETWORKS",
        "State" => "STATE",
        "LocalVolumes" => "LOCAL VOLUMES",
        "Platform" => "PLATFORM",
        other => return other.to_uppercase(),
    }
    .to_string()
}

fn image_title(field: &str) -> String {
    match field {
        "Repository" => "REPOSITORY",
        "Tag" => "TAG",
        "ID" => "IMAGE ID",
        "CreatedSince" => "CREATED",
        "CreatedAt" => "CREATED AT",
        "Size" => "SIZE",
        "Digest" => "DIGEST",
        "Containers" => "CONTAINERS",
        "SharedSize" => "SHARED SIZE",
        "UniqueSize" => "UNIQUE SIZE",
        "VirtualSize" => "VIRTUAL SIZE",
        other => return other.to_uppercase(),
    }
    .to_string()
}

fn history_title(field: &str) -> String {
    match field {
        "ID" => "IMAGE",
        "CreatedSince" => "CREATED",
        "CreatedAt" => "CREATED AT",
        "CreatedBy" => "CREATED BY",
        "Size" => "SIZE",
        "Comment" => "COMMENT",
        other => return other.to_uppercase(),
    }
    .to_string()
}

/// Render rows with a format: `table …` (header + aligned columns), `json`, or a template.
fn render_rows(
    format: &str,
    rows: &[Value],
    titles: &dyn Fn(&str) -> String,
    flavor: Flavor,
) -> Result<String, TemplateError> {
    let format = unescape(format);
    let (table, body) = match format.strip_prefix("table") {
        Some(rest) if rest.is_empty() || rest.starts_with(char::is_whitespace) => {
            (true, rest.trim_start().to_string())
        }
        _ => (false, format.clone()),
    };
    let body = if body == "json" {
        "{{json .}}".to_string()
    } else {
        body
    };
    let t = Template::parse(&body, flavor)?;
    let mut text = String::new();
    if table {
        text.push_str(&t.execute_header(titles));
        text.push('\n');
    }
    for row in rows {
        text.push_str(&t.execute(row, flavor)?);
        text.push('\n');
    }
    Ok(if table { tabwrite(&text) } else { text })
}

pub fn ps(
    rows: &[ContainerSummary],
    now: Timestamp,
    opts: &PsOptions,
    format: Option<&str>,
) -> Result<String, TemplateError> {
    let values: Vec<Value> = rows.iter().map(|c| container_row(c, now, opts)).collect();
    let default = if opts.size {
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}"
    } else {
        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
    };
    let format = match format {
        _ if opts.quiet => "{{.ID}}",
        Some(f) if !f.is_empty() => f,
        _ => default,
    };
    render_rows(format, &values, &ps_title, LIST_FLAVOR)
}

pub fn image_rows(images: &[ImageSummary], now: Timestamp, opts: &ImagesOptions) -> Vec<Value> {
    let mut sorted: Vec<&ImageSummary> = images.iter().collect();
    sorted.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
    let mut out = Vec::new();
    for img in sorted {
        let tags: Vec<(String, String)> = if img.repo_tags.is_empty() {
            vec![("<none>".into(), "<none>".into())]
        } else {
            img.repo_tags
                .iter()
                .map(|rt| match rt.rsplit_once(':') {
                    Some((r, t)) if !t.contains('/') => (r.to_string(), t.to_string()),
                    _ => (rt.clone(), "<none>".into()),
                })
                .collect()
        };
        for (repo, tag) in tags {
            let digest = img
                .repo_digests
                .iter()
                .find(|d| d.starts_with(&format!("{repo}@")))
                .and_then(|d| d.split_once('@').map(|(_, x)| x.to_string()))
                .unwrap_or_else(|| "<none>".into());
            let mut m = Map::new();
            m.insert(
                "Containers".into(),
                Value::String(if img.containers >= 0 {
                    img.containers.to_string()
                } else {
                    "N/A".into()
                }),
            );
            m.insert("CreatedAt".into(), Value::String(go_time(&img.created)));
            m.insert("CreatedSince".into(), Value::String(ago(now, img.created)));
            m.insert("Digest".into(), Value::String(digest));
            m.insert("ID".into(), Value::String(short_id(&img.id, opts.no_trunc)));
            m.insert("Repository".into(), Value::String(repo));
            m.insert("SharedSize".into(), Value::String("N/A".into()));
            m.insert("Size".into(), Value::String(human_size(img.size)));
            m.insert("Tag".into(), Value::String(tag));
            m.insert("UniqueSize".into(), Value::String("N/A".into()));
            m.insert("VirtualSize".into(), Value::String(human_size(img.size)));
            out.push(Value::Object(m));
        }
    }
    out
}

pub fn images(
    images: &[ImageSummary],
    now: Timestamp,
    opts: &ImagesOptions,
    format: Option<&str>,
) -> Result<String, TemplateError> {
    let mut values = image_rows(images, now, opts);
    if opts.quiet {
        let mut seen = std::collections::BTreeSet::new();
        values.retain(|v| seen.insert(v["ID"].as_str().unwrap_or_default().to_string()));
    }
    let default = if opts.digests {
        "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
    } else {
        "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
    };
    let format = match format {
        _ if opts.quiet => "{{.ID}}",
        Some(f) if !f.is_empty() => f,
        _ => default,
    };
    render_rows(
        format,
        &values,
        &image_title,
        Flavor {
            type_name: Some("*formatter.ImageContext"),
            ..LIST_FLAVOR
        },
    )
}

pub fn history(
    entries: &[HistoryEntry],
    now: Timestamp,
    opts: &HistoryOptions,
    format: Option<&str>,
) -> Result<String, TemplateError> {
    let values: Vec<Value> = entries
        .iter()
        .map(|h| {
            let id = match &h.id {
                Some(id) => short_id(id, opts.no_trunc),
                None => "<missing>".into(),
            };
            let created_by = h.created_by.replace('\t', " ");
            let created_by = if opts.no_trunc {
                created_by
            } else {
                ellipsis(&created_by, 45)
            };
            let mut m = Map::new();
            m.insert("Comment".into(), Value::String(h.comment.clone()));
            m.insert(
                "CreatedAt".into(),
                Value::String(h.created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            );
            m.insert("CreatedBy".into(), Value::String(created_by));
            m.insert(
                "CreatedSince".into(),
                Value::String(if opts.human {
                    ago(now, h.created)
                } else {
                    h.created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                }),
            );
            m.insert("ID".into(), Value::String(id));
            m.insert(
                "Size".into(),
                Value::String(if opts.human {
                    human_size(h.size)
                } else {
                    h.size.to_string()
                }),
            );
            Value::Object(m)
        })
        .collect();
    let format = match format {
        _ if opts.quiet => "{{.ID}}",
        Some(f) if !f.is_empty() => f,
        _ => "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
    };
    render_rows(
        format,
        &values,
        &history_title,
        Flavor {
            type_name: Some("*history.historyContext"),
            ..LIST_FLAVOR
        },
    )
}

/// `{{json .}}` of a row (used by tests and the scenario runner).
pub fn row_json(v: &Value) -> String {
    json::compact(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ContainerStatus;
    use chrono::TimeZone;

    fn t(secs: i64) -> Timestamp {
        chrono::Utc.timestamp_opt(1_795_000_000 + secs, 0).unwrap()
    }

    fn container() -> ContainerSummary {
        ContainerSummary {
            id: "748bbf68455d0000000000000000000000000000000000000000000000000000".into(),
            name: "gigantic_wright".into(),
            image: "ubuntu".into(),
            image_id: "sha256:aa".into(),
            command: "/bin/bash".into(),
            created: t(0),
            status: ContainerStatus::Exited,
            status_text: "Exited (0) 12 seconds ago".into(),
            exit_code: 0,
            ports: vec![],
            labels: Default::default(),
            mounts: vec![],
            networks: vec!["bridge".into()],
            size_rw: None,
            size_root_fs: None,
        }
    }

    #[test]
    fn ps_size_when_the_daemon_omits_a_zero_size_rw() {
        // dockerd's JSON leaves out `SizeRw: 0`; docker prints `0B (virtual 1.99MB)`.
        let c = ContainerSummary {
            size_rw: None,
            size_root_fs: Some(1_985_512),
            ..container()
        };
        let opts = PsOptions {
            size: true,
            ..Default::default()
        };
        let out = ps(&[c], t(17), &opts, Some("{{.Size}}")).unwrap();
        assert_eq!(out, "0B (virtual 1.99MB)\n");
    }

    #[test]
    fn ps_table_like_docker() {
        let out = ps(&[container()], t(17), &PsOptions::default(), None).unwrap();
        insta::assert_snapshot!(out, @r#"
        CONTAINER ID   IMAGE     COMMAND       CREATED          STATUS                      PORTS     NAMES
        748bbf68455d   ubuntu    "/bin/bash"   17 seconds ago   Exited (0) 12 seconds ago             gigantic_wright
        "#);
        let q = ps(
            &[container()],
            t(17),
            &PsOptions {
                quiet: true,
                ..Default::default()
            },
            None,
        )
        .unwrap();
        assert_eq!(q, "748bbf68455d\n");
        let f = ps(
            &[container()],
            t(17),
            &PsOptions::default(),
            Some("{{.ID}}: {{.Image}} {{.Names}} {{.Status}} {{.Ports}} {{.Command}}"),
        )
        .unwrap();
        assert_eq!(
            f,
            "748bbf68455d: ubuntu gigantic_wright Exited (0) 12 seconds ago  \"/bin/bash\"\n"
        );
    }

    #[test]
    fn ports_and_commands_follow_docker() {
        let ports = vec![
            PortBinding {
                host_ip: Some("127.0.0.1".into()),
                host_port: Some(8081),
                container_port: 80,
                protocol: "tcp".into(),
            },
            PortBinding {
                host_ip: Some("0.0.0.0".into()),
                host_port: Some(8082),
                container_port: 80,
                protocol: "tcp".into(),
            },
            PortBinding {
                host_ip: Some("::".into()),
                host_port: Some(8082),
                container_port: 80,
                protocol: "tcp".into(),
            },
        ];
        assert_eq!(
            display_ports(&ports),
            "0.0.0.0:8082->80/tcp, 127.0.0.1:8081->80/tcp, [::]:8082->80/tcp"
        );
        assert_eq!(
            ellipsis("/bin/sh -c 'while true; do echo hi; done'", 20),
            "/bin/sh -c 'while t…"
        );
    }

    #[test]
    fn history_truncates_created_by() {
        let h = HistoryEntry {
            id: None,
            created: t(0),
            created_by: "/bin/sh -c #(nop) COPY file:73e2b2d48642b21b0123456789 in /bin/busybox"
                .into(),
            size: 1_980_000,
            comment: String::new(),
            tags: vec![],
        };
        let out = history(
            &[h],
            t(33 * 60),
            &HistoryOptions {
                quiet: false,
                no_trunc: false,
                human: true,
            },
            None,
        )
        .unwrap();
        insta::assert_snapshot!(out, @r"
        IMAGE       CREATED          CREATED BY                                      SIZE      COMMENT
        <missing>   33 minutes ago   /bin/sh -c #(nop) COPY file:73e2b2d48642b21b…   1.98MB    
        ");
    }
}
