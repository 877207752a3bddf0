//! `docktutor check` for lessons: every step's checks fail before its reference solution and
//! pass after it, and every declared wrong attempt is rejected with its intended hint —
//! judged by the same [`Tutor`] a learner meets.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::lesson::{Lesson, Step};
use crate::tutor::{EngineFactory, Event, Failure, Tutor};

/// One verified case: a step, or one wrong attempt of a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonCase {
    /// `lesson-id/step-id` or `lesson-id/step-id/wrong-2`.
    pub name: String,
    /// The line in the lesson file the case comes from.
    pub line: usize,
    /// Empty when the case passed.
    pub problems: Vec<String>,
    pub duration: Duration,
}

impl LessonCase {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verify `lesson`; `engines` makes a fresh engine factory for each tutor the check needs.
/// `scratch` is a folder for the lesson workspaces.
pub fn verify_lesson(
    lesson: &Lesson,
    engines: &dyn Fn() -> EngineFactory,
    scratch: &Path,
) -> Vec<LessonCase> {
    let mut cases = Vec::new();
    let started = Instant::now();
    let mut tutor = match Tutor::start(lesson.clone(), engines(), &scratch.join("main")) {
        Ok(t) => t,
        Err(e) => {
            return vec![LessonCase {
                name: lesson.id.clone(),
                line: 1,
                problems: vec![format!("the lesson could not start: {e}")],
                duration: started.elapsed(),
            }]
        }
    };
    for (index, step) in lesson.steps.iter().enumerate() {
        let t0 = Instant::now();
        let problems = verify_step(&mut tutor, index, step);
        cases.push(LessonCase {
            name: format!("{}/{}", lesson.id, step.id),
            line: step.line,
            problems,
            duration: t0.elapsed(),
        });
        for (n, wrong) in step.wrong.iter().enumerate() {
            let t0 = Instant::now();
            let dir = scratch.join(format!("wrong-{index}-{n}"));
            let problems = verify_wrong(lesson, engines(), &dir, index, wrong);
            let _ = std::fs::remove_dir_all(&dir);
            cases.push(LessonCase {
                name: format!("{}/{}/wrong-{}", lesson.id, step.id, n + 1),
                line: wrong.line,
                problems,
                duration: t0.elapsed(),
            });
        }
    }
    if !tutor.is_complete() {
        if let Some(last) = cases.last_mut() {
            last.problems
                .push("the lesson did not reach its end after every solution ran".into());
        }
    }
    cases
}

fn describe(failures: &[Failure]) -> String {
    failures
        .iter()
        .map(|f| format!("“{}” ({})", f.sentence, f.found))
        .collect::<Vec<_>>()
        .join("; ")
}

fn transcript(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        if let Event::Output(r) = e {
            out.push_str(&format!("    $ {}\n", r.line));
            for l in r.stdout.lines().chain(r.stderr.lines()) {
                out.push_str(&format!("      {l}\n"));
            }
        }
    }
    out
}

fn verify_step(tutor: &mut Tutor, index: usize, step: &Step) -> Vec<String> {
    let mut problems = Vec::new();
    if tutor.step_index() != index {
        problems.push(format!(
            "the tutor is at step {} instead of step {}",
            tutor.step_index() + 1,
            index + 1
        ));
        return problems;
    }
    if tutor.failures().is_empty() {
        problems.push(
            "every check already holds before the solution runs: the step would pass with nothing done"
                .into(),
        );
    }
    // Every solution line runs, even after the step passed early (say inside the container
    // before `exit`): a learner following the solution types them all.
    let mut events = Vec::new();
    for line in &step.solution {
        events.extend(tutor.input(&line.text));
    }
    let passed = events
        .iter()
        .any(|e| matches!(e, Event::StepPassed { id, .. } if *id == step.id));
    if !passed {
        let failures = tutor.failures();
        problems.push(format!(
            "after the reference solution the step still fails: {}\n  transcript:\n{}",
            describe(&failures),
            transcript(&events)
        ));
        tutor.fast_forward(index + 1);
    }
    problems
}

fn verify_wrong(
    lesson: &Lesson,
    factory: EngineFactory,
    dir: &Path,
    index: usize,
    wrong: &crate::lesson::WrongAttempt,
) -> Vec<String> {
    let mut tutor = match Tutor::start(lesson.clone(), factory, dir) {
        Ok(t) => t,
        Err(e) => return vec![format!("the lesson could not start: {e}")],
    };
    tutor.fast_forward(index);
    let mut events = Vec::new();
    for line in &wrong.commands {
        events.extend(tutor.input(&line.text));
    }
    let mut problems = Vec::new();
    if tutor.step_index() != index {
        problems.push(format!(
            "the wrong attempt passed the step\n  transcript:\n{}",
            transcript(&events)
        ));
    }
    let hints: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            Event::WrongAttempt { hint } => Some(hint),
            _ => None,
        })
        .collect();
    if !hints.iter().any(|h| **h == wrong.hint) {
        let got = if hints.is_empty() {
            "no hint at all".to_string()
        } else {
            format!("“{}”", hints[hints.len() - 1])
        };
        problems.push(format!(
            "the wrong attempt did not earn its hint “{}”; it got {got}\n  transcript:\n{}",
            wrong.hint,
            transcript(&events)
        ));
    }
    problems
}
