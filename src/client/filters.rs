//! `--filter key=value` for `ps` and `images`, applied as dockerd does: values of one key are
//! alternatives, different keys must all hold. Errors carry dockerd's text.

use std::collections::BTreeMap;

use crate::engine::{ContainerStatus, ContainerSummary, Engine, ImageSummary};

pub type Filters = BTreeMap<String, Vec<String>>;

/// Split the raw `--filter` values. A value without `=` is a flag error in the CLI itself.
pub fn parse(raw: &[String]) -> Result<Filters, String> {
    let mut f = Filters::new();
    for r in raw {
        match r.split_once('=') {
            Some((k, v)) => f.entry(k.trim().to_ascii_lowercase()).or_default().push(v.to_string()),
            None => {
                return Err(format!(
                    "invalid argument \"{r}\" for \"-f, --filter\" flag: bad format of filter (expected name=value)"
                ))
            }
        }
    }
    Ok(f)
}

const CONTAINER_KEYS: &[&str] = &[
    "ancestor",
    "before",
    "expose",
    "exited",
    "health",
    "id",
    "isolation",
    "is-task",
    "label",
    "name",
    "network",
    "publish",
    "since",
    "status",
    "volume",
];

pub fn retain_containers(
    rows: &mut Vec<ContainerSummary>,
    filters: &Filters,
    engine: &mut dyn Engine,
) -> Result<(), String> {
    for (k, values) in filters {
        if !CONTAINER_KEYS.contains(&k.as_str()) {
            return Err(format!("Error response from daemon: Invalid filter '{k}'"));
        }
        if k == "status" {
            if let Some(bad) = values.iter().find(|v| ContainerStatus::parse(v).is_none()) {
                return Err(format!(
                    "Error response from daemon: Invalid filter 'status={bad}'"
                ));
            }
        }
    }
    // `ancestor=` names an image; resolve each to its id once so tags and ids both match.
    let ancestors: Vec<(String, Option<String>)> = filters
        .get("ancestor")
        .map(|vals| {
            vals.iter()
                .map(|v| {
                    (
                        v.clone(),
                        engine.image_inspect(v).ok().map(|d| d.summary.id),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let pivot = |key: &str,
                 engine: &mut dyn Engine|
     -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
        match filters.get(key).and_then(|v| v.first()) {
            Some(r) => engine
                .container_inspect(r)
                .map(|d| Some(d.summary.created))
                .map_err(|_| format!("Error response from daemon: No such container: {r}")),
            None => Ok(None),
        }
    };
    let before = pivot("before", engine)?;
    let since = pivot("since", engine)?;
    rows.retain(|c| {
        filters.iter().all(|(k, values)| match k.as_str() {
            "status" => values.iter().any(|v| v == c.status.as_str()),
            "name" => values.iter().any(|v| name_matches(v, &c.name)),
            "id" => values.iter().any(|v| c.id.starts_with(v.as_str())),
            "label" => values.iter().any(|v| label_matches(v, &c.labels)),
            "exited" => {
                c.status == ContainerStatus::Exited
                    && values
                        .iter()
                        .any(|v| v.parse::<i64>().ok() == Some(c.exit_code))
            }
            "ancestor" => ancestors.iter().any(|(text, id)| {
                c.image == *text
                    || c.image == format!("{text}:latest")
                    || format!("{}:latest", c.image) == *text
                    || id.as_deref() == Some(c.image_id.as_str())
            }),
            "before" => before.is_some_and(|t| c.created < t),
            "since" => since.is_some_and(|t| c.created > t),
            "publish" => values.iter().any(|v| {
                c.ports.iter().any(|p| {
                    let (port, proto) = v.split_once('/').unwrap_or((v.as_str(), "tcp"));
                    p.host_port.map(|h| h.to_string()).as_deref() == Some(port)
                        && p.protocol == proto
                })
            }),
            "expose" => values.iter().any(|v| {
                let (port, proto) = v.split_once('/').unwrap_or((v.as_str(), "tcp"));
                c.ports
                    .iter()
                    .any(|p| p.container_port.to_string() == port && p.protocol == proto)
            }),
            "volume" => values
                .iter()
                .any(|v| c.mounts.iter().any(|m| m.source == *v || m.target == *v)),
            "network" => values.iter().any(|v| c.networks.contains(v)),
            _ => true,
        })
    });
    Ok(())
}

pub fn retain_images(rows: &mut Vec<ImageSummary>, filters: &Filters) -> Result<(), String> {
    for (k, values) in filters {
        match k.as_str() {
            "dangling" => {
                if let Some(bad) = values
                    .iter()
                    .find(|v| !matches!(v.as_str(), "true" | "false" | "1" | "0"))
                {
                    return Err(format!(
                        "Error response from daemon: Invalid filter 'dangling=[{bad}]'"
                    ));
                }
            }
            "reference" | "label" | "before" | "since" | "until" => {}
            other => {
                return Err(format!(
                    "Error response from daemon: Invalid filter '{other}'"
                ))
            }
        }
    }
    rows.retain(|img| {
        filters.iter().all(|(k, values)| match k.as_str() {
            "dangling" => {
                let want = values.iter().any(|v| v == "true" || v == "1");
                img.repo_tags.is_empty() == want
            }
            "reference" => values.iter().any(|pattern| {
                img.repo_tags.iter().any(|rt| {
                    let repo = rt.rsplit_once(':').map_or(rt.as_str(), |(r, _)| r);
                    crate::command::shell::glob_match(pattern, rt)
                        || crate::command::shell::glob_match(pattern, repo)
                })
            }),
            "label" => values.iter().any(|v| label_matches(v, &img.labels)),
            _ => true,
        })
    });
    Ok(())
}

/// dockerd treats `name=` as a regular expression over the name; learners use plain
/// substrings, which that covers. `^` and `$` anchors are honoured.
fn name_matches(pattern: &str, name: &str) -> bool {
    let name = format!("/{name}");
    match (pattern.strip_prefix('^'), pattern.strip_suffix('$')) {
        (Some(p), _) if p.ends_with('$') => {
            name == format!("/{}", p.trim_start_matches('/').trim_end_matches('$'))
        }
        (Some(p), _) => name.starts_with(&format!("/{}", p.trim_start_matches('/'))),
        (None, Some(p)) => name.ends_with(p),
        (None, None) => name.contains(pattern),
    }
}

fn label_matches(filter: &str, labels: &BTreeMap<String, String>) -> bool {
    match filter.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
        None => labels.contains_key(filter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_syntax() {
        let f = parse(&[
            "status=exited".into(),
            "status=created".into(),
            "name=sand".into(),
        ])
        .unwrap();
        assert_eq!(f["status"], vec!["exited", "created"]);
        assert_eq!(
            parse(&["foo".into()]).unwrap_err(),
            "invalid argument \"foo\" for \"-f, --filter\" flag: bad format of filter (expected name=value)"
        );
    }

    #[test]
    fn names_match_like_dockerd() {
        assert!(name_matches("sand", "sandbox"));
        assert!(name_matches("^sandbox$", "sandbox"));
        assert!(!name_matches("^sand$", "sandbox"));
        assert!(name_matches("box$", "sandbox"));
    }
}
