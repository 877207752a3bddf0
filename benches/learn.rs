//! Prints medians, never asserts: how long a learner waits. Start of `docktutor learn` to its
//! first prompt (target < 50 ms), and the feedback latency of one typed command — run it, judge
//! the step's checks, render the answer — on the simulator (target < 5 ms).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docktutor::engine::sim::SimEngine;
use docktutor::engine::SendEngine;
use docktutor::lesson::catalog::Catalog;
use docktutor::tutor::Tutor;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_docktutor");
    let data = tempfile::tempdir().expect("tempdir");
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let mut child = Command::new(bin)
            .args(["learn", "lost-files"])
            .env("DOCKTUTOR_DATA", data.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn docktutor");
        let mut stdout = child.stdout.take().expect("stdout");
        // Read until the host prompt appears: that is when the learner can type.
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while !seen.ends_with(b"$ ") {
            let n = stdout.read(&mut buf).expect("read");
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        times.push(t.elapsed());
        drop(child.stdin.take());
        let _ = child.wait();
    }
    println!(
        "docktutor learn: start to first prompt, median {:?} (target < 50 ms)",
        median(times)
    );

    let catalog = Catalog::builtin().expect("built-in lessons");
    let lesson = catalog.lessons[catalog.find("data-locality").expect("lesson")].clone();
    let lines = [
        "docker exec -i -t sandbox /bin/bash",
        "touch myfile",
        "exit",
        "ls",
        "docker stop sandbox",
        "docker start sandbox",
        "docker ps -a",
    ];
    let mut times = Vec::new();
    for _ in 0..50 {
        let dir = tempfile::tempdir().expect("tempdir");
        let factory = Box::new(|| Ok(Box::new(SimEngine::deterministic(3)) as SendEngine));
        let mut tutor = Tutor::start(lesson.clone(), factory, dir.path()).expect("start");
        for line in lines {
            let t = Instant::now();
            let events = tutor.input(line);
            let text: String = events.iter().map(docktutor::repl::render::event).collect();
            std::hint::black_box(text);
            times.push(t.elapsed());
        }
    }
    let worst = times.iter().max().copied().unwrap_or_default();
    println!(
        "feedback per typed command on the simulator: median {:?}, worst {:?} (target < 5 ms)",
        median(times),
        worst
    );
}
