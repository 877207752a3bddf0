//! `docktutor prepare` and `docktutor clean`: getting a real engine ready for the lessons, and
//! tidying up after a session that could not tidy up itself.

use std::path::Path;
use std::process::ExitCode;

use crate::engine::docker::cleanup;
use crate::engine::docker::standins::{self, StandIn, StandInOutcome};
use crate::engine::docker::{DockerEngine, DockerOptions};
use crate::engine::{Engine, ImageRef, ProgressEvent};

/// `docktutor prepare [--from-busybox PATH] [--registry-binary PATH] [IMAGE…]`.
pub fn prepare(from_busybox: Option<&Path>, registry_binary: &Path, images: &[String]) -> ExitCode {
    let selected = match standins::select(images) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("docktutor: {e}");
            return ExitCode::from(2);
        }
    };
    match from_busybox {
        Some(path) => prepare_standins(path, registry_binary, &selected),
        None => prepare_by_pulling(&selected),
    }
}

fn prepare_standins(busybox: &Path, registry_binary: &Path, selected: &[&StandIn]) -> ExitCode {
    println!(
        "Building stand-in images from {} (they are NOT the real images: a static busybox with the same names and default commands).",
        busybox.display()
    );
    let mut failed = false;
    let result =
        standins::build_all(
            busybox,
            registry_binary,
            selected,
            |standin, outcome| match outcome {
                Ok(StandInOutcome::Built { id, from }) => {
                    let short = id.trim_start_matches("sha256:").get(..12).unwrap_or("");
                    match from {
                        Some(from) => println!(
                            "  {:<20} stand-in built {short} with the registry binary {from}",
                            standin.reference
                        ),
                        None => println!("  {:<20} stand-in built {short}", standin.reference),
                    }
                }
                Ok(StandInOutcome::KeptExisting) => println!(
                    "  {:<20} already on this engine (a real image, not a stand-in): left as it is",
                    standin.reference
                ),
                Err(e) => {
                    failed = true;
                    println!("  {:<20} failed: {e}", standin.reference);
                }
            },
        );
    if let Err(e) = result {
        eprintln!("docktutor: {}", crate::client::error_text(&e));
        return ExitCode::from(1);
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn prepare_by_pulling(selected: &[&StandIn]) -> ExitCode {
    let mut engine = match DockerEngine::connect(&DockerOptions::default()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{}", crate::client::error_text(&e));
            return ExitCode::from(1);
        }
    };
    let mut failed = Vec::new();
    for standin in selected {
        let (repo, tag) = standin
            .reference
            .split_once(':')
            .unwrap_or((standin.reference, "latest"));
        let reference = ImageRef {
            registry: None,
            repository: repo.to_string(),
            tag: Some(tag.to_string()),
            digest: None,
        };
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message(format!("pulling {}", standin.reference));
        let mut on_progress = |e: &ProgressEvent| {
            let text = [e.id.as_deref(), e.status.as_deref(), e.progress.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            bar.set_message(format!("{}: {text}", standin.reference));
            bar.tick();
        };
        match engine.image_pull(&reference, &mut on_progress) {
            Ok(()) => bar.finish_with_message(format!("{}: pulled", standin.reference)),
            Err(e) => {
                bar.finish_with_message(format!("{}: {}", standin.reference, e));
                failed.push(standin.reference);
            }
        }
    }
    if failed.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "docktutor: could not pull {}. On a machine without a registry, build stand-ins from a static busybox: \
         `docktutor prepare --from-busybox /bin/busybox` (Debian: apt-get install busybox-static).",
        failed.join(", ")
    );
    ExitCode::from(1)
}

/// `docktutor clean [--all]`.
pub fn clean(all: bool) -> ExitCode {
    match cleanup::clean(all) {
        Ok((namespaces, report)) => {
            if namespaces.is_empty() {
                println!("Nothing to clean: no docktutor session left objects on this engine.");
            } else {
                println!(
                    "Removed {} container(s), {} volume(s) and {} image tag(s) of {} docktutor session(s): {}",
                    report.containers,
                    report.volumes,
                    report.images,
                    namespaces.len(),
                    namespaces.join(", ")
                );
            }
            for e in &report.errors {
                eprintln!("docktutor: could not remove {e}");
            }
            if report.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("{}", crate::client::error_text(&e));
            ExitCode::from(1)
        }
    }
}
