//! The tutor: one lesson, one session, the current step — what happens after each line a
//! learner types. It knows nothing about terminals: it returns [`Event`]s, which the REPL
//! renders and `docktutor check` inspects, so both judge a lesson by the same rules.

mod event;
mod state_picture;

use std::path::{Path, PathBuf};

use crate::check::{evaluate, Verdict};
use crate::engine::{EngineError, SendEngine};
use crate::lesson::{Lesson, Step};
use crate::session::{LineResult, Session};

pub use event::{Event, Failure};
pub use state_picture::state_picture;

/// Makes a fresh engine for the lesson (at start and on every reset).
pub type EngineFactory = Box<dyn FnMut() -> Result<SendEngine, EngineError> + Send>;

#[derive(Debug, thiserror::Error)]
pub enum TutorError {
    #[error("{0}")]
    Engine(#[from] EngineError),
    #[error("cannot prepare the workspace {path}: {source}")]
    Workspace {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub struct Tutor {
    lesson: Lesson,
    factory: EngineFactory,
    workspace: PathBuf,
    session: Session,
    /// Index of the current step; `lesson.steps.len()` once the lesson is complete.
    step: usize,
    hints_given: usize,
    /// Steps passed by running their reference solution (`:skip`), not by the learner.
    skipped: Vec<String>,
}

impl Tutor {
    /// Start `lesson` at its first step, in `workspace` (emptied first: it is the lesson's own).
    pub fn start(
        lesson: Lesson,
        mut factory: EngineFactory,
        workspace: &Path,
    ) -> Result<Tutor, TutorError> {
        let session = fresh_session(&lesson, &mut factory, workspace)?;
        Ok(Tutor {
            workspace: session.workspace().to_path_buf(),
            lesson,
            factory,
            session,
            step: 0,
            hints_given: 0,
            skipped: Vec::new(),
        })
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    pub fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    pub fn workspace(&self) -> &Path {
        &self.workspace
    }

    pub fn step_index(&self) -> usize {
        self.step
    }

    pub fn current_step(&self) -> Option<&Step> {
        self.lesson.steps.get(self.step)
    }

    pub fn is_complete(&self) -> bool {
        self.step >= self.lesson.steps.len()
    }

    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    pub fn prompt(&self) -> String {
        self.session.prompt()
    }

    /// The event that introduces the current step (or the end of the lesson).
    pub fn announce(&self) -> Event {
        match self.current_step() {
            Some(step) => Event::StepIntro {
                index: self.step,
                total: self.lesson.steps.len(),
                title: step.title.clone(),
                text: step.text.clone(),
            },
            None => Event::LessonComplete {
                title: self.lesson.title.clone(),
                outro: self.lesson.outro.clone(),
            },
        }
    }

    /// A line typed by the learner: run it, then judge the current step.
    pub fn input(&mut self, line: &str) -> Vec<Event> {
        if line.trim().is_empty() && self.session.attached().is_none() {
            return Vec::new();
        }
        let result = self.session.execute(line);
        self.after_command(result)
    }

    /// Ctrl-D at a container prompt.
    pub fn end_of_input(&mut self) -> Vec<Event> {
        match self.session.end_of_input() {
            Some(result) => self.after_command(result),
            None => Vec::new(),
        }
    }

    fn after_command(&mut self, result: LineResult) -> Vec<Event> {
        let typed = result.line.clone();
        let mut events = vec![Event::Output(result)];
        if self.is_complete() {
            return events;
        }
        let failures = self.failures();
        if failures.is_empty() {
            events.extend(self.advance());
            return events;
        }
        if let Some(hint) = self.recognise_wrong_attempt(&typed) {
            events.push(Event::WrongAttempt { hint });
        } else if self.session.attached().is_none() {
            events.push(Event::NotYet {
                failure: failures[0].clone(),
            });
        }
        events
    }

    /// The current step's failing checks, in the lesson's order.
    pub fn failures(&mut self) -> Vec<Failure> {
        let Some(step) = self.lesson.steps.get(self.step) else {
            return Vec::new();
        };
        let mut cx = self.session.check_context();
        step.checks
            .iter()
            .filter_map(|c| match evaluate(c, &mut cx) {
                Verdict::Pass => None,
                Verdict::Fail { sentence, found } => Some(Failure { sentence, found }),
            })
            .collect()
    }

    fn recognise_wrong_attempt(&mut self, typed: &str) -> Option<String> {
        let step = self.lesson.steps.get(self.step)?;
        let mut cx = self.session.check_context();
        let mut holds = |c: &crate::check::Check| evaluate(c, &mut cx).passed();
        step.wrong
            .iter()
            .find(|w| w.recognised(typed, &mut holds))
            .map(|w| w.hint.clone())
    }

    fn advance(&mut self) -> Vec<Event> {
        let step = &self.lesson.steps[self.step];
        let mut events = vec![Event::StepPassed {
            id: step.id.clone(),
            explain: step.explain.clone(),
        }];
        self.step += 1;
        self.hints_given = 0;
        self.session.begin_step();
        events.push(self.announce());
        events
    }

    /// `:hint`: the next hint of the current step, each time a further one.
    pub fn hint(&mut self) -> Event {
        let Some(step) = self.current_step() else {
            return Event::Info("The lesson is complete: there is nothing left to hint at.".into());
        };
        let total = step.hints.len();
        match step.hints.get(self.hints_given).cloned() {
            Some(text) => {
                self.hints_given += 1;
                Event::Hint {
                    text,
                    number: self.hints_given,
                    total,
                }
            }
            None if total == 0 => Event::Info(
                "This step has no hints; `:why` says what is still missing, `:solution` shows the answer.".into(),
            ),
            None => Event::Info(format!(
                "That was the last hint ({total} of {total}). `:why` says what is still missing; `:solution` shows the answer."
            )),
        }
    }

    /// `:why`: every failing check of the current step, in words.
    pub fn why(&mut self) -> Event {
        if self.is_complete() {
            return Event::Info("The lesson is complete.".into());
        }
        Event::Why {
            failures: self.failures(),
        }
    }

    /// `:solution` (after the learner said yes): the reference command lines.
    pub fn solution(&self) -> Event {
        match self.current_step() {
            Some(step) => Event::Solution {
                lines: step.solution.iter().map(|l| l.text.clone()).collect(),
            },
            None => Event::Info("The lesson is complete.".into()),
        }
    }

    /// `:skip`: run the reference solution, so later steps find the state they expect, and
    /// move on.
    pub fn skip(&mut self) -> Vec<Event> {
        let Some(step) = self.current_step().cloned() else {
            return vec![Event::Info(
                "The lesson is complete: nothing to skip.".into(),
            )];
        };
        let mut events = Vec::new();
        if self.session.attached().is_some() {
            events.push(Event::Info(
                "Leaving the container shell first (as Ctrl-D would).".into(),
            ));
            if let Some(r) = self.session.end_of_input() {
                events.push(Event::Output(r));
            }
        }
        events.push(Event::Info(format!(
            "Running the reference solution of step {}:",
            self.step + 1
        )));
        for line in &step.solution {
            let r = self.session.execute(&line.text);
            events.push(Event::Replayed(r));
        }
        let failures = self.failures();
        if !failures.is_empty() {
            events.push(Event::SkipDiverged { failures });
        }
        self.skipped.push(step.id.clone());
        events.extend(self.advance());
        events
    }

    /// `:reset` of the current step: a fresh engine and workspace, the earlier steps replayed.
    pub fn reset_step(&mut self) -> Result<Vec<Event>, TutorError> {
        let target = self.step;
        self.restart()?;
        let replayed = self.fast_forward(target);
        Ok(vec![
            Event::Info(if replayed > 0 {
                format!("Reset: a fresh engine and workspace, with the solutions of the {replayed} earlier step(s) replayed.")
            } else {
                "Reset: a fresh engine and workspace.".into()
            }),
            self.announce(),
        ])
    }

    /// `:reset lesson`: back to the first step with nothing made.
    pub fn reset_lesson(&mut self) -> Result<Vec<Event>, TutorError> {
        self.restart()?;
        self.skipped.clear();
        Ok(vec![
            Event::Info("Reset: the lesson starts again from its first step.".into()),
            self.announce(),
        ])
    }

    /// Resume at step `index` (a learner coming back): replay the solutions before it, quietly.
    /// Returns how many steps were replayed.
    pub fn fast_forward(&mut self, index: usize) -> usize {
        let index = index.min(self.lesson.steps.len());
        let mut n = 0;
        while self.step < index {
            let step = self.lesson.steps[self.step].clone();
            if self.session.attached().is_some() {
                self.session.end_of_input();
            }
            for line in &step.solution {
                self.session.execute(&line.text);
            }
            self.step += 1;
            n += 1;
        }
        self.hints_given = 0;
        self.session.begin_step();
        n
    }

    fn restart(&mut self) -> Result<(), TutorError> {
        self.session = fresh_session(&self.lesson, &mut self.factory, &self.workspace)?;
        self.step = 0;
        self.hints_given = 0;
        Ok(())
    }

    /// `:state`: images and the containers made from them.
    pub fn state(&mut self) -> Event {
        Event::State(state_picture(self.session.engine()))
    }
}

/// A new engine and a clean workspace with the lesson's setup applied.
fn fresh_session(
    lesson: &Lesson,
    factory: &mut EngineFactory,
    workspace: &Path,
) -> Result<Session, TutorError> {
    let ws_err = |source| TutorError::Workspace {
        path: workspace.to_path_buf(),
        source,
    };
    // Whatever the last run left (files a container wrote through a bind mount) goes: the
    // workspace belongs to the lesson, and each run starts from the lesson's own setup.
    if workspace.exists() {
        std::fs::remove_dir_all(workspace).map_err(ws_err)?;
    }
    std::fs::create_dir_all(workspace).map_err(ws_err)?;
    lesson.setup.write_files(workspace).map_err(ws_err)?;
    let engine = factory()?;
    let mut session = Session::new(engine, workspace).map_err(ws_err)?;
    for line in &lesson.setup.commands {
        session.execute(&line.text);
    }
    session.forget_created();
    session.begin_step();
    Ok(session)
}

#[cfg(test)]
mod tests;
