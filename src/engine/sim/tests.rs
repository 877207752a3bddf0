//! Engine-level tests of the simulator.

use super::SimEngine;
use crate::session::Session;

/// Compared with dockerd 20.10 and CLI 28.2.2 here: a port the image or `--expose` declares
/// shows in `docker ps` as `80/tcp` while the container runs; `docker port` lists only
/// published ones.
#[test]
fn ps_shows_exposed_ports_next_to_published_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::new(Box::new(SimEngine::deterministic(1)), dir.path()).unwrap();
    let mut run = |line: &str| s.execute(line).stdout;
    run("docker run -d --expose 80 --name w busybox sleep 30");
    run("docker run -d --expose 80 -p 8080:80 -p 90 --name v busybox sleep 30");
    assert_eq!(
        run("docker ps --format '{{.Names}}: {{.Ports}}'"),
        "v: 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 0.0.0.0:32858->90/tcp, [::]:32858->90/tcp\nw: 80/tcp\n"
    );
    assert_eq!(run("docker port w"), "");
    run("docker stop w");
    assert_eq!(
        run("docker ps -a --filter name=w --format '[{{.Ports}}]'"),
        "[]\n"
    );
}
