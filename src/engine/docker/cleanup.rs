//! Removing what the tutor made, and nothing else: at the end of a session, on Ctrl-C, and
//! for `docktutor clean` after a crash. Objects are found by the session label (containers,
//! volumes, built and committed images) and by the session's name prefix (image tags).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use bollard::query_parameters as q;
use bollard::Docker;

use super::sandbox::{PID_LABEL, SESSION_LABEL};
use crate::engine::EngineError;

/// Namespaces of the engines alive in this process, for the Ctrl-C handler.
static LIVE: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

pub fn register(namespace: &str) {
    if let Ok(mut live) = LIVE.lock() {
        live.insert(namespace.to_string());
    }
    install_interrupt_handler();
}

pub fn unregister(namespace: &str) {
    if let Ok(mut live) = LIVE.lock() {
        live.remove(namespace);
    }
}

/// On Ctrl-C (while a real-engine call is running, or in `check`), remove every live session's
/// objects before exiting, as the end of a session would. Installed once, and only when a real
/// engine is opened: the simulator keeps the default behaviour.
fn install_interrupt_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let namespaces: Vec<String> = LIVE.lock().map(|l| l.iter().cloned().collect()).unwrap_or_default();
            if !namespaces.is_empty() {
                eprintln!("\ndocktutor: interrupted; removing what this session made on the Docker engine…");
                if let Ok((rt, c)) = super::connect::connect_blocking() {
                    rt.block_on(async {
                        for ns in &namespaces {
                            remove_namespace(&c.docker, Some(ns)).await;
                        }
                    });
                }
            }
            std::process::exit(130);
        });
    });
}

/// What a clean-up removed, and what it could not.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CleanReport {
    pub containers: usize,
    pub volumes: usize,
    pub images: usize,
    pub errors: Vec<String>,
}

impl CleanReport {
    fn add(&mut self, other: CleanReport) {
        self.containers += other.containers;
        self.volumes += other.volumes;
        self.images += other.images;
        self.errors.extend(other.errors);
    }
}

fn label_filter(namespace: Option<&str>) -> HashMap<String, Vec<String>> {
    let value = match namespace {
        Some(ns) => format!("{SESSION_LABEL}={ns}"),
        None => SESSION_LABEL.to_string(),
    };
    HashMap::from([("label".to_string(), vec![value])])
}

/// The namespace of a tag made by the tutor (`dt-0a1b2c3d-app:v1` → `0a1b2c3d`).
pub fn tag_namespace(tag: &str) -> Option<&str> {
    let last = match tag.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            rest
        }
        _ => tag,
    };
    let rest = last.strip_prefix("dt-")?;
    let (ns, _) = rest.split_once('-')?;
    (ns.len() == 8 && ns.chars().all(|c| c.is_ascii_hexdigit())).then_some(ns)
}

/// The containers and volumes labelled as one session's (or any session's, for `None`); a
/// daemon that does not answer has none to give.
async fn labelled_objects(
    docker: &Docker,
    namespace: Option<&str>,
) -> (
    Vec<bollard::models::ContainerSummary>,
    Vec<bollard::models::Volume>,
) {
    let containers = docker
        .list_containers(Some(q::ListContainersOptions {
            all: true,
            filters: Some(label_filter(namespace)),
            ..Default::default()
        }))
        .await
        .unwrap_or_default();
    let volumes = docker
        .list_volumes(Some(q::ListVolumesOptions {
            filters: Some(label_filter(namespace)),
        }))
        .await
        .ok()
        .and_then(|r| r.volumes)
        .unwrap_or_default();
    (containers, volumes)
}

/// Remove one namespace's objects, or every docktutor session's when `namespace` is `None`.
pub async fn remove_namespace(docker: &Docker, namespace: Option<&str>) -> CleanReport {
    let mut report = CleanReport::default();
    let (containers, volumes) = labelled_objects(docker, namespace).await;
    for c in containers {
        let Some(id) = c.id else { continue };
        let options = q::RemoveContainerOptions {
            force: true,
            v: true,
            ..Default::default()
        };
        match docker.remove_container(&id, Some(options)).await {
            Ok(()) => report.containers += 1,
            Err(e) if e.to_string().contains("No such container") => {}
            Err(e) => report
                .errors
                .push(format!("container {}: {e}", &id[..12.min(id.len())])),
        }
    }
    for v in volumes {
        match docker
            .remove_volume(&v.name, Some(q::RemoveVolumeOptions { force: true }))
            .await
        {
            Ok(()) => report.volumes += 1,
            Err(e) => report.errors.push(format!("volume {}: {e}", v.name)),
        }
    }
    let images = docker
        .list_images(Some(q::ListImagesOptions {
            all: true,
            ..Default::default()
        }))
        .await
        .unwrap_or_default();
    // Tags first (an image the user also tagged keeps its other names), then the session's
    // own untagged images, newest first so children go before parents.
    let mut labelled = Vec::new();
    for image in &images {
        for tag in &image.repo_tags {
            let owned = match (tag_namespace(tag), namespace) {
                (Some(ns), Some(want)) => ns == want,
                (Some(_), None) => true,
                _ => false,
            };
            if owned {
                let options = q::RemoveImageOptions {
                    force: false,
                    noprune: false,
                    ..Default::default()
                };
                match docker.remove_image(tag, Some(options), None).await {
                    Ok(_) => report.images += 1,
                    Err(e) => report.errors.push(format!("image {tag}: {e}")),
                }
            }
        }
        let ours = match (image.labels.get(SESSION_LABEL), namespace) {
            (Some(ns), Some(want)) => ns == want,
            (Some(_), None) => true,
            _ => false,
        };
        if ours {
            labelled.push((image.created, image.id.clone()));
        }
    }
    labelled.sort_by(|a, b| b.cmp(a));
    for (_, id) in labelled {
        let options = q::RemoveImageOptions {
            force: false,
            noprune: false,
            ..Default::default()
        };
        match docker.remove_image(&id, Some(options), None).await {
            Ok(_) => report.images += 1,
            // Gone with its last tag already, or still tagged by the user: both fine.
            Err(e) if e.to_string().contains("No such image") => {}
            Err(e)
                if e.to_string()
                    .contains("image is referenced in multiple repositories") => {}
            Err(e) => report
                .errors
                .push(format!("image {}: {e}", &id[..19.min(id.len())])),
        }
    }
    report
}

/// `docktutor clean`: remove the objects of sessions whose process is gone (or of every
/// session, with `all`). Returns the namespaces removed and the combined report.
pub fn clean(all: bool) -> Result<(Vec<String>, CleanReport), EngineError> {
    let (rt, connection) = super::connect::connect_blocking()?;
    rt.block_on(async {
        let docker = &connection.docker;
        let owners = session_owners(docker).await;
        let mut removed = Vec::new();
        let mut report = CleanReport::default();
        for (ns, pid) in owners {
            let alive = pid.is_some_and(process_alive);
            if all || !alive {
                report.add(remove_namespace(docker, Some(&ns)).await);
                removed.push(ns);
            }
        }
        Ok((removed, report))
    })
}

/// Every session namespace on the daemon, with the pid that owns it when a label says so.
async fn session_owners(docker: &Docker) -> BTreeMap<String, Option<u32>> {
    let mut owners: BTreeMap<String, Option<u32>> = BTreeMap::new();
    let note = |owners: &mut BTreeMap<String, Option<u32>>, labels: &HashMap<String, String>| {
        if let Some(ns) = labels.get(SESSION_LABEL) {
            let pid = labels.get(PID_LABEL).and_then(|p| p.parse().ok());
            let entry = owners.entry(ns.clone()).or_insert(None);
            if entry.is_none() {
                *entry = pid;
            }
        }
    };
    let (containers, volumes) = labelled_objects(docker, None).await;
    for c in &containers {
        if let Some(l) = &c.labels {
            note(&mut owners, l);
        }
    }
    for v in &volumes {
        note(&mut owners, &v.labels);
    }
    let images = docker
        .list_images(Some(q::ListImagesOptions {
            all: true,
            ..Default::default()
        }))
        .await
        .unwrap_or_default();
    for i in &images {
        note(&mut owners, &i.labels);
        for t in &i.repo_tags {
            if let Some(ns) = tag_namespace(t) {
                owners.entry(ns.to_string()).or_insert(None);
            }
        }
    }
    owners
}

fn process_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_namespaces() {
        assert_eq!(tag_namespace("dt-0a1b2c3d-app:v1"), Some("0a1b2c3d"));
        assert_eq!(
            tag_namespace("localhost:5000/dt-0a1b2c3d-app:v1"),
            Some("0a1b2c3d")
        );
        assert_eq!(tag_namespace("dt-0a1b2c3d-me/app:v1"), Some("0a1b2c3d"));
        assert_eq!(tag_namespace("ubuntu:latest"), None);
        assert_eq!(tag_namespace("dt-notmine-app:latest"), None);
        assert_eq!(tag_namespace("dt-tools/app:latest"), None);
    }
}
