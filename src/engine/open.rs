//! Choosing and opening an engine: the one place `--engine sim|docker|auto` becomes a
//! `Box<dyn Engine>`. The REPL, `docktutor check` and the drop-in CLI all come through here.

use super::sim::SimEngine;
use super::{Engine, EngineError};

/// Which engine a command should run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineSelector {
    /// The built-in simulated Docker.
    Sim,
    /// A real Docker engine; an error when none answers.
    Docker,
    /// A real engine when one answers, the simulator otherwise.
    Auto,
}

/// Options shared by every engine a session opens.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Deterministic ids, names and clock on the simulator (tests, `check`).
    pub deterministic: bool,
    /// A short name for this session's objects on a real engine (labels, name prefixes), so
    /// parallel sessions on one daemon never see each other. Ignored by the simulator.
    pub namespace: String,
}

/// An engine that can move to a worker thread (`check --jobs N`).
pub type SendEngine = Box<dyn Engine + Send>;

/// Open the engine `selector` asks for.
pub fn open(selector: EngineSelector, options: &OpenOptions) -> Result<SendEngine, EngineError> {
    match selector {
        EngineSelector::Sim => Ok(open_sim(options)),
        EngineSelector::Docker => open_docker(options),
        EngineSelector::Auto => match open_docker(options) {
            Ok(engine) => Ok(engine),
            Err(_) => Ok(open_sim(options)),
        },
    }
}

fn open_sim(options: &OpenOptions) -> SendEngine {
    if options.deterministic {
        Box::new(SimEngine::deterministic(0))
    } else {
        Box::new(SimEngine::new())
    }
}

fn open_docker(_options: &OpenOptions) -> Result<SendEngine, EngineError> {
    let engine = super::docker::DockerEngine::connect(&super::docker::DockerOptions::default())?;
    Ok(Box::new(engine))
}
