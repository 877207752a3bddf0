//! Prints medians, never asserts: the 000.6 data-locality flow run in-process on the
//! simulator (target < 1 ms), and one `docktutor docker ps -a` with 100 containers in the state
//! file (target < 10 ms), next to the real daemon's time for the same flow when one answers.

use std::process::Command;
use std::time::{Duration, Instant};

use docktutor::client::{Client, ClientOptions, Stdin};
use docktutor::engine::sim::SimEngine;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn args(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

/// 000.6: a file survives stop/start and is gone after rm + a new run.
fn data_locality(engine: &mut SimEngine) {
    let mut c = Client::new(engine, ClientOptions::default());
    c.run(
        &args("run -i --name sandbox ubuntu /bin/bash"),
        Stdin::Data(b"touch myfile\nexit\n".to_vec()),
    );
    c.run(&args("start sandbox"), Stdin::Closed);
    c.run(&args("exec sandbox ls myfile"), Stdin::Closed);
    c.run(&args("stop sandbox"), Stdin::Closed);
    c.run(&args("rm sandbox"), Stdin::Closed);
    c.run(
        &args("run -i --name sandbox ubuntu /bin/bash"),
        Stdin::Data(b"ls myfile\nexit\n".to_vec()),
    );
    c.run(&args("rm sandbox"), Stdin::Closed);
}

fn main() {
    // In-process flow, with the image already pulled.
    let mut times = Vec::new();
    for _ in 0..200 {
        let mut engine = SimEngine::deterministic(1);
        Client::new(&mut engine, ClientOptions::default()).run(&args("pull ubuntu"), Stdin::Closed);
        let t = Instant::now();
        data_locality(&mut engine);
        times.push(t.elapsed());
    }
    let sim_flow = median(times);
    println!(
        "000.6 flow on the simulator, in-process: median {:?} (target < 1 ms)",
        sim_flow
    );

    // `docktutor docker ps -a` with 100 containers in the state file.
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    {
        let mut engine = SimEngine::deterministic(2);
        let mut c = Client::new(&mut engine, ClientOptions::default());
        for i in 0..100 {
            c.run(
                &args(&format!("create --name c{i} busybox sh")),
                Stdin::Closed,
            );
        }
        drop(c);
        engine.save(&state).expect("save state");
    }
    let bin = env!("CARGO_BIN_EXE_docktutor");
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let out = Command::new(bin)
            .args(["docker", "ps", "-a"])
            .env("DOCKTUTOR_STATE", &state)
            .output()
            .expect("run docktutor");
        times.push(t.elapsed());
        assert!(out.status.success());
    }
    println!(
        "docktutor docker ps -a, 100 containers: median {:?} (target < 10 ms)",
        median(times)
    );

    // The same flow on the daemon here, when one answers.
    let daemon = Command::new("docker")
        .args(["image", "inspect", "busybox:latest"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !daemon {
        println!("real daemon: skipped (no daemon answered, or no busybox image)");
        return;
    }
    let name = format!("dtbench{}", std::process::id());
    let t = Instant::now();
    let sh = format!(
        "echo 'touch myfile; exit' | docker run -i --name {name} busybox sh && docker start {name} >/dev/null && \
         docker exec {name} ls myfile >/dev/null && docker stop -t 0 {name} >/dev/null && docker rm {name} >/dev/null && \
         echo 'ls myfile; exit' | docker run -i --name {name} busybox sh; docker rm -f {name} >/dev/null"
    );
    let _ = Command::new("sh").args(["-c", &sh]).output();
    let real = t.elapsed();
    println!(
        "000.6 flow on the real daemon (docker CLI, busybox stand-in): {:?} — the simulator is {:.0}x faster",
        real,
        real.as_secs_f64() / sim_flow.as_secs_f64()
    );
}
