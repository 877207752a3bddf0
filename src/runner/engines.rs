//! Engines for `docktutor check` over lesson files.

use crate::engine::{open, EngineSelector, OpenOptions};
use crate::tutor::EngineFactory;

/// A factory of engine factories: every tutor the check starts gets its own fresh engine.
pub fn engines_for(selector: EngineSelector, namespace: &str) -> impl Fn() -> EngineFactory {
    let namespace = namespace.to_string();
    move || {
        let options = OpenOptions {
            deterministic: true,
            namespace: namespace.clone(),
        };
        Box::new(move || open(selector, &options)) as EngineFactory
    }
}
