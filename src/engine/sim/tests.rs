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

/// Run `script` with `sh -c` in a new container from `image`: (container id, stdout, stderr,
/// exit code).
fn sh(e: &mut SimEngine, image: &str, script: &str) -> (String, String, String, i64) {
    e.image_pull(&parse_normalized(image).unwrap(), &mut |_| {})
        .unwrap();
    let spec = ContainerSpec {
        image: image.into(),
        cmd: vec!["sh".into(), "-c".into(), script.into()],
        ..Default::default()
    };
    let id = e.container_create(&spec).unwrap().id;
    let out = e.container_start(&id, true).unwrap();
    (
        id,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.exit_code.unwrap_or(-1),
    )
}

#[test]
fn apt_knows_no_package_before_update_as_on_a_fresh_ubuntu() {
    let mut e = SimEngine::deterministic(2);
    let (_, out, err, code) = sh(&mut e, "ubuntu:latest", "apt-get install -y git");
    assert_eq!(
        out,
        "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
    );
    assert_eq!(err, "E: Unable to locate package git\n");
    assert_eq!(code, 100);
    let (_, _, err, code) = sh(
        &mut e,
        "ubuntu:latest",
        "apt-get update >/dev/null && apt-get install -y gti",
    );
    assert_eq!(
        (err.as_str(), code),
        ("E: Unable to locate package gti\n", 100)
    );
}

#[test]
fn apt_asks_before_installing_dependencies_and_gives_up_without_an_answer() {
    let mut e = SimEngine::deterministic(3);
    let (_, out, _, code) = sh(
        &mut e,
        "ubuntu:latest",
        "apt-get update >/dev/null && apt-get install git",
    );
    assert!(out.contains("The following NEW packages will be installed:\n  ca-certificates git git-man less libcurl3t64-gnutls liberror-perl perl\n"), "{out}");
    assert!(
        out.ends_with("Do you want to continue? [Y/n] Abort.\n"),
        "{out}"
    );
    assert_eq!(code, 1);
}

#[test]
fn installing_git_adds_tens_of_megabytes_to_the_committed_layer() {
    let mut e = SimEngine::deterministic(4);
    let (id, out, _, code) = sh(
        &mut e,
        "ubuntu:latest",
        "apt-get update && apt-get install -y git && git --version",
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Setting up git (1:2.43.0-1ubuntu7.2) ...\n"),
        "{out}"
    );
    assert!(out.ends_with("git version 2.43.0\n"), "{out}");
    let size = commit(&mut e, &id, "user/debian:0.1");
    assert!((60_000_000..120_000_000).contains(&size), "{size}");
    // And on jessie, as in note 002.
    let (_, out, _, code) = sh(
        &mut e,
        "debian:jessie",
        "apt-get update && apt-get install -y git",
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("Get:1 http://security.debian.org jessie/updates InRelease"),
        "{out}"
    );
    assert!(
        out.contains("Setting up git (1:2.1.4-2.1+deb8u6) ...\n"),
        "{out}"
    );
}

#[test]
fn pip_on_ubuntu_refuses_the_system_python_unless_told_to_break_it() {
    let mut e = SimEngine::deterministic(5);
    let setup = "apt-get update >/dev/null && apt-get install -y python3-pip >/dev/null 2>&1";
    let (_, _, err, code) = sh(
        &mut e,
        "ubuntu:latest",
        &format!("{setup} && pip install flask"),
    );
    assert!(
        err.starts_with("error: externally-managed-environment\n"),
        "{err}"
    );
    assert_eq!(code, 1);
    let (_, out, err, code) = sh(
        &mut e,
        "ubuntu:latest",
        &format!("{setup} && pip install --break-system-packages flask && ls /usr/local/lib/python3.12/dist-packages/flask"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Successfully installed Jinja2-3.1.4 MarkupSafe-2.1.5 Werkzeug-3.0.3 blinker-1.8.2 click-8.1.7 flask-3.0.3 itsdangerous-2.2.0\n"), "{out}");
    assert!(out.ends_with("__init__.py\n"), "{out}");
    assert!(
        err.starts_with("WARNING: Running pip as the 'root' user"),
        "{err}"
    );
}

#[test]
fn npm_installs_the_manifests_dependencies_into_node_modules() {
    let mut e = SimEngine::deterministic(6);
    let (_, out, err, code) = sh(
        &mut e,
        "ubuntu:latest",
        "apt-get update >/dev/null && apt-get install -y npm >/dev/null 2>&1 && mkdir /app && cd /app && echo '{\"name\":\"app\",\"dependencies\":{\"express\":\"^4.18.2\"}}' > package.json && npm install && ls node_modules/express && npm install",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("\nadded 13 packages, and audited 14 packages in 2s\n\nfound 0 vulnerabilities\nindex.js\npackage.json\n"), "{out}");
    assert!(
        out.ends_with("\nup to date, audited 14 packages in 1s\n\nfound 0 vulnerabilities\n"),
        "{out}"
    );
}

/// Status and error lines of a push, as the CLI prints them.
fn push(e: &mut SimEngine, name: &str) -> Vec<String> {
    let mut lines = Vec::new();
    e.image_push(&parse_normalized(name).unwrap(), &mut |ev| {
        if let Some(s) = &ev.status {
            lines.push(s.clone());
        }
        if let Some(err) = &ev.error {
            lines.push(format!("error: {err}"));
        }
    })
    .unwrap();
    lines
}

#[test]
fn pushing_a_missing_tag_names_the_repository_then_fails_as_dockerd_does() {
    // Measured on dockerd 20.10: the repository line, then the error (no "Error response
    // from daemon:" prefix), exit 1 — as note 003 shows.
    let mut e = SimEngine::deterministic(8);
    assert_eq!(
        push(&mut e, "joseservin/node-app-demo"),
        [
            "The push refers to repository [docker.io/joseservin/node-app-demo]",
            "error: An image does not exist locally with the tag: joseservin/node-app-demo"
        ]
    );
}

#[test]
fn an_image_pushed_to_the_simulated_hub_can_be_pulled_back() {
    let mut e = SimEngine::deterministic(9);
    e.registry_login("", "joseservin", "secret").unwrap();
    e.image_pull(&parse_normalized("busybox").unwrap(), &mut |_| {})
        .unwrap();
    let target = parse_normalized("joseservin/node-app-demo").unwrap();
    e.image_tag("busybox", &target).unwrap();
    // Without the user's namespace the hub refuses.
    e.image_tag("busybox", &parse_normalized("goals").unwrap())
        .unwrap();
    assert_eq!(
        push(&mut e, "goals").last().unwrap(),
        "error: denied: requested access to the resource is denied"
    );
    assert!(push(&mut e, "joseservin/node-app-demo")
        .last()
        .unwrap()
        .starts_with("latest: digest: sha256:"));
    // A second tag of the same image sends no layer again.
    e.image_tag(
        "busybox",
        &parse_normalized("joseservin/node-app-demo:0.2").unwrap(),
    )
    .unwrap();
    assert!(
        push(&mut e, "joseservin/node-app-demo:0.2").contains(&"Layer already exists".to_string())
    );
    e.image_remove("joseservin/node-app-demo", false).unwrap();
    e.image_pull(&target, &mut |_| {}).unwrap();
    assert!(e.image_inspect("joseservin/node-app-demo").is_ok());
}

#[test]
fn busybox_httpd_serves_in_the_foreground_and_ignores_a_polite_stop() {
    // Measured on dockerd 20.10: `docker run -d busybox httpd -f -p 80` stays up, and
    // `docker stop` waits the 10 s grace period and kills it (Exited (137)).
    let mut e = SimEngine::deterministic(10);
    e.image_pull(&parse_normalized("busybox").unwrap(), &mut |_| {})
        .unwrap();
    let spec = ContainerSpec {
        image: "busybox".into(),
        cmd: ["httpd", "-f", "-p", "80", "-h", "/etc"]
            .map(String::from)
            .to_vec(),
        ..Default::default()
    };
    let id = e.container_create(&spec).unwrap().id;
    e.container_start(&id, false).unwrap();
    let before = e.now();
    assert_eq!(
        e.container_inspect(&id).unwrap().summary.status.as_str(),
        "running"
    );
    e.container_stop(&id, None).unwrap();
    let after = e.container_inspect(&id).unwrap().summary;
    assert_eq!((after.status.as_str(), after.exit_code), ("exited", 137));
    assert!((e.now() - before).num_seconds() >= 10);
}

#[test]
fn a_second_container_on_a_taken_host_port_is_created_but_not_started() {
    // Measured on dockerd 20.10 (exit 125 from `docker run`, the container left `Created`).
    let mut e = SimEngine::deterministic(11);
    e.image_pull(&parse_normalized("busybox").unwrap(), &mut |_| {})
        .unwrap();
    let spec = |name: &str| ContainerSpec {
        image: "busybox".into(),
        name: Some(name.into()),
        cmd: ["httpd", "-f", "-p", "80"].map(String::from).to_vec(),
        ports: vec![crate::engine::PortBinding {
            host_ip: None,
            host_port: Some(3000),
            container_port: 80,
            protocol: "tcp".into(),
        }],
        ..Default::default()
    };
    let first = e.container_create(&spec("first")).unwrap().id;
    e.container_start(&first, false).unwrap();
    let second = e.container_create(&spec("second")).unwrap().id;
    let err = e.container_start(&second, false).unwrap_err().to_string();
    assert!(
        err.contains("driver failed programming external connectivity on endpoint second ("),
        "{err}"
    );
    assert!(
        err.ends_with("): Bind for 0.0.0.0:3000 failed: port is already allocated"),
        "{err}"
    );
    assert_eq!(
        e.container_inspect(&second)
            .unwrap()
            .summary
            .status
            .as_str(),
        "created"
    );
    // Once the first one is gone the port is free.
    e.container_remove(&first, true, false).unwrap();
    e.container_start(&second, false).unwrap();
}

#[test]
fn pruning_a_dangling_commit_reclaims_only_its_own_layer() {
    // Measured on dockerd 20.10: a commit of `echo hi > /x` frees its 3 bytes, not busybox's
    // size; the image and its one layer are both listed as deleted, as `docker rmi` lists them.
    let mut e = SimEngine::deterministic(12);
    let id = run_to_end(&mut e, "busybox:latest", &["sh", "-c", "echo hi > /x"]);
    e.container_commit(&id, &CommitOptions::default()).unwrap();
    e.container_remove(&id, false, false).unwrap();
    let report = e.image_prune(false).unwrap();
    assert_eq!(report.deleted.len(), 2, "{report:?}");
    assert_eq!(report.space_reclaimed, 3);
}
