//! Prints, never asserts: how long `docktutor check lessons/ scenarios/` takes in-process on the
//! simulator with one and two jobs (target < 1 s), and on the real engine when one answers.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use docktutor::engine::{open, EngineSelector, OpenOptions};
use docktutor::runner::{run, CaseStatus, CheckOptions};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

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
            "check lessons/ scenarios/ on the simulator, --jobs {jobs}: {:.1} ms median of 5 ({cases} cases, {failed} failed; target < 1000 ms)",
            t.as_secs_f64() * 1000.0
        );
    }
    match open(EngineSelector::Docker, &OpenOptions::default()) {
        Ok(_) => {
            let (t, cases, failed) = time(EngineSelector::Docker, 2, 1);
            println!(
                "check lessons/ scenarios/ on the real engine, --jobs 2: {:.1} ms ({cases} cases, {failed} failed)",
                t.as_secs_f64() * 1000.0
            );
        }
        Err(e) => println!("check on the real engine: skipped ({e})"),
    }
}
