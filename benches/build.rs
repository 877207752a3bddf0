//! Prints medians and ratios, never asserts: a 10-instruction `docker build`, cold (every step
//! runs) and cached (every step reused), on the simulator in-process and on the real engine
//! through docktutor's own engine (`--no-cache` for its cold builds: its cache is shared).
//!
//! Target: the simulator at least 200 times faster than the real engine, cold and cached.
//! Without a daemon (or its busybox stand-in) the real side says why and is skipped.

use std::time::{Duration, Instant};

use docktutor::engine::docker::{DockerEngine, DockerOptions};
use docktutor::engine::sim::SimEngine;
use docktutor::engine::{BuildOptions, Engine};

/// Builds per median on the real engine (each cold one takes seconds).
const REAL_RUNS: usize = 5;

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

/// The simulator: a fresh engine per run (an empty cache), then the same build again.
fn sim_medians(tar: &[u8]) -> (Duration, Duration) {
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
            .image_build(tar, &options, &mut |_| {})
            .expect("cold build");
        cold.push(t.elapsed());
        let t = Instant::now();
        engine
            .image_build(tar, &options, &mut |_| {})
            .expect("cached build");
        cached.push(t.elapsed());
    }
    (median(cold), median(cached))
}

/// The real engine through docktutor: `--no-cache` builds, then cached ones; `Err` says why
/// there is no real side.
fn real_medians(tar: &[u8]) -> Result<(Duration, Duration), String> {
    let mut engine = DockerEngine::connect(&DockerOptions::default())
        .map_err(|e| format!("no Docker daemon answered ({e})"))?;
    engine.image_inspect("busybox").map_err(|_| {
        "the daemon has no busybox image (docktutor prepare --from-busybox /bin/busybox)"
            .to_string()
    })?;
    let cold_options = BuildOptions {
        no_cache: true,
        ..Default::default()
    };
    let options = BuildOptions::default();
    let build = |engine: &mut DockerEngine, options: &BuildOptions| {
        let t = Instant::now();
        engine
            .image_build(tar, options, &mut |_| {})
            .map_err(|e| format!("the build failed on the real engine: {e}"))?;
        Ok::<_, String>(t.elapsed())
    };
    let (mut cold, mut cached) = (Vec::new(), Vec::new());
    for _ in 0..REAL_RUNS {
        cold.push(build(&mut engine, &cold_options)?);
        cached.push(build(&mut engine, &options)?);
    }
    // Dropping the engine removes the images the session built.
    Ok((median(cold), median(cached)))
}

fn main() {
    let tar = context();
    let (sim_cold, sim_cached) = sim_medians(&tar);
    println!("10-instruction build, simulator, cold:   {sim_cold:?} (median of 30)");
    println!("10-instruction build, simulator, cached: {sim_cached:?} (median of 30)");
    match real_medians(&tar) {
        Ok((real_cold, real_cached)) => {
            println!(
                "10-instruction build, real engine, cold (--no-cache): {real_cold:?} (median of {REAL_RUNS})"
            );
            println!(
                "10-instruction build, real engine, cached:            {real_cached:?} (median of {REAL_RUNS})"
            );
            let ratio = |real: Duration, sim: Duration| {
                real.as_secs_f64() / sim.as_secs_f64().max(f64::MIN_POSITIVE)
            };
            println!(
                "simulator faster by: cold {:.0}x, cached {:.0}x (target: at least 200x)",
                ratio(real_cold, sim_cold),
                ratio(real_cached, sim_cached)
            );
        }
        Err(why) => println!("real engine: skipped: {why}"),
    }
}
