//! Known differences between the simulator and a real engine, each with the reason a reader
//! needs: `lessons/parity.toml` for the lessons' parity report, `scenarios/parity.toml` for
//! scenario files and markdown documents under `--engine both`. One format and one matcher for
//! both; the format is described in `scenarios/README.md`.

use std::fmt;
use std::path::Path;

use serde::Deserialize;

/// What of a typed line (or a step's checks) differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum What {
    #[serde(rename = "stdout")]
    Stdout,
    #[serde(rename = "stderr")]
    Stderr,
    #[serde(rename = "exit code")]
    ExitCode,
    /// A lesson step's state checks (lessons only).
    #[serde(rename = "checks")]
    Checks,
    /// What a markdown document shows: stderr and stdout together. Rules name `stdout` or
    /// `stderr`; either explains a difference in the terminal text.
    #[serde(skip)]
    Output,
}

impl What {
    pub fn as_str(self) -> &'static str {
        match self {
            What::Stdout => "stdout",
            What::Stderr => "stderr",
            What::ExitCode => "exit code",
            What::Checks => "checks",
            What::Output => "output",
        }
    }
}

impl fmt::Display for What {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `what = "stderr"` or `what = ["exit code", "stdout", "stderr"]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Whats {
    One(What),
    Many(Vec<What>),
}

impl Whats {
    fn covers(&self, what: What) -> bool {
        let one = |w: &What| {
            *w == what || (what == What::Output && matches!(w, What::Stdout | What::Stderr))
        };
        match self {
            Whats::One(w) => one(w),
            Whats::Many(ws) => ws.iter().any(one),
        }
    }
}

/// The list in a folder's `parity.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDifferences {
    #[serde(default)]
    pub known: Vec<Known>,
}

/// One understood difference. Every glob that is given must match; `*` matches any text.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Known {
    /// Glob over lesson ids (`lessons/parity.toml`).
    pub lesson: Option<String>,
    /// Glob over the file name (`003-images-and-containers.toml`, `004-*.md`).
    pub file: Option<String>,
    /// Glob over case names (`Docker tutorial (note 002): *`).
    pub case: Option<String>,
    /// Glob over the typed line.
    pub command: String,
    pub what: Whats,
    /// Text the line's output contains (stdout or stderr, on either side, after normalising
    /// ids, names, times and sizes), for the rule to apply. Empty: always.
    #[serde(default)]
    pub contains: String,
    /// Why the engines differ here, for a reader of the report.
    pub reason: String,
}

/// Where a difference was seen.
#[derive(Clone, Copy, Debug, Default)]
pub struct Subject<'a> {
    pub lesson: Option<&'a str>,
    pub file: Option<&'a str>,
    pub case: Option<&'a str>,
}

impl<'a> Subject<'a> {
    pub fn lesson(id: &'a str) -> Self {
        Subject {
            lesson: Some(id),
            ..Default::default()
        }
    }

    /// A case of a scenario file or document at `file` (matched by its file name).
    pub fn case(file: &'a Path, case: &'a str) -> Self {
        Subject {
            file: file.file_name().and_then(|n| n.to_str()),
            case: Some(case),
            ..Default::default()
        }
    }
}

impl KnownDifferences {
    /// `parity.toml` in `dir`, if there is one; every rule must say why.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let path = dir.join("parity.toml");
        match std::fs::read_to_string(&path) {
            Err(_) => Ok(Self::default()),
            Ok(text) => Self::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let known: Self = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            format!("line {line}: {}", e.message().trim())
        })?;
        for (i, k) in known.known.iter().enumerate() {
            if k.reason.trim().is_empty() {
                return Err(format!(
                    "known difference {} (`{}`) has no reason; say why the engines differ",
                    i + 1,
                    k.command
                ));
            }
            if let Whats::Many(w) = &k.what {
                if w.is_empty() {
                    return Err(format!(
                        "known difference {} (`{}`) names no `what`",
                        i + 1,
                        k.command
                    ));
                }
            }
        }
        Ok(known)
    }

    /// The reason for a difference in `what` of the line `command`, if one is known. `output`
    /// is what the line printed (both streams, both sides) for `contains`.
    pub fn explain(
        &self,
        subject: Subject<'_>,
        command: &str,
        what: What,
        output: &[&str],
    ) -> Option<&str> {
        let glob_on = |pattern: &Option<String>, text: Option<&str>| match (pattern, text) {
            (None, _) => true,
            (Some(p), Some(t)) => glob(p, t),
            (Some(_), None) => false,
        };
        self.known
            .iter()
            .find(|k| {
                glob_on(&k.lesson, subject.lesson)
                    && glob_on(&k.file, subject.file)
                    && glob_on(&k.case, subject.case)
                    && glob(&k.command, command)
                    && k.what.covers(what)
                    && (k.contains.is_empty() || output.iter().any(|o| o.contains(&k.contains)))
            })
            .map(|k| k.reason.as_str())
    }
}

/// `*` matches any text; everything else literally.
fn glob(pattern: &str, text: &str) -> bool {
    crate::check::Globs::One(pattern.to_string()).matches(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"
[[known]]
lesson = "*"
command = "docker run*"
what = "stderr"
contains = "Unable to find image"
reason = "the simulator pulls; the real engine has the stand-in already"

[[known]]
file = "001-*.toml"
command = "docker pull *"
what = ["exit code", "stdout", "stderr"]
contains = "registry-1.docker.io"
reason = "no registry is reachable"
"#;

    #[test]
    fn every_given_glob_and_the_text_must_match() {
        let k = KnownDifferences::parse(RULES).unwrap();
        let lesson = Subject::lesson("x");
        let pull = ["Unable to find image 'ubuntu:latest' locally"];
        assert!(k
            .explain(lesson, "docker run -it ubuntu", What::Stderr, &pull)
            .is_some());
        assert!(k
            .explain(lesson, "docker run -it ubuntu", What::Stdout, &pull)
            .is_none());
        assert!(k
            .explain(lesson, "docker ps", What::Stderr, &pull)
            .is_none());
        assert!(k
            .explain(lesson, "docker run x", What::Stderr, &["something else"])
            .is_none());

        // `lesson` rules are for lessons, `file` rules for scenario files.
        let case = Subject::case(Path::new("scenarios/001-image-naming.toml"), "c");
        assert!(k
            .explain(case, "docker run -it ubuntu", What::Stderr, &pull)
            .is_none());
        let offline = ["Error response from daemon: Get \"https://registry-1.docker.io/v2/\""];
        for what in [What::ExitCode, What::Stdout, What::Stderr, What::Output] {
            assert!(k
                .explain(case, "docker pull busybox", what, &offline)
                .is_some());
        }
        let other = Subject::case(Path::new("scenarios/002-x.toml"), "c");
        assert!(k
            .explain(other, "docker pull busybox", What::ExitCode, &offline)
            .is_none());
        assert!(k
            .explain(case, "docker pull busybox", What::ExitCode, &["pulled"])
            .is_none());
    }

    #[test]
    fn a_rule_without_a_reason_or_with_an_unknown_what_is_refused() {
        let e = KnownDifferences::parse(
            "[[known]]\ncommand = \"ls\"\nwhat = \"stdout\"\nreason = \" \"\n",
        )
        .unwrap_err();
        assert!(e.contains("has no reason"), "{e}");
        let e = KnownDifferences::parse(
            "[[known]]\ncommand = \"ls\"\nwhat = \"colour\"\nreason = \"r\"\n",
        )
        .unwrap_err();
        assert!(e.starts_with("line "), "{e}");
        let e = KnownDifferences::parse(
            "[[known]]\ncommand = \"ls\"\nwhat = \"stdout\"\nreason = \"r\"\nwhy = 1\n",
        )
        .unwrap_err();
        assert!(e.contains("unknown field"), "{e}");
    }
}
