//! docktutor's own command line (clap): learn, check, docker, lessons, lint, clean, prepare.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// A terminal tutor and scenario runner for Docker.
///
/// Type real `docker …` commands into a lesson; docktutor runs them on a built-in simulated
/// Docker (no Docker needed, offline, instant) or on a real engine, checks what happened and
/// explains why.
#[derive(Debug, Parser)]
#[command(
    name = "docktutor",
    version,
    about,
    long_about,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// The built-in simulated Docker (no daemon needed).
    Sim,
    /// A real Docker engine (DOCKER_HOST, /var/run/docker.sock, Docker Desktop, Podman).
    Docker,
    /// A real engine when one answers, the simulator otherwise.
    Auto,
    /// Both engines, side by side (check only): reports every difference.
    Both,
}

impl EngineChoice {
    /// The engine to open (`both` is the check runner's business: each side opens its own).
    pub fn selector(self) -> crate::engine::EngineSelector {
        match self {
            EngineChoice::Sim => crate::engine::EngineSelector::Sim,
            EngineChoice::Docker => crate::engine::EngineSelector::Docker,
            EngineChoice::Auto | EngineChoice::Both => crate::engine::EngineSelector::Auto,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the tutor: pick a lesson and type real docker commands.
    Learn {
        /// A lesson id, number or curriculum unit (`lost-files`, `3`, `000.5`); a picker
        /// when absent.
        lesson: Option<String>,
        /// Use the lesson files in DIR instead of the built-in curriculum.
        #[arg(long, value_name = "DIR")]
        lessons: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = EngineChoice::Sim)]
        engine: EngineChoice,
    },
    /// Run lessons, scenario files and markdown documents headless and report (lessons: every
    /// step fails before its solution and passes after it; scenarios and documents: output and
    /// exit codes as documented).
    Check {
        /// Lesson files, scenario files (.toml) and markdown documents (.md), or folders of them.
        #[arg(default_value = "lessons")]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = EngineChoice::Sim)]
        engine: EngineChoice,
        /// Report format on stdout.
        #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
        format: ReportFormat,
        /// Also write a JUnit XML report to FILE.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Cases to run in parallel.
        #[arg(long, short = 'j', default_value_t = 1)]
        jobs: usize,
        /// Run only shard I of N (`--shard 1/3`).
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Rewrite the expected output of scenarios and documents from what the simulator
        /// printed, keeping patterns that still match (refused when CI is set).
        #[arg(long)]
        bless: bool,
    },
    /// Act as `docker ARGS…` on the simulator (state persists in $DOCKTUTOR_STATE); put
    /// `--engine docker` first, or set DOCKTUTOR_ENGINE=docker, to use a real engine inside
    /// docktutor's sandbox.
    #[command(disable_help_flag = true)]
    Docker {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<String>,
    },
    /// List the lessons with your progress.
    Lessons {
        /// List the lesson files in DIR instead of the built-in curriculum.
        #[arg(long, value_name = "DIR")]
        lessons: Option<PathBuf>,
    },
    /// Validate lesson files without running them (`file:line:col` for every problem).
    Lint {
        #[arg(default_value = "lessons")]
        paths: Vec<PathBuf>,
    },
    /// Remove what crashed sessions left on a real engine (only objects docktutor made, found
    /// by their `org.docktutor.session` label and `dt-…-` names).
    Clean {
        /// Also remove the objects of sessions that are still running (and of the drop-in CLI).
        #[arg(long)]
        all: bool,
    },
    /// Get the images the lessons need onto a real engine (pull them, or build stand-ins).
    Prepare {
        /// Build local stand-in images from a static busybox binary instead of pulling.
        #[arg(long, value_name = "PATH")]
        from_busybox: Option<PathBuf>,
        /// The registry binary the `registry:2` stand-in runs (Debian's docker-registry).
        #[arg(long, value_name = "PATH", default_value = crate::engine::docker::standins::DEFAULT_REGISTRY_BINARY)]
        registry_binary: PathBuf,
        /// Only these images (`registry:2`, `busybox`…); all of them when none is named.
        #[arg(value_name = "IMAGE")]
        images: Vec<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Human,
    Junit,
    Tap,
    Json,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Docker { args } => crate::dropin::main(&args),
        Command::Learn {
            lesson,
            lessons,
            engine,
        } => crate::repl::learn(&crate::repl::LearnOptions {
            lesson,
            lessons_dir: lessons,
            engine: engine.selector(),
        }),
        Command::Lessons { lessons } => crate::repl::list_lessons(lessons.as_deref()),
        Command::Lint { paths } => crate::lesson::lint::run(&paths),
        Command::Check {
            paths,
            engine,
            format,
            junit,
            jobs,
            shard,
            bless,
        } => check(paths, engine, format, junit, jobs, shard, bless),
        Command::Clean { all } => crate::maintenance::clean(all),
        Command::Prepare {
            from_busybox,
            registry_binary,
            images,
        } => crate::maintenance::prepare(from_busybox.as_deref(), &registry_binary, &images),
    }
}

/// `docktutor check`: run, report on stdout in `format`, and also as JUnit to `junit`.
fn check(
    paths: Vec<PathBuf>,
    engine: EngineChoice,
    format: ReportFormat,
    junit: Option<PathBuf>,
    jobs: usize,
    shard: Option<String>,
    bless: bool,
) -> ExitCode {
    use crate::runner::report;
    if bless && std::env::var_os("CI").is_some() {
        // CI must check the files as committed, never rewrite them.
        eprintln!("docktutor: `check --bless` refuses to rewrite files when CI is set; run it locally and commit the result");
        return ExitCode::from(2);
    }
    let shard = match shard.map(|s| s.parse::<crate::runner::Shard>()).transpose() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("docktutor: {e}");
            return ExitCode::from(2);
        }
    };
    crate::render::style::init_from_env();
    let both = engine == EngineChoice::Both;
    let options = crate::runner::CheckOptions {
        paths,
        // Under `both` the simulator is the reference every case runs on first.
        engine: if both {
            crate::engine::EngineSelector::Sim
        } else {
            engine.selector()
        },
        jobs,
        shard,
        both,
        bless,
    };
    let run = crate::runner::run_report(&options);
    for (file, count) in &run.blessed {
        eprintln!(
            "docktutor: blessed {count} expectation{} in {}",
            if *count == 1 { "" } else { "s" },
            file.display()
        );
    }
    let outcomes = run.outcomes;
    let text = match format {
        ReportFormat::Human => report::human(&outcomes),
        ReportFormat::Junit => report::junit(&outcomes),
        ReportFormat::Tap => report::tap(&outcomes),
        ReportFormat::Json => report::json(&outcomes),
    };
    print!("{text}");
    if let Some(path) = junit {
        let xml = report::junit(&outcomes);
        if let Err(e) = crate::progress::write_atomically(&path, xml.as_bytes()) {
            eprintln!(
                "docktutor: cannot write the JUnit report {}: {e}",
                path.display()
            );
            return ExitCode::from(2);
        }
    }
    if outcomes.iter().any(|o| o.failed()) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
