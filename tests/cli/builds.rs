//! `docker build` through docktutor's real engine and on the simulator, compared: several
//! tags, a multi-stage build's dangling stage image, the base image counted as pulled, and
//! failed builds (the builder's text as it is, the failed RUN's status); and pulling a
//! stand-in on a machine that cannot reach Docker Hub.

use super::docker::{daemon_answers, lock, prepared};
use super::images::{remove_images_labelled, Both};

#[test]
fn builds_report_tags_stages_and_failures_as_docker_does() {
    let _guard = lock();
    if !daemon_answers() || !prepared() {
        eprintln!("skipping: no prepared Docker daemon");
        return;
    }
    let mut b = Both::open();
    // A label unique to this run keeps the daemon's shared cache out of the first build.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let token = format!("{}-{nanos}", std::process::id());
    // The two stages' labels differ: on the real engine the session's cache is its own
    // images (`cachefrom`), which leaves out steps made earlier in the same build, so a step
    // repeated word for word in two stages runs twice there (dockerd alone would reuse it).
    let files = [
        (
            "Dockerfile",
            format!("FROM busybox AS builder\nLABEL test.run={token}\nRUN mkdir /out && echo report > /out/report.txt\n\nFROM busybox\nLABEL test.stage={token}\nCOPY --from=builder /out/report.txt /report.txt\nCMD [\"cat\", \"/report.txt\"]\n"),
        ),
        ("Missing.dockerfile", "FROM busybox\nCOPY nothere.txt /x\n".to_string()),
        ("Fails.dockerfile", "FROM busybox\nRUN exit 3\n".to_string()),
    ];
    for ws in [
        b.sim.workspace().to_path_buf(),
        b.docker.workspace().to_path_buf(),
    ] {
        std::fs::create_dir_all(ws.join("ctx")).unwrap();
        for (name, text) in &files {
            std::fs::write(ws.join("ctx").join(name), text).unwrap();
        }
    }
    let (s, _) = b.same("docker build -t report:1.0 -t report:latest ctx");
    b.expect(
        s.stdout
            .contains("Successfully tagged report:1.0\nSuccessfully tagged report:latest\n"),
        format!("both tags should be reported: {s:?}"),
    );
    // The builder stage's last image is left dangling, and busybox was "pulled" for FROM.
    let (s, _) = b.same("docker images --filter dangling=true --format '{{.Repository}}:{{.Tag}}'");
    b.expect(
        s.stdout == "<none>:<none>\n",
        format!("one dangling stage image: {s:?}"),
    );
    b.same("docker images busybox --format '{{.Repository}}:{{.Tag}}'");
    b.same("docker images report --format '{{.Repository}}:{{.Tag}}'");
    let (s, _) = b.same("docker build -f ctx/Missing.dockerfile ctx");
    b.expect(
        s.exit_code == 1 && s.stderr.ends_with("\nCOPY failed: file not found in build context or excluded by .dockerignore: stat nothere.txt: file does not exist\n"),
        format!("the COPY failure as the builder words it: {s:?}"),
    );
    let (s, _) = b.same("docker build -f ctx/Fails.dockerfile ctx");
    b.expect(
        s.exit_code == 3,
        format!("a failed RUN's status is the exit status: {s:?}"),
    );
    // `--pull` offline: the stand-in base is what there is, and up to date.
    let (_, d) = b.same("docker build --pull -t report:pulled ctx");
    b.expect(
        d.exit_code == 0
            && d.stdout.contains("Step 1/7 : FROM busybox AS builder\nlatest: Pulling from library/busybox\nDigest: "),
        format!("--pull reports the base up to date: {d:?}"),
    );
    b.same("docker rmi report:1.0 report:latest report:pulled");
    b.finish_then(|| remove_images_labelled(&format!("test.run={token}")));
}

/// Offline, `docker pull ubuntu` answers for the stand-in as dockerd does for an image that
/// is up to date, and the image then shows in `docker images` (the simulator pulled it once
/// already in `Both::open`, so it says the same).
#[test]
fn pulling_a_stand_in_offline_says_it_is_up_to_date() {
    let _guard = lock();
    if !daemon_answers() || !prepared() {
        eprintln!("skipping: no prepared Docker daemon");
        return;
    }
    let mut b = Both::open();
    let (_, d) = b.same("docker pull ubuntu");
    b.expect(
        d.exit_code == 0
            && d.stdout
                .contains("Status: Image is up to date for ubuntu:latest\n"),
        format!("the stand-in is up to date: {d:?}"),
    );
    b.same("docker images ubuntu --format '{{.Repository}}:{{.Tag}}'");
    // Anything else still asks the registry (and, offline, fails with the daemon's reason).
    let r = b.docker.execute("docker pull nosuch-image-here");
    b.expect(
        r.exit_code == 1,
        format!("an unknown image is not pulled: {r:?}"),
    );
    b.finish();
}

/// A push right after `run -d … registry:2` waits until the registry listens (it takes a
/// moment to start), as a person typing the next command would.
#[test]
fn a_push_right_after_starting_the_registry_waits_for_it() {
    let _guard = lock();
    if !daemon_answers() || !super::docker::registry_prepared() {
        eprintln!("skipping: no registry:2 stand-in on the daemon");
        return;
    }
    let mut b = Both::open();
    b.sim.execute("docker pull registry:2");
    b.same("docker run -d -p 5000:5000 --name registry registry:2");
    b.same("docker tag busybox localhost:5000/quick");
    let (_, d) = b.each("docker push localhost:5000/quick");
    b.expect(
        d.exit_code == 0 && d.stdout.contains("latest: digest: sha256:"),
        format!("the push reached the new registry: {d:?}"),
    );
    b.finish();
}
