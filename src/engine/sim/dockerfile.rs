//! Dockerfile parsing, the way the classic builder reads a Dockerfile: comment lines are
//! dropped (also inside continuations), an escape character at the end of a line joins it with
//! the next, instructions are case-insensitive, and errors carry dockerd's own text
//! (`dockerfile parse error line 3: unknown instruction: RUNN`).
//!
//! The texts were taken from the daemon on the development machines (Engine 20.10, classic
//! builder); newer engines word a few of them differently (see the build notes in the commit
//! log).

use thiserror::Error;

/// Why a Dockerfile cannot be built. `Display` is dockerd's message without the
/// `Error response from daemon: ` prefix the CLI adds.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ParseError {
    #[error("dockerfile parse error line {line}: {message}")]
    Line { line: usize, message: String },
    /// Errors dockerd reports without a line number.
    #[error("failed to parse Dockerfile: {0}")]
    Whole(String),
}

fn at(line: usize, message: impl Into<String>) -> ParseError {
    ParseError::Line {
        line,
        message: message.into(),
    }
}

/// `RUN`, `CMD` and `ENTRYPOINT` take a shell line or a JSON array (exec form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Shell(String),
    Exec(Vec<String>),
}

impl Command {
    /// The argv the container runs: shell form goes through `/bin/sh -c`.
    pub fn argv(&self) -> Vec<String> {
        match self {
            Command::Shell(s) => vec!["/bin/sh".into(), "-c".into(), s.clone()],
            Command::Exec(v) => v.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    From {
        image: String,
        alias: Option<String>,
    },
    Run(Command),
    Cmd(Command),
    Entrypoint(Command),
    /// key=value pairs, quotes removed.
    Label(Vec<(String, String)>),
    Env(Vec<(String, String)>),
    Expose(Vec<String>),
    Copy {
        from: Option<String>,
        sources: Vec<String>,
        dest: String,
    },
    Add {
        sources: Vec<String>,
        dest: String,
    },
    Workdir(String),
    User(String),
    Arg {
        name: String,
        default: Option<String>,
    },
    Volume(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// 1-based line the instruction starts on.
    pub line: usize,
    /// The instruction as written, continuations joined: what `Step 2/5 : …` prints.
    pub original: String,
    pub kind: Kind,
}

/// Parse a whole Dockerfile. An empty file (only comments) is an empty list; the builder
/// turns that into dockerd's "cannot be empty" message.
pub fn parse(text: &str) -> Result<Vec<Instruction>, ParseError> {
    let mut escape = '\\';
    let lines: Vec<&str> = text.lines().collect();
    // Parser directives: `# escape=`` ` ` on the first lines, before anything else.
    for l in &lines {
        let t = l.trim();
        let Some(d) = t.strip_prefix('#') else { break };
        let Some((k, v)) = d.split_once('=') else {
            break;
        };
        if k.trim().eq_ignore_ascii_case("escape") {
            let v = v.trim();
            if v == "`" {
                escape = '`';
            } else if v != "\\" {
                return Err(ParseError::Whole(format!(
                    "invalid ESCAPE '{v}'. Must be ` or \\"
                )));
            }
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i + 1;
        let first = lines[i];
        i += 1;
        let t = first.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut joined = String::new();
        let mut cur = first.to_string();
        loop {
            let trimmed = cur.trim_end();
            if let Some(body) = trimmed.strip_suffix(escape) {
                joined.push_str(body);
                // Comment and blank lines inside a continuation are dropped.
                while i < lines.len()
                    && (lines[i].trim().is_empty() || lines[i].trim_start().starts_with('#'))
                {
                    i += 1;
                }
                if i >= lines.len() {
                    break;
                }
                cur = lines[i].to_string();
                i += 1;
            } else {
                joined.push_str(&cur);
                break;
            }
        }
        let original = joined.trim().to_string();
        let (word, rest) = match original.split_once(char::is_whitespace) {
            Some((w, r)) => (w.to_string(), r.trim().to_string()),
            None => (original.clone(), String::new()),
        };
        let kind = instruction(&word.to_ascii_uppercase(), &rest, start)?;
        out.push(Instruction {
            line: start,
            original,
            kind,
        });
    }
    Ok(out)
}

fn instruction(word: &str, rest: &str, line: usize) -> Result<Kind, ParseError> {
    let words = || split_words(rest);
    Ok(match word {
        "FROM" => {
            let w = words();
            let (w, _platform) = take_flags(w, &["platform"], line)?;
            match w.as_slice() {
                [image] => Kind::From {
                    image: image.clone(),
                    alias: None,
                },
                [image, as_, name] if as_.eq_ignore_ascii_case("as") => Kind::From {
                    image: image.clone(),
                    alias: Some(name.to_ascii_lowercase()),
                },
                _ => return Err(at(line, "FROM requires either one or three arguments")),
            }
        }
        "RUN" => Kind::Run(command(rest)),
        "CMD" => Kind::Cmd(command(rest)),
        "ENTRYPOINT" => Kind::Entrypoint(command(rest)),
        "LABEL" => {
            if rest.is_empty() {
                return Err(at(line, "LABEL requires at least one argument"));
            }
            Kind::Label(pairs("LABEL", rest, line)?)
        }
        "ENV" => {
            if rest.is_empty() {
                return Err(at(line, "ENV requires at least one argument"));
            }
            Kind::Env(pairs("ENV", rest, line)?)
        }
        "EXPOSE" => {
            if rest.is_empty() {
                return Err(at(line, "EXPOSE requires at least one argument"));
            }
            Kind::Expose(words())
        }
        "COPY" | "ADD" => {
            let allowed: &[&str] = if word == "COPY" {
                &["from", "chown", "chmod", "link"]
            } else {
                &["chown", "chmod", "link", "checksum", "keep-git-dir"]
            };
            let (mut w, flags) = take_flags(files(rest), allowed, line)?;
            if w.len() < 2 {
                return Err(at(
                    line,
                    format!("{word} requires at least two arguments, but only one was provided. Destination could not be determined"),
                ));
            }
            let dest = w.pop().unwrap_or_default();
            if word == "COPY" {
                Kind::Copy {
                    from: flags
                        .into_iter()
                        .find(|(k, _)| k == "from")
                        .map(|(_, v)| v.to_ascii_lowercase()),
                    sources: w,
                    dest,
                }
            } else {
                Kind::Add { sources: w, dest }
            }
        }
        "WORKDIR" => {
            let w = words();
            if w.len() != 1 {
                return Err(at(line, "WORKDIR requires exactly one argument"));
            }
            Kind::Workdir(w[0].clone())
        }
        "USER" => {
            let w = words();
            if w.len() != 1 {
                return Err(at(line, "USER requires exactly one argument"));
            }
            Kind::User(w[0].clone())
        }
        "ARG" => {
            let w = words();
            if w.is_empty() {
                return Err(at(line, "ARG requires at least one argument"));
            }
            let (name, default) = match w[0].split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (w[0].clone(), None),
            };
            Kind::Arg { name, default }
        }
        "VOLUME" => match command(rest) {
            Command::Exec(v) => Kind::Volume(v),
            Command::Shell(_) => Kind::Volume(words()),
        },
        other => return Err(at(line, format!("unknown instruction: {other}"))),
    })
}

/// A JSON array of strings is the exec form; anything else (even broken JSON) is a shell
/// line, as dockerd reads it.
fn command(rest: &str) -> Command {
    if rest.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(rest) {
            return Command::Exec(v);
        }
    }
    Command::Shell(rest.to_string())
}

/// COPY/ADD arguments: a JSON array or whitespace-separated words.
fn files(rest: &str) -> Vec<String> {
    if rest.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(rest) {
            return v;
        }
    }
    split_words(rest)
}

/// Words left after the flags, and the flags as (name, value).
type Flagged = (Vec<String>, Vec<(String, String)>);

/// Leading `--name=value` flags; unknown ones are dockerd's `Unknown flag: name`.
fn take_flags(words: Vec<String>, allowed: &[&str], line: usize) -> Result<Flagged, ParseError> {
    let mut flags = Vec::new();
    let mut rest = Vec::new();
    let mut in_flags = true;
    for w in words {
        if in_flags {
            if let Some(f) = w.strip_prefix("--") {
                let (k, v) = f.split_once('=').unwrap_or((f, ""));
                if !allowed.contains(&k) {
                    return Err(at(line, format!("Unknown flag: {k}")));
                }
                flags.push((k.to_string(), v.to_string()));
                continue;
            }
            in_flags = false;
        }
        rest.push(w);
    }
    Ok((rest, flags))
}

/// Whitespace-separated words; quotes group and are removed, a backslash escapes.
pub fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                has = true;
            }
            (None, c) if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                has = false;
            }
            (None, c) => {
                cur.push(c);
                has = true;
            }
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `ENV`/`LABEL` arguments: `k=v k2="v 2"`, or the legacy `ENV key the rest of the line`.
fn pairs(word: &str, rest: &str, line: usize) -> Result<Vec<(String, String)>, ParseError> {
    let w = split_words(rest);
    let first_has_eq = w.first().is_some_and(|x| x.contains('='));
    if !first_has_eq {
        // Legacy form: one key, the value is the remainder of the line (quotes removed).
        let (k, v) = match rest.split_once(char::is_whitespace) {
            Some((k, v)) => (k, v.trim()),
            None => {
                return Err(ParseError::Whole(format!("{word} must have two arguments")));
            }
        };
        let v = split_words(v).join(" ");
        return Ok(vec![(k.to_string(), v)]);
    }
    let mut out = Vec::new();
    for item in w {
        let Some((k, v)) = item.split_once('=') else {
            return Err(at(
                line,
                format!(
                    "Syntax error - can't find = in \"{item}\". Must be of the form: name=value"
                ),
            ));
        };
        if k.is_empty() {
            return Err(at(line, format!("{word} names can not be blank")));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

/// `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+alt}` in ENV, LABEL, COPY, WORKDIR…
/// arguments, as the builder expands them (RUN lines are left to the shell).
pub fn expand(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() && chars[i + 1] == '$' {
            out.push('$');
            i += 2;
            continue;
        }
        if c != '$' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        if chars[i + 1] == '{' {
            if let Some(end) = chars[i + 2..].iter().position(|&c| c == '}') {
                let inner: String = chars[i + 2..i + 2 + end].iter().collect();
                let value = if let Some((name, def)) = inner.split_once(":-") {
                    lookup(name)
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| def.to_string())
                } else if let Some((name, alt)) = inner.split_once(":+") {
                    lookup(name)
                        .filter(|v| !v.is_empty())
                        .map(|_| alt.to_string())
                        .unwrap_or_default()
                } else {
                    lookup(&inner).unwrap_or_default()
                };
                out.push_str(&value);
                i += end + 3;
                continue;
            }
        }
        let name: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
            .collect();
        if name.is_empty() {
            out.push('$');
            i += 1;
        } else {
            out.push_str(&lookup(&name).unwrap_or_default());
            i += 1 + name.chars().count();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        parse(text).unwrap().into_iter().map(|i| i.kind).collect()
    }

    #[test]
    fn instruction_table() {
        let cases: Vec<(&str, Kind)> = vec![
            (
                "FROM busybox",
                Kind::From {
                    image: "busybox".into(),
                    alias: None,
                },
            ),
            (
                "from node:20 AS Build",
                Kind::From {
                    image: "node:20".into(),
                    alias: Some("build".into()),
                },
            ),
            (
                "FROM scratch",
                Kind::From {
                    image: "scratch".into(),
                    alias: None,
                },
            ),
            (
                "RUN apt-get update",
                Kind::Run(Command::Shell("apt-get update".into())),
            ),
            (
                r#"RUN ["/bin/busybox", "--install", "-s", "/bin"]"#,
                Kind::Run(Command::Exec(vec![
                    "/bin/busybox".into(),
                    "--install".into(),
                    "-s".into(),
                    "/bin".into(),
                ])),
            ),
            // Broken JSON is a shell line, as dockerd reads it.
            (
                r#"CMD ["a", "#,
                Kind::Cmd(Command::Shell(r#"["a","#.into())),
            ),
            (
                r#"ENTRYPOINT ["node"]"#,
                Kind::Entrypoint(Command::Exec(vec!["node".into()])),
            ),
            (
                r#"ENV A=1 B="two words""#,
                Kind::Env(vec![
                    ("A".into(), "1".into()),
                    ("B".into(), "two words".into()),
                ]),
            ),
            (
                "ENV C 3 and \"more\"",
                Kind::Env(vec![("C".into(), "3 and more".into())]),
            ),
            (
                r#"LABEL version="1.0" maintainer=me"#,
                Kind::Label(vec![
                    ("version".into(), "1.0".into()),
                    ("maintainer".into(), "me".into()),
                ]),
            ),
            (
                "EXPOSE 80 443/tcp",
                Kind::Expose(vec!["80".into(), "443/tcp".into()]),
            ),
            (
                "COPY --from=Builder /greeting /greeting",
                Kind::Copy {
                    from: Some("builder".into()),
                    sources: vec!["/greeting".into()],
                    dest: "/greeting".into(),
                },
            ),
            (
                "COPY a.txt d /multi/",
                Kind::Copy {
                    from: None,
                    sources: vec!["a.txt".into(), "d".into()],
                    dest: "/multi/".into(),
                },
            ),
            (
                r#"COPY ["my file", "/x"]"#,
                Kind::Copy {
                    from: None,
                    sources: vec!["my file".into()],
                    dest: "/x".into(),
                },
            ),
            (
                "ADD arch.tar /unpacked/",
                Kind::Add {
                    sources: vec!["arch.tar".into()],
                    dest: "/unpacked/".into(),
                },
            ),
            ("WORKDIR /app", Kind::Workdir("/app".into())),
            ("USER node", Kind::User("node".into())),
            (
                "ARG VER=1",
                Kind::Arg {
                    name: "VER".into(),
                    default: Some("1".into()),
                },
            ),
            (
                "ARG NAME",
                Kind::Arg {
                    name: "NAME".into(),
                    default: None,
                },
            ),
        ];
        for (line, want) in cases {
            assert_eq!(kinds(line), vec![want], "{line}");
        }
    }

    #[test]
    fn continuations_and_comments() {
        // Observed on the daemon: `run echo hi \` + comment + `  there` is `run echo hi   there`.
        let text =
            "# top comment\n\nfrom busybox\nrun echo hi \\\n # comment\n\n  there\nRUN a && \\\n    b\n";
        let ins = parse(text).unwrap();
        assert_eq!(ins.len(), 3);
        assert_eq!(ins[0].line, 3);
        assert_eq!(ins[1].original, "run echo hi   there");
        assert_eq!(ins[1].line, 4);
        assert_eq!(ins[2].original, "RUN a &&     b");
        assert_eq!(ins[2].kind, Kind::Run(Command::Shell("a &&     b".into())));
        assert_eq!(ins[2].line, 8);
    }

    #[test]
    fn escape_directive() {
        let ins = parse("# escape=`\nFROM busybox\nRUN echo a `\n  b\n").unwrap();
        assert_eq!(ins[1].original, "RUN echo a   b");
    }

    #[test]
    fn errors_are_dockerds() {
        let cases = [
            (
                "FROM busybox\nRUN echo hi\nRUNN x\n",
                "dockerfile parse error line 3: unknown instruction: RUNN",
            ),
            (
                "FROM\n",
                "dockerfile parse error line 1: FROM requires either one or three arguments",
            ),
            (
                "FROM a b\n",
                "dockerfile parse error line 1: FROM requires either one or three arguments",
            ),
            ("FROM a\nENV A\n", "failed to parse Dockerfile: ENV must have two arguments"),
            (
                "FROM a\nENV =x\n",
                "dockerfile parse error line 2: ENV names can not be blank",
            ),
            (
                "FROM a\nENV\n",
                "dockerfile parse error line 2: ENV requires at least one argument",
            ),
            (
                "FROM a\nLABEL\n",
                "dockerfile parse error line 2: LABEL requires at least one argument",
            ),
            (
                "FROM a\nWORKDIR\n",
                "dockerfile parse error line 2: WORKDIR requires exactly one argument",
            ),
            (
                "FROM a\nUSER\n",
                "dockerfile parse error line 2: USER requires exactly one argument",
            ),
            (
                "FROM a\nARG\n",
                "dockerfile parse error line 2: ARG requires at least one argument",
            ),
            (
                "FROM a\nEXPOSE\n",
                "dockerfile parse error line 2: EXPOSE requires at least one argument",
            ),
            (
                "FROM a\nCOPY a.txt\n",
                "dockerfile parse error line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined",
            ),
            (
                "FROM a\nCOPY --bogus=1 a.txt /\n",
                "dockerfile parse error line 2: Unknown flag: bogus",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text).unwrap_err().to_string(), want, "{text:?}");
        }
    }

    #[test]
    fn variable_expansion() {
        let look = |n: &str| match n {
            "A" => Some("1".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        assert_eq!(expand("$A/${A}/x$NOPE", &look), "1/1/x");
        assert_eq!(
            expand("${EMPTY:-d} ${A:-d} ${A:+y} ${NOPE:+y}", &look),
            "d 1 y "
        );
        assert_eq!(expand("\\$A costs $", &look), "$A costs $");
    }
}
