//! The learner's REPL (`docktutor learn`): reads lines (rustyline on a terminal, plain lines
//! when piped), hands them to the [`Tutor`], prints what it says, and keeps progress.

mod input;
pub mod render;

use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

use input::{CompletionWords, LineSource, Read};

use crate::engine::{open, EngineSelector, OpenOptions};
use crate::lesson::catalog::Catalog;
use crate::progress::{self, Progress};
use crate::tutor::{EngineFactory, Event, Tutor};

/// What `docktutor learn` was asked for.
#[derive(Clone, Debug)]
pub struct LearnOptions {
    /// A lesson id, number or curriculum unit; the picker when absent.
    pub lesson: Option<String>,
    /// A folder of lesson files instead of the built-in curriculum.
    pub lessons_dir: Option<PathBuf>,
    pub engine: EngineSelector,
}

const META: &[&str] = &[
    ":help",
    ":hint",
    ":why",
    ":solution",
    ":skip",
    ":reset",
    ":state",
    ":lessons",
    ":go",
    ":next",
    ":quit",
];

/// Where the learner goes after a lesson's loop ends.
enum Next {
    Quit,
    Open(usize),
}

pub fn learn(options: &LearnOptions) -> ExitCode {
    crate::render::style::init_from_env();
    let catalog = match Catalog::open(options.lessons_dir.as_deref()) {
        Ok(c) if c.lessons.is_empty() => {
            eprintln!("docktutor: no lessons found in {}", c.origin);
            return ExitCode::FAILURE;
        }
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {}", e.render());
            }
            return ExitCode::FAILURE;
        }
    };
    let mut repl = Repl::new(catalog, options.engine);
    let first = match &options.lesson {
        Some(key) => match repl.catalog.find(key) {
            Ok(i) => Some(i),
            Err(msg) => {
                eprintln!("docktutor: {msg}");
                return ExitCode::FAILURE;
            }
        },
        None => repl.pick(),
    };
    let Some(mut index) = first else {
        return ExitCode::SUCCESS;
    };
    loop {
        match repl.run_lesson(index) {
            Ok(Next::Open(i)) => index = i,
            Ok(Next::Quit) => return ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("docktutor: {message}");
                return ExitCode::FAILURE;
            }
        }
    }
}

struct Repl {
    catalog: Catalog,
    engine: EngineSelector,
    progress: Progress,
    progress_path: PathBuf,
    /// False when the progress file could not be read: it is then left untouched.
    save_progress: bool,
    words: Rc<RefCell<CompletionWords>>,
    source: LineSource,
    out: std::io::Stdout,
}

impl Repl {
    fn new(catalog: Catalog, engine: EngineSelector) -> Repl {
        let progress_path = progress::default_path();
        let (progress, save_progress) = match Progress::load(&progress_path) {
            Ok(p) => (p, true),
            Err(e) => {
                eprintln!("docktutor: {e}; progress will not be saved this time");
                (Progress::default(), false)
            }
        };
        let words = Rc::new(RefCell::new(CompletionWords {
            meta: META.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }));
        let source = LineSource::open(words.clone(), None);
        Repl {
            catalog,
            engine,
            progress,
            progress_path,
            save_progress,
            words,
            source,
            out: std::io::stdout(),
        }
    }

    fn say(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    fn list(&mut self) -> String {
        let mut text = format!("Lessons ({}):\n", self.catalog.origin);
        for (i, l) in self.catalog.lessons.iter().enumerate() {
            text.push_str(&render::lesson_line(
                i + 1,
                l,
                self.progress.lessons.get(&l.id),
            ));
        }
        text
    }

    fn next_unfinished(&self) -> usize {
        self.catalog
            .lessons
            .iter()
            .position(|l| {
                !self
                    .progress
                    .lessons
                    .get(&l.id)
                    .is_some_and(|p| p.completed)
            })
            .unwrap_or(0)
    }

    /// The lesson picker. `None` when the learner leaves.
    fn pick(&mut self) -> Option<usize> {
        let list = self.list();
        self.say(&format!("Welcome to docktutor.\n\n{list}\n"));
        loop {
            let default = self.next_unfinished();
            let prompt = format!(
                "Pick a lesson (number or id; Enter for {}, :quit to leave): ",
                self.catalog.lessons[default].id
            );
            match self.source.read(&prompt) {
                Read::Eof => return None,
                Read::Interrupted => continue,
                Read::Line(line) => {
                    let key = line.trim();
                    if key.is_empty() {
                        return Some(default);
                    }
                    if matches!(key, ":quit" | ":q" | "quit" | "exit") {
                        return None;
                    }
                    match self.catalog.find(key) {
                        Ok(i) => return Some(i),
                        Err(msg) => self.say(&format!("{msg}\n")),
                    }
                }
            }
        }
    }

    fn factory(&self) -> EngineFactory {
        let selector = self.engine;
        let options = OpenOptions {
            deterministic: std::env::var_os("DOCKTUTOR_DETERMINISTIC").is_some(),
            namespace: format!("learn-{}", std::process::id()),
        };
        Box::new(move || open(selector, &options))
    }

    fn save(&mut self) {
        if !self.save_progress {
            return;
        }
        if let Err(e) = self.progress.save(&self.progress_path) {
            eprintln!("docktutor: {e}; progress will not be saved this time");
            self.save_progress = false;
        }
    }

    fn run_lesson(&mut self, index: usize) -> Result<Next, String> {
        let lesson = self.catalog.lessons[index].clone();
        let workspace = progress::data_dir().join("workspaces").join(&lesson.id);
        let mut tutor = Tutor::start(lesson.clone(), self.factory(), &workspace).map_err(|e| {
            match e {
                crate::tutor::TutorError::Engine(e) => format!(
                    "{e}\nStart Docker, or use the built-in simulator: `docktutor learn --engine sim`."
                ),
                other => other.to_string(),
            }
        })?;
        self.source.set_history(Some(
            progress::data_dir()
                .join("history")
                .join(format!("{}.txt", lesson.id)),
        ));
        self.say(&render::lesson_banner(&lesson));
        self.say(&format!(
            "\n  {}\n",
            crate::render::style::paint(
                crate::render::style::Role::Dim,
                &format!(
                    "Engine: {}. Your host folder for this lesson: {}. `:help` lists the tutor's commands.",
                    tutor.session().engine().kind(),
                    tutor.workspace().display()
                )
            )
        ));
        let resume = {
            let p = self.progress.lesson(&lesson.id);
            if p.completed {
                p.current_step = None;
                None
            } else {
                p.current_step
                    .as_deref()
                    .and_then(|id| lesson.step_index(id))
            }
        };
        if let Some(at) = resume.filter(|&i| i > 0) {
            let n = tutor.fast_forward(at);
            self.say(&format!(
                "\nWelcome back: resuming at step {}/{}. The solutions of the {n} earlier step(s) were replayed to rebuild their state.\n",
                at + 1,
                lesson.steps.len()
            ));
        }
        let intro = tutor.announce();
        self.say(&render::event(&intro));
        self.refresh_words(&mut tutor);
        loop {
            let prompt = format!("\n{}", tutor.prompt());
            let read = self.source.read(&prompt);
            let events = match read {
                Read::Eof => {
                    if tutor.session().attached().is_some() {
                        tutor.end_of_input()
                    } else {
                        self.say("\nBye — your progress is saved.\n");
                        return Ok(Next::Quit);
                    }
                }
                Read::Interrupted => {
                    self.say("^C\n");
                    continue;
                }
                Read::Line(line) => {
                    let trimmed = line.trim();
                    if trimmed.starts_with(':') && tutor.session().attached().is_none()
                        || matches!(
                            trimmed,
                            ":quit"
                                | ":q"
                                | ":help"
                                | ":hint"
                                | ":why"
                                | ":state"
                                | ":solution"
                                | ":skip"
                        )
                    {
                        match self.meta(&mut tutor, index, trimmed) {
                            MetaOutcome::Events(events) => events,
                            MetaOutcome::Leave(next) => return Ok(next),
                        }
                    } else if trimmed == "exit" && tutor.session().attached().is_none() {
                        vec![Event::Info(
                            "You are at your own prompt, not inside a container: there is nothing to `exit`. Type `:quit` to leave the tutor.".into(),
                        )]
                    } else {
                        tutor.input(&line)
                    }
                }
            };
            self.show(&lesson.id, &events);
            self.record(&tutor, &events);
            self.refresh_words(&mut tutor);
        }
    }

    fn show(&mut self, _lesson: &str, events: &[Event]) {
        let mut text = String::new();
        for e in events {
            text.push_str(&render::event(e));
        }
        self.say(&text);
    }

    /// Save progress after steps pass.
    fn record(&mut self, tutor: &Tutor, events: &[Event]) {
        let mut changed = false;
        let lesson = tutor.lesson();
        for e in events {
            if let Event::StepPassed { id, .. } = e {
                let p = self.progress.lesson(&lesson.id);
                p.steps_done.insert(id.clone());
                changed = true;
            }
        }
        if changed {
            let complete = tutor.is_complete();
            let current = tutor.current_step().map(|s| s.id.clone());
            let p = self.progress.lesson(&lesson.id);
            p.current_step = current;
            if complete {
                p.completed = true;
            }
            self.save();
        }
    }

    fn refresh_words(&mut self, tutor: &mut Tutor) {
        let inside = tutor.session().attached().is_some();
        let engine = tutor.session().engine();
        let containers: Vec<String> = engine
            .container_list(true, false)
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.name)
            .collect();
        let images: Vec<String> = engine
            .image_list(false)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|i| i.repo_tags)
            .collect();
        let mut w = self.words.borrow_mut();
        w.containers = containers;
        w.images = images;
        w.inside_container = inside;
    }

    fn meta(&mut self, tutor: &mut Tutor, index: usize, line: &str) -> MetaOutcome {
        let mut parts = line.split_whitespace();
        let command = parts.next().unwrap_or("");
        let arg = parts.next();
        let events = match command {
            ":help" | ":h" | ":?" => vec![Event::Info(render::HELP.trim_end().to_string())],
            ":hint" => vec![tutor.hint()],
            ":why" => vec![tutor.why()],
            ":solution" => {
                if tutor.is_complete() {
                    vec![tutor.solution()]
                } else {
                    match self
                        .source
                        .read("Show the reference solution of this step? [y/N] ")
                    {
                        Read::Line(a) if matches!(a.trim(), "y" | "Y" | "yes") => {
                            vec![tutor.solution()]
                        }
                        _ => vec![Event::Info(
                            "Not shown. `:hint` gives a smaller push.".into(),
                        )],
                    }
                }
            }
            ":skip" => tutor.skip(),
            ":reset" => {
                let r = if arg == Some("lesson") {
                    let id = tutor.lesson().id.clone();
                    let p = self.progress.lesson(&id);
                    p.steps_done.clear();
                    p.current_step = None;
                    p.completed = false;
                    self.save();
                    tutor.reset_lesson()
                } else {
                    tutor.reset_step()
                };
                match r {
                    Ok(events) => events,
                    Err(e) => vec![Event::Info(format!("The reset failed: {e}"))],
                }
            }
            ":state" => vec![tutor.state()],
            ":lessons" => vec![Event::Info(
                self.list().trim_end().to_string() + "\n`:go NUMBER` or `:go ID` opens one.",
            )],
            ":go" => match arg.map(|a| self.catalog.find(a)) {
                Some(Ok(i)) => return MetaOutcome::Leave(Next::Open(i)),
                Some(Err(msg)) => vec![Event::Info(msg)],
                None => vec![Event::Info(
                    "Which lesson? `:go 3` or `:go lost-files`.".into(),
                )],
            },
            ":next" => {
                if index + 1 < self.catalog.lessons.len() {
                    return MetaOutcome::Leave(Next::Open(index + 1));
                }
                vec![Event::Info("This is the last lesson.".into())]
            }
            ":quit" | ":q" | ":exit" => {
                self.say("Bye — your progress is saved.\n");
                return MetaOutcome::Leave(Next::Quit);
            }
            other => {
                let mut msg = format!("Unknown tutor command `{other}`.");
                if let Some(s) = crate::command::suggest::closest(other, META.iter().copied()) {
                    msg.push_str(&format!(" Did you mean `{s}`?"));
                }
                msg.push_str(" `:help` lists them.");
                vec![Event::Info(msg)]
            }
        };
        MetaOutcome::Events(events)
    }
}

enum MetaOutcome {
    Events(Vec<Event>),
    Leave(Next),
}

/// `docktutor lessons`: the lessons and the learner's progress.
pub fn list_lessons(dir: Option<&std::path::Path>) -> ExitCode {
    crate::render::style::init_from_env();
    let catalog = match Catalog::open(dir) {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {}", e.render());
            }
            return ExitCode::FAILURE;
        }
    };
    let progress = match Progress::load(&progress::default_path()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("docktutor: {e}");
            Progress::default()
        }
    };
    let mut text = format!("Lessons ({}):\n", catalog.origin);
    for (i, l) in catalog.lessons.iter().enumerate() {
        text.push_str(&render::lesson_line(i + 1, l, progress.lessons.get(&l.id)));
    }
    text.push_str("\nStart one with `docktutor learn ID` (or a number, or a unit like 000.5).\n");
    print!("{text}");
    ExitCode::SUCCESS
}
