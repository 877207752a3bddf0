//! `:state` — the picture the note builds with `watch docker images` and `watch docker ps -a`:
//! each image, and under it the containers made from it, with their status.

use crate::engine::{ContainerStatus, Engine};
use crate::render::units::short_id;

pub fn state_picture(engine: &mut dyn Engine) -> String {
    let images = match engine.image_list(false) {
        Ok(i) => i,
        Err(e) => return format!("The engine could not list images: {e}\n"),
    };
    let mut containers = match engine.container_list(true, false) {
        Ok(c) => c,
        Err(e) => return format!("The engine could not list containers: {e}\n"),
    };
    containers.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    if images.is_empty() && containers.is_empty() {
        return "No images and no containers yet.\n".into();
    }
    let mut out = String::from("Images, and the containers made from them:\n");
    let mut shown = vec![false; containers.len()];
    let mut images = images;
    images.sort_by(|a, b| a.repo_tags.first().cmp(&b.repo_tags.first()));
    for image in &images {
        let name = if image.repo_tags.is_empty() {
            "<none>:<none>".to_string()
        } else {
            image.repo_tags.join(", ")
        };
        out.push_str(&format!("\n  {name}  (image {})\n", short_id(&image.id)));
        let mine: Vec<usize> = (0..containers.len())
            .filter(|&i| containers[i].image_id == image.id)
            .collect();
        if mine.is_empty() {
            out.push_str("      (no containers)\n");
        }
        for (n, &i) in mine.iter().enumerate() {
            shown[i] = true;
            out.push_str(&container_line(&containers[i], n + 1 == mine.len()));
        }
    }
    let orphans: Vec<usize> = (0..containers.len()).filter(|&i| !shown[i]).collect();
    if !orphans.is_empty() {
        out.push_str("\n  (containers whose image is no longer tagged)\n");
        for (n, &i) in orphans.iter().enumerate() {
            out.push_str(&container_line(&containers[i], n + 1 == orphans.len()));
        }
    }
    out
}

fn container_line(c: &crate::engine::ContainerSummary, last: bool) -> String {
    let branch = if last { "└──" } else { "├──" };
    let marker = match c.status {
        ContainerStatus::Running => "▶",
        ContainerStatus::Paused => "‖",
        _ => "■",
    };
    format!(
        "  {branch} {marker} {}  {:<22} {}\n",
        short_id(&c.id),
        c.name,
        c.status_text
    )
}
