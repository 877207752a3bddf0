//! Engine-level tests of the simulator.

use super::SimEngine;
use crate::client::reference::parse_normalized;
use crate::engine::{CommitOptions, ContainerSpec, Engine};

/// Run `cmd` to completion in a new container from `image`; returns the container id.
pub(super) fn run_to_end(e: &mut SimEngine, image: &str, cmd: &[&str]) -> String {
    e.image_pull(&parse_normalized(image).unwrap(), &mut |_| {})
        .unwrap();
    let spec = ContainerSpec {
        image: image.into(),
        cmd: cmd.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    let id = e.container_create(&spec).unwrap().id;
    let out = e.container_start(&id, true).unwrap();
    assert_eq!(
        out.exit_code,
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    id
}

fn commit(e: &mut SimEngine, id: &str, name: &str) -> u64 {
    let options = CommitOptions {
        reference: Some(parse_normalized(name).unwrap()),
        ..Default::default()
    };
    e.container_commit(id, &options).unwrap();
    e.image_history(name).unwrap()[0].size
}

#[test]
fn a_committed_layer_counts_file_bytes_only_as_dockerd_does() {
    // Measured on dockerd 20.10: `docker history` shows 12B for this commit (note 004
    // shows "12 B" too); folders such as the changed /tmp add nothing.
    let mut e = SimEngine::deterministic(1);
    let id = run_to_end(
        &mut e,
        "busybox:latest",
        &["sh", "-c", "echo \"hello world\" > /tmp/hello.txt"],
    );
    assert_eq!(commit(&mut e, &id, "hello_docker"), 12);
}
