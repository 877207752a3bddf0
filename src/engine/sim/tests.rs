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
    run("docker run -d --expose 80 --name ww busybox sleep 30");
    run("docker run -d --expose 80 -p 8080:80 -p 90 --name vv busybox sleep 30");
    assert_eq!(
        run("docker ps --format '{{.Names}}: {{.Ports}}'"),
        "vv: 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 0.0.0.0:32858->90/tcp, [::]:32858->90/tcp\nww: 80/tcp\n"
    );
    assert_eq!(run("docker port ww"), "");
    run("docker stop ww");
    assert_eq!(
        run("docker ps -a --filter name=ww --format '[{{.Ports}}]'"),
        "[]\n"
    );
}

/// Compared with dockerd 20.10 here: `docker rmi` lists the image, the layers only it held,
/// then the untagged parents a build left (each with its layers); a pulled image's layer goes
/// with it.
#[test]
fn rmi_lists_the_layers_and_build_parents_it_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::new(Box::new(SimEngine::deterministic(1)), dir.path()).unwrap();
    let mut shape = |line: &str| -> Vec<String> {
        let r = s.execute(line);
        assert_eq!(r.exit_code, 0, "{line}: {}", r.stderr);
        r.stdout
            .lines()
            .map(|l| l.split(": ").next().unwrap_or("").to_string())
            .collect()
    };
    shape("docker run --name base busybox touch /made");
    shape("docker commit base mine");
    shape("docker rm base");
    assert_eq!(shape("docker rmi mine"), ["Untagged", "Deleted", "Deleted"]);

    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM busybox\nRUN echo a > /a\nCMD [\"cat\",\"/a\"]\nRUN echo b > /b\n",
    )
    .unwrap();
    shape("docker build -q -t built .");
    assert_eq!(
        shape("docker rmi built"),
        ["Untagged", "Deleted", "Deleted", "Deleted", "Deleted", "Deleted"]
    );
    assert_eq!(
        shape("docker rmi busybox"),
        ["Untagged", "Untagged", "Deleted", "Deleted"]
    );
}

/// Compared with dockerd 20.10 and CLI 28.2.2 here: push of a tag that does not exist prints
/// the repository line, then the stream's error alone (no "Error response from daemon");
/// `RepoTags` are sorted by their fully qualified names.
#[test]
fn push_of_a_missing_tag_and_the_order_of_repo_tags_are_dockerds() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Session::new(Box::new(SimEngine::deterministic(1)), dir.path()).unwrap();
    let r = s.execute("docker push joseservin/node-app-demo");
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str(), r.exit_code),
        (
            "Using default tag: latest\nThe push refers to repository [docker.io/joseservin/node-app-demo]\n",
            "An image does not exist locally with the tag: joseservin/node-app-demo\n",
            1
        )
    );
    s.execute("docker pull busybox");
    s.execute("docker tag busybox zeta/app");
    s.execute("docker tag busybox joseservin/node-app-demo");
    let r = s.execute("docker image inspect --format '{{.RepoTags}}' busybox");
    assert_eq!(
        r.stdout,
        "[joseservin/node-app-demo:latest busybox:latest zeta/app:latest]\n"
    );
}
