//! The first note's lesson solutions, timed three ways in one run: through docktutor on the
//! real engine, as the same command lines in a shell script driving the docker CLI, and
//! through docktutor on the simulator. Prints totals and ratios; never asserts.
//!
//! Targets: docktutor on the real engine no slower than the CLI script (ratio <= 1.0); the
//! simulator at least 500 times faster than the real engine.
//!
//! Needs a daemon and the stand-in images (`docktutor prepare --from-busybox /bin/busybox`);
//! says so and stops otherwise.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use docktutor::engine::docker::{DockerEngine, DockerOptions};
use docktutor::engine::sim::SimEngine;
use docktutor::engine::SendEngine;
use docktutor::lesson::Lesson;
use docktutor::session::Session;

/// One typed line and whether it was typed inside a container.
struct Typed {
    text: String,
    in_container: bool,
}

fn lines_of(lesson: &Lesson) -> Vec<String> {
    let mut v: Vec<String> = lesson
        .setup
        .commands
        .iter()
        .map(|l| l.text.clone())
        .collect();
    for step in &lesson.steps {
        v.extend(step.solution.iter().map(|l| l.text.clone()));
    }
    v
}

/// Type a lesson's solution into a fresh session; returns the lines and how long they took.
fn run_docktutor(lesson: &Lesson, engine: SendEngine) -> (Vec<Typed>, Duration) {
    let ws = tempfile::tempdir().expect("tempdir");
    for (path, content) in &lesson.setup.files {
        let p = ws.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }
    let mut session = Session::new(engine, ws.path()).expect("session");
    let started = Instant::now();
    let mut typed = Vec::new();
    for line in lines_of(lesson) {
        let in_container = session.prompt() != "$ ";
        session.execute(&line);
        typed.push(Typed {
            text: line,
            in_container,
        });
    }
    let elapsed = started.elapsed();
    session.end_of_input();
    (typed, elapsed)
}

/// The same lines as a bash script for the docker CLI: no terminal, so `-t` goes and the lines
/// typed inside a container become a here-document on the command that opened it.
fn script(typed: &[Typed]) -> String {
    let mut out = String::from("set +e\n");
    let mut i = 0;
    while i < typed.len() {
        let host = typed[i]
            .text
            .replace(" -i -t ", " -i ")
            .replace(" -it ", " -i ");
        let host = host.strip_prefix("watch ").unwrap_or(&host).to_string();
        let mut inner = Vec::new();
        let mut j = i + 1;
        while j < typed.len() && typed[j].in_container {
            inner.push(typed[j].text.clone());
            j += 1;
        }
        if inner.is_empty() {
            out.push_str(&format!("{host}\n"));
        } else {
            out.push_str(&format!(
                "{host} <<'DT_EOF'\n{}\nDT_EOF\n",
                inner.join("\n")
            ));
        }
        i = j;
    }
    out
}

fn container_ids() -> Vec<String> {
    let out = Command::new("docker")
        .args(["ps", "-aq", "--no-trunc"])
        .output()
        .expect("docker");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn run_script(text: &str) -> Duration {
    let before = container_ids();
    let dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let status = Command::new("bash")
        .arg("-c")
        .arg(text)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("bash");
    let elapsed = started.elapsed();
    let _ = status;
    // Only the containers this script made.
    let new: Vec<String> = container_ids()
        .into_iter()
        .filter(|c| !before.contains(c))
        .collect();
    if !new.is_empty() {
        let _ = Command::new("docker")
            .arg("rm")
            .arg("-f")
            .args(&new)
            .output();
    }
    elapsed
}

fn main() {
    let daemon = Command::new("docker")
        .args([
            "image",
            "inspect",
            "-f",
            "{{.Config.Labels}}",
            "ubuntu:latest",
            "busybox:latest",
        ])
        .output();
    match daemon {
        Ok(o) if o.status.success() => {}
        _ => {
            println!("skipped: no Docker daemon answered, or the lesson images are missing (run `docktutor prepare --from-busybox /bin/busybox`)");
            return;
        }
    }
    let lessons_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    let lessons: Vec<Lesson> = docktutor::lesson::load_dir(&lessons_dir)
        .expect("lessons load")
        .into_iter()
        .filter(|l| l.units.iter().any(|u| u.starts_with("000.")))
        .collect();
    let command_count: usize = lessons.iter().map(|l| lines_of(l).len()).sum();
    println!(
        "first note: {} lessons, {command_count} command lines",
        lessons.len()
    );

    let mut real_total = Duration::ZERO;
    let mut scripts = Vec::new();
    for lesson in &lessons {
        let engine = DockerEngine::connect(&DockerOptions::default()).expect("real engine");
        let (typed, t) = run_docktutor(lesson, Box::new(engine));
        real_total += t;
        scripts.push(script(&typed));
    }
    let mut cli_total = Duration::ZERO;
    for s in &scripts {
        cli_total += run_script(s);
    }
    let rounds = 20;
    let mut sim_runs = Vec::new();
    for _ in 0..rounds {
        let mut total = Duration::ZERO;
        for lesson in &lessons {
            total += run_docktutor(lesson, Box::new(SimEngine::new())).1;
        }
        sim_runs.push(total);
    }
    sim_runs.sort();
    let sim_total = sim_runs[rounds / 2];

    println!(
        "docktutor on the real engine   {:>10.3} s",
        real_total.as_secs_f64()
    );
    println!(
        "docker CLI in a shell script   {:>10.3} s",
        cli_total.as_secs_f64()
    );
    println!(
        "docktutor on the simulator     {:>10.3} ms (median of {rounds})",
        sim_total.as_secs_f64() * 1000.0
    );
    println!(
        "real engine / CLI script       {:>10.2}   (target <= 1.00)",
        real_total.as_secs_f64() / cli_total.as_secs_f64()
    );
    println!(
        "real engine / simulator        {:>10.0}x  (target >= 500x)",
        real_total.as_secs_f64() / sim_total.as_secs_f64()
    );
}
