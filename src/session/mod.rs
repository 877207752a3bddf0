//! A learner's session: one engine, one workspace folder, the host prompt and, after
//! `docker run -it …`, the container prompt. The REPL, lesson checks and the scenario runner
//! all type lines into a [`Session`].

mod host_shell;

use std::path::{Path, PathBuf};

use crate::client::{Attachment, Client, ClientOptions, CommandResult};
use crate::engine::Engine;

pub use host_shell::HOST_COMMANDS;

/// What one typed line produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineResult {
    /// The line as typed.
    pub line: String,
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    /// docktutor's own remarks (unsupported options, skipped waits), not docker's output.
    pub notes: Vec<String>,
    /// Whether the line was typed inside a container (at its prompt).
    pub in_container: bool,
}

impl LineResult {
    fn from_command(line: &str, r: CommandResult, in_container: bool) -> Self {
        LineResult {
            line: line.to_string(),
            stdout: r.stdout,
            stderr: r.stderr,
            exit_code: r.exit_code,
            notes: r.notes,
            in_container,
        }
    }
}

pub struct Session {
    engine: Box<dyn Engine>,
    /// The lesson's own host folder; host commands cannot leave it.
    workspace: PathBuf,
    /// The host prompt's working directory, inside `workspace`.
    cwd: PathBuf,
    vars: std::collections::BTreeMap<String, String>,
    attached: Option<Attachment>,
    last: Option<LineResult>,
    /// Containers that appeared during this session, oldest first (for `last`/`first` checks).
    created: Vec<String>,
    known: std::collections::BTreeSet<String>,
    /// When the lesson's current step began (engine clock), for `restarted` checks.
    step_started: Option<crate::engine::Timestamp>,
}

impl Session {
    /// A session over `engine` whose host commands work in `workspace` (created if missing).
    pub fn new(mut engine: Box<dyn Engine>, workspace: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(workspace)?;
        let workspace = workspace.canonicalize()?;
        engine.confine_binds(&workspace);
        let mut s = Session {
            engine,
            cwd: workspace.clone(),
            workspace,
            vars: Default::default(),
            attached: None,
            last: None,
            created: Vec::new(),
            known: Default::default(),
            step_started: None,
        };
        s.known = s.container_ids().into_iter().collect();
        Ok(s)
    }

    pub fn engine(&mut self) -> &mut dyn Engine {
        self.engine.as_mut()
    }

    pub fn workspace(&self) -> &Path {
        &self.workspace
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// The attached container process, when typing goes into a container.
    pub fn attached(&self) -> Option<&Attachment> {
        self.attached.as_ref()
    }

    pub fn last(&self) -> Option<&LineResult> {
        self.last.as_ref()
    }

    /// Container ids created during this session, oldest first.
    pub fn created_containers(&self) -> &[String] {
        &self.created
    }

    /// The prompt for the next line: `$ ` on the host, the container shell's own prompt
    /// (`root@748bbf68455d:/# `) inside one.
    pub fn prompt(&self) -> String {
        match &self.attached {
            Some(a) => a.prompt.clone().unwrap_or_default(),
            None => "$ ".to_string(),
        }
    }

    /// Type one line at the current prompt.
    pub fn execute(&mut self, line: &str) -> LineResult {
        let result = match self.attached.clone() {
            Some(att) => {
                let mut data = line.as_bytes().to_vec();
                data.push(b'\n');
                let r = self.client().input(&att, &data);
                self.attached = r.attached.clone();
                LineResult::from_command(line, r, true)
            }
            None => host_shell::run_line(self, line),
        };
        let result = normalize(result);
        self.track_new_containers();
        self.last = Some(result.clone());
        result
    }

    /// Ctrl-D: end of input for the attached process (leaves the container shell).
    pub fn end_of_input(&mut self) -> Option<LineResult> {
        let att = self.attached.clone()?;
        let r = self.client().close_stdin(&att);
        self.attached = r.attached.clone();
        let result = normalize(LineResult::from_command("^D", r, true));
        self.track_new_containers();
        self.last = Some(result.clone());
        Some(result)
    }

    /// Leave any container prompt without ending the process (the REPL's reset).
    pub fn detach(&mut self) {
        self.attached = None;
    }

    pub(crate) fn client(&mut self) -> Client<'_> {
        let mut env: std::collections::BTreeMap<String, String> = self.vars.clone();
        env.entry("PWD".into())
            .or_insert_with(|| self.cwd.display().to_string());
        let options = ClientOptions {
            cwd: self.cwd.clone(),
            env,
        };
        Client::new(self.engine.as_mut(), options)
    }

    fn container_ids(&mut self) -> Vec<String> {
        let mut rows = self.engine.container_list(true, false).unwrap_or_default();
        rows.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
        rows.into_iter().map(|r| r.id).collect()
    }

    fn track_new_containers(&mut self) {
        for id in self.container_ids() {
            if self.known.insert(id.clone()) {
                self.created.push(id);
            }
        }
    }
}

/// What a terminal shows: a tty's `\r\n` is a plain newline to the learner and to checks.
fn normalize(mut r: LineResult) -> LineResult {
    r.stdout = r.stdout.replace("\r\n", "\n");
    r.stderr = r.stderr.replace("\r\n", "\n");
    r
}

impl Session {
    /// What lesson checks look at, borrowed from this session.
    pub fn check_context(&mut self) -> crate::check::CheckContext<'_> {
        crate::check::CheckContext {
            engine: self.engine.as_mut(),
            workspace: &self.workspace,
            created: &self.created,
            last: self.last.as_ref(),
            inside_container: self.attached.is_some(),
            step_started: self.step_started,
        }
    }
}

impl Session {
    /// Mark the start of a lesson step, on the engine's clock.
    pub fn begin_step(&mut self) {
        self.step_started = Some(self.engine.now());
    }

    /// Treat every existing container as made before the lesson (after a lesson's setup).
    pub fn forget_created(&mut self) {
        self.created.clear();
        self.known = self.container_ids().into_iter().collect();
    }
}
