//! Where the REPL's lines come from: rustyline on a terminal (history, completion), plain
//! lines when stdin is piped (tests, scripts), echoed so a transcript reads like a session.

use std::cell::RefCell;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::rc::Rc;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

/// What reading a line produced.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    Line(String),
    /// Ctrl-C: abandon the current line.
    Interrupted,
    /// Ctrl-D / end of input.
    Eof,
}

/// Names the completer offers, refreshed by the REPL after each command.
#[derive(Default, Debug, Clone)]
pub struct CompletionWords {
    pub containers: Vec<String>,
    pub images: Vec<String>,
    pub meta: Vec<String>,
    pub inside_container: bool,
}

pub struct TutorHelper {
    pub words: Rc<RefCell<CompletionWords>>,
}

impl Completer for TutorHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let partial = &before[start..];
        let words = self.words.borrow();
        let typed: Vec<&str> = before[..start].split_whitespace().collect();
        let mut candidates: Vec<String> = Vec::new();
        if typed.is_empty() && partial.starts_with(':') {
            candidates = words.meta.clone();
        } else if words.inside_container {
            return Ok((start, vec![]));
        } else if typed.first() == Some(&"docker") {
            candidates = crate::command::defs::completions(&typed[1..]);
            candidates.extend(words.containers.iter().cloned());
            candidates.extend(words.images.iter().cloned());
        } else if typed.is_empty() {
            candidates.push("docker".into());
            candidates.extend(crate::session::HOST_COMMANDS.iter().map(|s| s.to_string()));
        }
        let mut pairs: Vec<Pair> = candidates
            .into_iter()
            .filter(|c| c.starts_with(partial))
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        pairs.sort_by(|a, b| a.display.cmp(&b.display));
        pairs.dedup_by(|a, b| a.display == b.display);
        Ok((start, pairs))
    }
}

impl Hinter for TutorHelper {
    type Hint = String;
}
impl Highlighter for TutorHelper {}
impl Validator for TutorHelper {}
impl Helper for TutorHelper {}

pub enum LineSource {
    Terminal(Box<Editor<TutorHelper, DefaultHistory>>, Option<PathBuf>),
    Piped(std::io::StdinLock<'static>),
}

impl LineSource {
    /// rustyline when stdin and stdout are terminals, plain lines otherwise.
    pub fn open(words: Rc<RefCell<CompletionWords>>, history: Option<PathBuf>) -> LineSource {
        if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
            if let Ok(mut editor) = Editor::<TutorHelper, DefaultHistory>::new() {
                editor.set_helper(Some(TutorHelper { words }));
                if let Some(h) = &history {
                    let _ = editor.load_history(h);
                }
                return LineSource::Terminal(Box::new(editor), history);
            }
        }
        LineSource::Piped(std::io::stdin().lock())
    }

    pub fn read(&mut self, prompt: &str) -> Read {
        match self {
            LineSource::Terminal(editor, history) => match editor.readline(prompt) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = editor.add_history_entry(line.as_str());
                        if let Some(h) = history {
                            if let Some(dir) = h.parent() {
                                let _ = std::fs::create_dir_all(dir);
                            }
                            let _ = editor.save_history(h);
                        }
                    }
                    Read::Line(line)
                }
                Err(ReadlineError::Interrupted) => Read::Interrupted,
                Err(_) => Read::Eof,
            },
            LineSource::Piped(stdin) => {
                print!("{prompt}");
                let _ = std::io::stdout().flush();
                let mut line = String::new();
                match stdin.read_line(&mut line) {
                    Ok(0) | Err(_) => {
                        println!();
                        Read::Eof
                    }
                    Ok(_) => {
                        let line = line.trim_end_matches(['\n', '\r']).to_string();
                        // Echo, so a piped transcript shows what was typed.
                        println!("{line}");
                        Read::Line(line)
                    }
                }
            }
        }
    }

    /// Switch the history file (each lesson keeps its own).
    pub fn set_history(&mut self, path: Option<PathBuf>) {
        if let LineSource::Terminal(editor, history) = self {
            let _ = editor.clear_history();
            if let Some(h) = &path {
                let _ = editor.load_history(h);
            }
            *history = path;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustyline::history::DefaultHistory;

    fn complete(words: CompletionWords, line: &str) -> Vec<String> {
        let helper = TutorHelper {
            words: Rc::new(RefCell::new(words)),
        };
        let history = DefaultHistory::new();
        let ctx = Context::new(&history);
        let (_, pairs) = helper.complete(line, line.len(), &ctx).unwrap();
        pairs.into_iter().map(|p| p.replacement).collect()
    }

    #[test]
    fn completes_subcommands_flags_names_and_meta_commands() {
        let words = CompletionWords {
            containers: vec!["sandbox".into()],
            images: vec!["ubuntu:latest".into()],
            meta: vec![":hint".into(), ":help".into()],
            inside_container: false,
        };
        assert!(complete(words.clone(), "docker ru").contains(&"run".to_string()));
        assert!(complete(words.clone(), "docker run --na").contains(&"--name".to_string()));
        assert_eq!(complete(words.clone(), "docker start sa"), vec!["sandbox"]);
        assert_eq!(
            complete(words.clone(), "docker run -it ub"),
            vec!["ubuntu:latest"]
        );
        assert_eq!(complete(words.clone(), ":h"), vec![":help", ":hint"]);
        assert!(complete(words.clone(), "doc").contains(&"docker".to_string()));
        let inside = CompletionWords {
            inside_container: true,
            ..words
        };
        assert!(complete(inside, "docker ru").is_empty());
    }
}
