//! Lesson files: format, loading with `file:line:col` errors, validation.
//!
//! A lesson is a TOML file (format 1, see `lessons/README.md`) with an id, a title, the
//! curriculum units it covers and its steps. A step has markdown text, a reference solution
//! (the command lines, including those typed inside a container shell), hints, checks of
//! observable state and the wrong attempts it should recognise.

pub mod catalog;
mod error;
mod format;
pub mod lint;
pub mod verify;

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use toml::Spanned;

use crate::check::{Check, Predicate};
pub use error::LessonError;
pub use format::FORMAT;
use format::{RawCheck, RawLesson, RawStep, RawWrong};

/// A validated lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub file: PathBuf,
    pub id: String,
    pub title: String,
    pub note: Option<String>,
    pub units: Vec<String>,
    pub intro: String,
    pub outro: String,
    pub setup: Setup,
    pub steps: Vec<Step>,
}

/// What exists before the learner's first command.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Setup {
    /// Workspace-relative path and content.
    pub files: Vec<(String, String)>,
    /// Workspace-relative path of a tar archive, and its members (path, content).
    pub archives: Vec<(String, Vec<(String, String)>)>,
    pub commands: Vec<SourceLine>,
}

impl Setup {
    /// Create the setup's files and archives in `workspace` (the commands are the session's).
    pub fn write_files(&self, workspace: &Path) -> std::io::Result<()> {
        let place = |path: &str| -> std::io::Result<PathBuf> {
            let p = workspace.join(path);
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir)?;
            }
            Ok(p)
        };
        for (path, content) in &self.files {
            std::fs::write(place(path)?, content)?;
        }
        for (path, members) in &self.archives {
            std::fs::write(place(path)?, tar_of(members)?)?;
        }
        Ok(())
    }
}

/// A plain tar archive of text files, with an entry for each folder on the way, the same on
/// every run (fixed owner, modes and time) so that builds that ADD it hit the cache alike.
fn tar_of(members: &[(String, String)]) -> std::io::Result<Vec<u8>> {
    const MTIME: u64 = 1_704_067_200; // 2024-01-01T00:00:00Z
    let mut builder = tar::Builder::new(Vec::new());
    let mut folders = BTreeSet::new();
    for (path, content) in members {
        let parts: Vec<&str> = path.split('/').collect();
        for i in 1..parts.len() {
            let folder = format!("{}/", parts[..i].join("/"));
            if folders.insert(folder.clone()) {
                let mut h = tar::Header::new_ustar();
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_mtime(MTIME);
                h.set_size(0);
                h.set_path(&folder)?;
                h.set_cksum();
                builder.append(&h, std::io::empty())?;
            }
        }
        let mut h = tar::Header::new_ustar();
        h.set_mode(0o644);
        h.set_mtime(MTIME);
        h.set_size(content.len() as u64);
        h.set_path(path)?;
        h.set_cksum();
        builder.append(&h, content.as_bytes())?;
    }
    builder.into_inner()
}

/// A command line from a lesson file, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceLine {
    pub text: String,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub id: String,
    pub title: Option<String>,
    pub text: String,
    pub explain: String,
    pub solution: Vec<SourceLine>,
    pub hints: Vec<String>,
    pub checks: Vec<Check>,
    pub wrong: Vec<WrongAttempt>,
    /// Line of the `[[step]]` table.
    pub line: usize,
}

/// A mistake a learner is likely to make, and the hint it should earn.
#[derive(Clone, Debug, PartialEq)]
pub struct WrongAttempt {
    pub commands: Vec<SourceLine>,
    pub hint: String,
    /// A glob over a typed line (whitespace collapsed) that recognises the attempt.
    pub typed: Option<crate::check::Globs>,
    /// Checks that all hold after the attempt.
    pub when: Vec<Check>,
    pub line: usize,
}

impl WrongAttempt {
    /// Whether the attempt is recognised, given the line just typed and a way to evaluate
    /// checks. Without `typed` or `when`, the attempt's own command lines are the pattern.
    pub fn recognised(&self, typed_line: &str, holds: &mut dyn FnMut(&Check) -> bool) -> bool {
        let typed_line = typed_line.split_whitespace().collect::<Vec<_>>().join(" ");
        let typed_ok = match &self.typed {
            Some(globs) => globs.matches(&typed_line),
            None if self.when.is_empty() => self
                .commands
                .iter()
                .any(|c| c.text.split_whitespace().collect::<Vec<_>>().join(" ") == typed_line),
            None => true,
        };
        typed_ok && self.when.iter().all(holds)
    }
}

impl Lesson {
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }
}

/// Load and validate one lesson file.
pub fn load_file(path: &Path) -> Result<Lesson, LessonError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| LessonError::whole_file(path, format!("cannot read the lesson: {e}")))?;
    parse(path, &text)
}

/// Parse and validate lesson text (`path` is only used in messages).
pub fn parse(path: &Path, text: &str) -> Result<Lesson, LessonError> {
    let raw: RawLesson = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        LessonError::at(path, text, offset, toml_message(&e))
    })?;
    Validator { path, text }.lesson(raw)
}

/// toml's message without its own location banner (we print `file:line:col` ourselves).
fn toml_message(e: &toml::de::Error) -> String {
    let m = e.message().trim().to_string();
    m.replace("\n", " ")
}

/// Every lesson in `dir` (files ending in `.toml`, in file-name order), or every problem found.
pub fn load_dir(dir: &Path) -> Result<Vec<Lesson>, Vec<LessonError>> {
    let files = lesson_files(dir).map_err(|e| vec![e])?;
    load_dir_files(&files)
}

/// Load `files` as one course: every file must load, and lesson ids must be unique.
pub fn load_dir_files(files: &[PathBuf]) -> Result<Vec<Lesson>, Vec<LessonError>> {
    let mut lessons = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        match load_file(file) {
            Ok(l) => lessons.push(l),
            Err(e) => errors.push(e),
        }
    }
    let mut seen = std::collections::BTreeMap::new();
    for l in &lessons {
        if let Some(first) = seen.insert(l.id.clone(), l.file.clone()) {
            errors.push(LessonError::whole_file(
                &l.file,
                format!("lesson id `{}` is also used by {}", l.id, first.display()),
            ));
        }
    }
    if errors.is_empty() {
        Ok(lessons)
    } else {
        Err(errors)
    }
}

/// The lesson files under `path` (a file is itself), sorted, recursing into folders.
pub fn lesson_files(path: &Path) -> Result<Vec<PathBuf>, LessonError> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let entries = std::fs::read_dir(path).map_err(|e| {
        LessonError::whole_file(path, format!("cannot read the lessons folder: {e}"))
    })?;
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(lesson_files(&p)?);
        } else if p.extension().is_some_and(|e| e == "toml")
            && p.file_name().is_some_and(|n| n != "parity.toml")
        {
            // `parity.toml` lists the known differences between engines (see runner::parity).
            out.push(p);
        }
    }
    Ok(out)
}

struct Validator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Validator<'_> {
    fn err(&self, offset: usize, message: impl Into<String>) -> LessonError {
        LessonError::at(self.path, self.text, offset, message)
    }

    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn lesson(&self, raw: RawLesson) -> Result<Lesson, LessonError> {
        let format = *raw.format.get_ref();
        if format != FORMAT {
            let why = if format > FORMAT {
                format!("this lesson is written in format {format}, but this docktutor reads format {FORMAT}; update docktutor")
            } else {
                format!("unknown lesson format {format}; expected `format = {FORMAT}`")
            };
            return Err(self.err(raw.format.span().start, why));
        }
        let id = self.identifier(&raw.id, "lesson id")?;
        let mut units = Vec::new();
        for u in &raw.units {
            let s = u.get_ref();
            let ok = s.split_once('.').is_some_and(|(a, b)| {
                a.len() == 3
                    && a.bytes().all(|c| c.is_ascii_digit())
                    && !b.is_empty()
                    && b.bytes().all(|c| c.is_ascii_digit())
            });
            if !ok {
                return Err(self.err(
                    u.span().start,
                    format!("`{s}` is not a curriculum unit id; expected one like `000.3`"),
                ));
            }
            units.push(s.clone());
        }
        let mut setup = crate::lesson::Setup::default();
        for (path, content) in raw.setup.files {
            if !is_inside(path.get_ref()) {
                return Err(self.err(
                    path.span().start,
                    format!(
                        "setup file `{}` must be a relative path inside the workspace",
                        path.get_ref()
                    ),
                ));
            }
            setup.files.push((path.into_inner(), content));
        }
        for (path, members) in raw.setup.archives {
            if !is_inside(path.get_ref()) {
                return Err(self.err(
                    path.span().start,
                    format!(
                        "setup archive `{}` must be a relative path inside the workspace",
                        path.get_ref()
                    ),
                ));
            }
            if members.is_empty() {
                return Err(self.err(
                    path.span().start,
                    format!("setup archive `{}` needs at least one file", path.get_ref()),
                ));
            }
            for member in members.keys() {
                if !is_inside(member) || member.ends_with('/') {
                    return Err(self.err(
                        path.span().start,
                        format!(
                            "`{member}` in setup archive `{}` must be a relative file path",
                            path.get_ref()
                        ),
                    ));
                }
            }
            setup
                .archives
                .push((path.into_inner(), members.into_iter().collect()));
        }
        for c in &raw.setup.commands {
            setup.commands.push(self.command_line(c)?);
        }
        if raw.steps.is_empty() {
            return Err(LessonError::whole_file(
                self.path,
                "a lesson needs at least one `[[step]]`",
            ));
        }
        let mut ids = BTreeSet::new();
        let mut steps = Vec::new();
        for s in raw.steps {
            let offset = s.span().start;
            let step = self.step(s.into_inner(), offset)?;
            if !ids.insert(step.id.clone()) {
                return Err(self.err(offset, format!("step id `{}` is used twice", step.id)));
            }
            steps.push(step);
        }
        Ok(Lesson {
            file: self.path.to_path_buf(),
            id,
            title: raw.title,
            note: raw.note,
            units,
            intro: raw.intro,
            outro: raw.outro,
            setup,
            steps,
        })
    }

    fn identifier(&self, s: &Spanned<String>, what: &str) -> Result<String, LessonError> {
        let v = s.get_ref();
        let ok = !v.is_empty()
            && v.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.');
        if ok {
            Ok(v.clone())
        } else {
            Err(self.err(
                s.span().start,
                format!("{what} `{v}` must be lower-case letters, digits, `-` or `.`"),
            ))
        }
    }

    fn command_line(&self, c: &Spanned<String>) -> Result<SourceLine, LessonError> {
        let text = c.get_ref();
        if text.trim().is_empty() {
            return Err(self.err(c.span().start, "a command line cannot be empty"));
        }
        if let Err(e) = crate::command::shell::parse_script(text) {
            return Err(self.err(
                c.span().start,
                format!("`{text}` is not a valid command line: {}", e.message),
            ));
        }
        Ok(SourceLine {
            text: text.clone(),
            line: self.line_of(c.span().start),
        })
    }

    fn step(&self, raw: RawStep, offset: usize) -> Result<Step, LessonError> {
        let id = self.identifier(&raw.id, "step id")?;
        if raw.solution.get_ref().is_empty() {
            return Err(self.err(
                raw.solution.span().start,
                format!("step `{id}` needs a reference solution (at least one command line)"),
            ));
        }
        let mut solution = Vec::new();
        for c in raw.solution.get_ref() {
            solution.push(self.command_line(c)?);
        }
        let checks_at = raw.checks.as_ref().map_or(offset, |c| c.span().start);
        let raw_checks = raw.checks.map(Spanned::into_inner).unwrap_or_default();
        if raw_checks.is_empty() {
            let at = checks_at;
            return Err(self.err(
                at,
                format!("step `{id}` needs at least one check of what the learner should achieve"),
            ));
        }
        let mut checks = Vec::new();
        for c in raw_checks {
            checks.push(self.check(c, true)?);
        }
        let mut wrong = Vec::new();
        for w in raw.wrong {
            let at = w.span().start;
            wrong.push(self.wrong(w.into_inner(), at)?);
        }
        Ok(Step {
            id,
            title: raw.title,
            text: raw.text,
            explain: raw.explain,
            solution,
            hints: raw.hints,
            checks,
            wrong,
            line: self.line_of(offset),
        })
    }

    fn wrong(&self, raw: RawWrong, offset: usize) -> Result<WrongAttempt, LessonError> {
        if raw.commands.is_empty() {
            return Err(self.err(
                offset,
                "a wrong attempt needs the `commands` a learner would type",
            ));
        }
        if raw.hint.trim().is_empty() {
            return Err(self.err(offset, "a wrong attempt needs the `hint` it should earn"));
        }
        let mut commands = Vec::new();
        for c in &raw.commands {
            commands.push(self.command_line(c)?);
        }
        let mut when = Vec::new();
        for c in raw.when {
            when.push(self.check(c, false)?);
        }
        Ok(WrongAttempt {
            commands,
            hint: raw.hint,
            typed: raw.typed,
            when,
            line: self.line_of(offset),
        })
    }

    fn check(&self, raw: Spanned<RawCheck>, needs_fail: bool) -> Result<Check, LessonError> {
        let at = raw.span().start;
        let r = raw.into_inner();
        let mut found: Vec<Predicate> = Vec::new();
        found.extend(r.container.map(Predicate::Container));
        found.extend(r.containers.map(Predicate::Containers));
        found.extend(r.file.map(Predicate::File));
        found.extend(r.host.map(Predicate::Host));
        found.extend(r.image.map(Predicate::Image));
        found.extend(r.last.map(Predicate::Last));
        found.extend(r.logs.map(Predicate::Logs));
        found.extend(r.prompt.map(Predicate::Prompt));
        const KINDS: &str =
            "`container`, `containers`, `file`, `host`, `image`, `last`, `logs` or `prompt`";
        let predicate = match found.len() {
            0 => return Err(self.err(at, format!("a check needs one of {KINDS}"))),
            1 => found.pop().expect("one predicate"),
            _ => {
                let keys: Vec<&str> = found.iter().map(Predicate::key).collect();
                return Err(self.err(
                    at,
                    format!(
                        "a check has exactly one of {KINDS}; this one has {}",
                        keys.join(" and ")
                    ),
                ));
            }
        };
        let fail = r.fail.unwrap_or_default();
        if needs_fail && fail.trim().is_empty() {
            return Err(self.err(
                at,
                format!(
                    "this `{}` check needs `fail = \"…\"`: the sentence shown when it does not hold",
                    predicate.key()
                ),
            ));
        }
        if let Predicate::Host(h) = &predicate {
            if !is_inside(&h.path) {
                return Err(self.err(
                    at,
                    format!("host path `{}` must stay inside the workspace", h.path),
                ));
            }
        }
        Ok(Check { predicate, fail })
    }
}

/// A relative path that cannot climb out of the workspace.
fn is_inside(path: &str) -> bool {
    let p = Path::new(path);
    !p.is_absolute()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests;
