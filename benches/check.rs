//! Prints, never asserts: how long `docktutor check lessons/ scenarios/` takes in-process, on
//! the simulator (median of 5; target < 1 s) and on the real engine (one run each, the daemon's
//! containers being the cost), with `--jobs 1` and `--jobs 2`. The real side is skipped, with
//! the reason, where no daemon answers. The real engine needs the stand-in images
//! (`docktutor prepare --from-busybox /bin/busybox`); without them its cases fail, and the
//! count says so.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use docktutor::engine::{open, EngineSelector, OpenOptions};
use docktutor::runner::{run, CaseStatus, CheckOptions};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Median time of `rounds` runs over the whole tree, with the number of cases and failures.
fn time(engine: EngineSelector, jobs: usize, rounds: usize) -> (Duration, usize, usize) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let options = CheckOptions {
        paths: vec![root.join("lessons"), root.join("scenarios")],
        engine,
        jobs,
        shard: None,
        both: false,
        bless: false,
    };
    let mut times = Vec::new();
    let mut counts = (0, 0);
    for _ in 0..rounds {
        let t = Instant::now();
        let outcomes = run(&options);
        times.push(t.elapsed());
        counts = (
            outcomes.len(),
            outcomes
                .iter()
                .filter(|o| matches!(o.status, CaseStatus::Fail { .. }))
                .count(),
        );
    }
    (median(times), counts.0, counts.1)
}

fn main() {
    for jobs in [1, 2] {
        let (t, cases, failed) = time(EngineSelector::Sim, jobs, 5);
        println!(
            "check lessons/ scenarios/ on the simulator,   --jobs {jobs}: {:>8.1} ms median of 5 ({cases} cases, {failed} failed; target < 1000 ms)",
            t.as_secs_f64() * 1000.0
        );
    }
    let options = OpenOptions {
        deterministic: true,
        namespace: format!("bench-{}", std::process::id()),
    };
    match open(EngineSelector::Docker, &options) {
        Ok(engine) => {
            drop(engine);
            for jobs in [1, 2] {
                let (t, cases, failed) = time(EngineSelector::Docker, jobs, 1);
                println!(
                    "check lessons/ scenarios/ on the real engine, --jobs {jobs}: {:>8.1} s, one run ({cases} cases, {failed} failed)",
                    t.as_secs_f64()
                );
            }
        }
        Err(e) => println!(
            "check lessons/ scenarios/ on the real engine: skipped, no daemon answered ({})",
            e.to_string().lines().next().unwrap_or_default()
        ),
    }
}
