//! Scenario files (`scenarios/*.toml`, format 1): command lines with their expected output and
//! exit code, each case on a fresh engine. Documented in `scenarios/README.md`.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::case::{Case, Expected, Only, OnlyOn, Output, Place, Step};
use super::redact;
use super::CaseOutcome;
use crate::engine::EngineSelector;
use crate::lesson::LessonError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    format: Spanned<u32>,
    title: String,
    /// The note the scenario checks (`001_1b1bfe09f1d5051a.txt`); for readers of the file.
    #[allow(dead_code)]
    note: Option<String>,
    #[serde(rename = "case")]
    cases: Vec<Spanned<RawCase>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    /// Where the note differs from today's Docker, in words (shown in reports).
    differs: Option<String>,
    /// Set to skip the case, with the reason.
    skip: Option<String>,
    /// Redactions of literal values in expected output (`"ids,ages"`, `"all"`).
    redact: Option<Spanned<String>>,
    /// Run on one engine only (`"sim"` or `"docker"`), with `because`.
    engine: Option<Spanned<String>>,
    /// Why the case runs on one engine only (required with `engine`).
    because: Option<String>,
    commands: Vec<Spanned<RawCommand>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommand {
    run: Spanned<String>,
    /// Expected exit code (default 0).
    exit: Option<Spanned<i32>>,
    stdout: Option<Spanned<String>>,
    stderr: Option<Spanned<String>>,
    /// Input for the line (lines typed into an attached shell are commands of their own).
    stdin: Option<String>,
}

/// Whether a TOML file is a scenario (it has `[[case]]` tables) rather than a lesson.
pub fn is_scenario(text: &str) -> bool {
    text.lines().any(|l| l.trim() == "[[case]]")
}

/// The cases of a scenario file, or what is wrong with it (`file:line:col`).
pub fn parse(file: &Path, text: &str) -> Result<(String, Vec<Case>), LessonError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        LessonError::at(file, text, offset, e.message().trim().replace('\n', " "))
    })?;
    if *raw.format.get_ref() != 1 {
        return Err(LessonError::at(
            file,
            text,
            raw.format.span().start,
            format!(
                "scenario format {} is not one this docktutor reads (1)",
                raw.format.get_ref()
            ),
        ));
    }
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let mut cases = Vec::new();
    for spanned in raw.cases {
        let case_start = spanned.span().start;
        let case = spanned.into_inner();
        let redact = match &case.redact {
            Some(r) => redact::parse_list(r.get_ref())
                .map_err(|m| LessonError::at(file, text, r.span().start, m))?,
            None => Vec::new(),
        };
        let only = match &case.engine {
            None => None,
            Some(e) => {
                let engine = match e.get_ref().as_str() {
                    "sim" => Only::Sim,
                    "docker" => Only::Docker,
                    other => {
                        return Err(LessonError::at(
                            file,
                            text,
                            e.span().start,
                            format!("unknown engine `{other}`: expected sim or docker"),
                        ))
                    }
                };
                let because = case
                    .because
                    .clone()
                    .filter(|b| !b.trim().is_empty())
                    .ok_or_else(|| {
                        LessonError::at(
                            file,
                            text,
                            e.span().start,
                            "`engine` needs `because = \"…\"`: why the case runs on one engine only"
                                .to_string(),
                        )
                    })?;
                Some(OnlyOn { engine, because })
            }
        };
        let steps = case
            .commands
            .into_iter()
            .map(|c| {
                let c = c.into_inner();
                let after_run = c.run.span().end;
                let string = |v: Option<Spanned<String>>| {
                    v.map(|s| Expected {
                        place: Place::Toml(s.span()),
                        value: s.into_inner(),
                    })
                };
                Step {
                    line: line_of(c.run.span().start),
                    in_container: false,
                    exit: Some(match c.exit {
                        Some(e) => Expected {
                            place: Place::Toml(e.span()),
                            value: e.into_inner(),
                        },
                        None => Expected {
                            value: 0,
                            place: Place::TomlAbsent(after_run),
                        },
                    }),
                    stdin: c.stdin,
                    output: Output::Separate {
                        stdout: string(c.stdout),
                        stderr: string(c.stderr),
                    },
                    run: c.run.into_inner(),
                }
            })
            .collect::<Vec<_>>();
        cases.push(Case {
            name: format!("{}: {}", raw.title, case.name),
            line: steps.first().map_or(line_of(case_start), |s| s.line),
            skip: case.skip,
            differs: case.differs,
            redact,
            only,
            continues: false,
            prompts: false,
            steps,
        });
    }
    Ok((raw.title, cases))
}

/// Check a scenario file on one engine (kept for callers of the first runner).
pub fn check_file(
    file: &Path,
    text: &str,
    selector: EngineSelector,
    engine_name: &str,
) -> Vec<CaseOutcome> {
    match parse(file, text) {
        Ok((_, cases)) => super::execute::check_cases(file, &cases, selector, engine_name),
        Err(err) => vec![CaseOutcome::broken(file, err.line, err.render())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_on_one_engine_says_why_or_is_an_error_at_its_place() {
        let text = "format = 1\ntitle = \"T\"\n[[case]]\nname = \"c\"\nengine = \"docker\"\ncommands = [{ run = \"docker build .\" }]\n";
        let e = parse(Path::new("s.toml"), text).unwrap_err();
        assert_eq!((e.line, e.column), (5, 10), "{}", e.render());
        assert!(
            e.message.contains("`engine` needs `because"),
            "{}",
            e.message
        );

        let text = text.replace(
            "engine = \"docker\"\n",
            "engine = \"docker\"\nbecause = \"the simulator cannot\"\n",
        );
        let (_, cases) = parse(Path::new("s.toml"), &text).unwrap();
        assert_eq!(
            cases[0].only,
            Some(OnlyOn {
                engine: Only::Docker,
                because: "the simulator cannot".into()
            })
        );
    }
}
