//! Prints medians, never asserts: a 10-instruction `docker build` on the simulator, in-process,
//! cold (empty cache: every step runs) and cached (every step reused).

use std::time::{Duration, Instant};

use docktutor::engine::sim::SimEngine;
use docktutor::engine::{BuildOptions, Engine};

const DOCKERFILE: &str = "FROM busybox\nWORKDIR /app\nCOPY package.json /app\nRUN mkdir -p node_modules && echo x > node_modules/dep.js\nCOPY . /app\nENV A=1 B=\"two words\"\nLABEL version=1.0\nEXPOSE 80\nUSER root\nCMD [\"cat\", \"/app/server.js\"]\n";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn context() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in [
        ("Dockerfile", DOCKERFILE),
        ("package.json", "{\"name\":\"app\"}\n"),
        ("server.js", "console.log(1)\n"),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data.as_bytes()).expect("tar");
    }
    b.into_inner().expect("tar")
}

fn main() {
    let tar = context();
    let options = BuildOptions::default();
    let (mut cold, mut cached) = (Vec::new(), Vec::new());
    for _ in 0..30 {
        let mut engine = SimEngine::deterministic(1);
        // The base image is pulled once, outside the timing.
        engine
            .image_pull(
                &docktutor::client::reference::parse_normalized("busybox").expect("ref"),
                &mut |_| {},
            )
            .expect("pull");
        let t = Instant::now();
        engine
            .image_build(&tar, &options, &mut |_| {})
            .expect("cold build");
        cold.push(t.elapsed());
        let t = Instant::now();
        engine
            .image_build(&tar, &options, &mut |_| {})
            .expect("cached build");
        cached.push(t.elapsed());
    }
    println!(
        "10-instruction build, cold:   {:?} (median of 30)",
        median(cold)
    );
    println!(
        "10-instruction build, cached: {:?} (median of 30)",
        median(cached)
    );
}
