//! Engine-neutral checks of observable state, each with the sentence shown when it fails.
//!
//! A check asks the engine (through the [`Engine`](crate::engine::Engine) trait, so the same
//! definition works on the simulator and on a real daemon) or the learner's workspace a
//! question — does a container exist, what is its status, is a file in its filesystem, is a
//! file in the bind-mounted host folder — and answers with [`Verdict`]: pass, or the lesson's
//! own failure sentence plus what was actually found.

mod evaluate;
mod predicate;

pub use evaluate::{evaluate, CheckContext, Verdict};
pub use predicate::{
    Check, ContainerCheck, ContainerRef, ContainersCheck, FileCheck, Globs, HostCheck, ImageCheck,
    LastCheck, LogsCheck, Predicate, PromptCheck, StatusWord,
};
