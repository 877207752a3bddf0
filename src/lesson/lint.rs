//! `docktutor lint`: load lesson files and report every problem, without running anything.

use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(paths: &[PathBuf]) -> ExitCode {
    let mut problems = 0;
    let mut lessons = 0;
    let mut units = std::collections::BTreeSet::new();
    for path in paths {
        let files = match super::lesson_files(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {e}");
                problems += 1;
                continue;
            }
        };
        match super::load_dir_files(&files) {
            Ok(ls) => {
                lessons += ls.len();
                for l in ls {
                    units.extend(l.units);
                }
            }
            Err(errors) => {
                for e in errors {
                    eprintln!("error: {}", e.render());
                    problems += 1;
                }
            }
        }
    }
    if problems > 0 {
        eprintln!("\n{problems} problem(s) found");
        return ExitCode::FAILURE;
    }
    println!(
        "{lessons} lesson(s) OK, covering {} curriculum unit(s): {}",
        units.len(),
        units.into_iter().collect::<Vec<_>>().join(", ")
    );
    ExitCode::SUCCESS
}
