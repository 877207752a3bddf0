//! Markdown documents run as they read: every ```` ```console ```` block is a case, its `$ `
//! lines typed at the host prompt (`> ` lines continue them), lines after a container prompt
//! (`# `, `root@4afa46473802:/# `, `/ # `) typed into the container shell the previous line
//! opened, and the lines in between the expected terminal output. Other fences are prose unless
//! an HTML comment directive before them (`<!-- docktutor: skip="why" -->`) says otherwise.
//! The blocks of a document run in one session, top to bottom, as a reader would type them.

use std::collections::HashMap;
use std::path::Path;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use super::case::{Case, Expected, Only, OnlyOn, Output, Place, Step};
use super::redact::{self, Redaction};
use crate::lesson::LessonError;

/// Whether a path is a markdown document.
pub fn is_document(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "md")
}

/// Options of the next code block, from `<!-- docktutor: … -->`.
#[derive(Debug, Default)]
struct Directive {
    skip: Option<String>,
    differs: Option<String>,
    redact: Vec<Redaction>,
    only: Option<Only>,
    because: Option<String>,
    name: Option<String>,
    exit: Option<i32>,
    fresh: bool,
    ignore: bool,
}

/// The cases of a document, or what is wrong with it (`file:line:col`).
pub fn parse(file: &Path, text: &str) -> Result<Vec<Case>, LessonError> {
    let err = |offset: usize, message: String| LessonError::at(file, text, offset, message);
    let mut title: Option<String> = None;
    let mut heading: Option<String> = None;
    let mut collecting: Option<(u8, String)> = None;
    let mut pending: Option<Directive> = None;
    let mut seen_names: HashMap<String, usize> = HashMap::new();
    let mut cases = Vec::new();
    let mut in_html_block = false;
    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                collecting = Some((level as u8, String::new()));
            }
            Event::Text(t) | Event::Code(t) if collecting.is_some() => {
                if let Some((_, s)) = collecting.as_mut() {
                    s.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, s)) = collecting.take() {
                    if level == 1 && title.is_none() {
                        title = Some(s.clone());
                    }
                    heading = Some(s);
                }
            }
            Event::Start(Tag::HtmlBlock) => {
                in_html_block = true;
                for (offset, body) in directives(&text[range.clone()]) {
                    let d = parse_directive(body)
                        .map_err(|(at, m)| err(range.start + offset + at, m))?;
                    pending = Some(d);
                }
            }
            Event::End(TagEnd::HtmlBlock) => in_html_block = false,
            Event::InlineHtml(_) | Event::Html(_) if !in_html_block => {
                for (offset, body) in directives(&text[range.clone()]) {
                    let d = parse_directive(body)
                        .map_err(|(at, m)| err(range.start + offset + at, m))?;
                    pending = Some(d);
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let lang = info.split_whitespace().next().unwrap_or("");
                let directive = pending.take();
                let is_test = match &directive {
                    Some(d) => !d.ignore,
                    None => lang == "console",
                };
                if !is_test {
                    continue;
                }
                let d = directive.unwrap_or_default();
                let block = block_lines(text, range.start, range.end);
                let mut steps = steps(&block);
                if steps.is_empty() {
                    continue;
                }
                if let Some(code) = d.exit {
                    if let Some(last) = steps.last_mut() {
                        last.exit = Some(Expected {
                            value: code,
                            place: Place::Fixed,
                        });
                    }
                }
                let doc_title = title.clone().unwrap_or_else(|| {
                    file.file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default()
                });
                let base = d.name.clone().unwrap_or_else(|| match &heading {
                    Some(h) if Some(h) != title.as_ref() => format!("{doc_title}: {h}"),
                    _ => doc_title.clone(),
                });
                let n = seen_names.entry(base.clone()).or_insert(0);
                *n += 1;
                let name = if *n == 1 {
                    base
                } else {
                    format!("{base} ({n})")
                };
                cases.push(Case {
                    name,
                    line: steps[0].line,
                    skip: d.skip,
                    differs: d.differs,
                    redact: d.redact,
                    only: d.only.map(|engine| OnlyOn {
                        engine,
                        because: d.because.clone().unwrap_or_default(),
                    }),
                    continues: !d.fresh,
                    prompts: true,
                    steps,
                });
            }
            _ => {}
        }
    }
    Ok(cases)
}

/// `<!-- docktutor: … -->` comments in an HTML fragment: offset of the body, and the body.
fn directives(html: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find("<!--") {
        let start = from + i + 4;
        let end = html[start..].find("-->").map_or(html.len(), |e| start + e);
        let body = &html[start..end];
        let trimmed = body.trim_start();
        if let Some(rest) = trimmed.strip_prefix("docktutor:") {
            let offset = start + (body.len() - trimmed.len()) + "docktutor:".len();
            out.push((offset, rest));
        }
        from = (end + 3).min(html.len());
    }
    out
}

/// `key=value`, `key="quoted value"` and bare `key` words; errors carry an offset in `body`.
fn parse_directive(body: &str) -> Result<Directive, (usize, String)> {
    let mut d = Directive::default();
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() || b[i] == b',' {
            i += 1;
            continue;
        }
        let key_start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
            i += 1;
        }
        let key = &body[key_start..i];
        if key.is_empty() {
            return Err((
                i,
                format!(
                    "unexpected `{}` in a docktutor directive",
                    &body[i..].chars().next().unwrap_or(' ')
                ),
            ));
        }
        let mut value: Option<&str> = None;
        let value_start = i + 1;
        if b.get(i) == Some(&b'=') {
            i += 1;
            if b.get(i) == Some(&b'"') {
                let close = body[i + 1..]
                    .find('"')
                    .ok_or((i, "unterminated quoted value".to_string()))?;
                value = Some(&body[i + 1..i + 1 + close]);
                i += close + 2;
            } else {
                let s = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = Some(&body[s..i]);
            }
        }
        let need = |v: Option<&str>| {
            v.map(str::to_string)
                .ok_or((key_start, format!("`{key}` needs a value: {key}=\"…\"")))
        };
        match key {
            "skip" => d.skip = Some(value.unwrap_or("skipped in the document").to_string()),
            "differs" => d.differs = Some(need(value)?),
            "because" => d.because = Some(need(value)?),
            "name" => d.name = Some(need(value)?),
            "redact" => {
                d.redact = redact::parse_list(value.unwrap_or("all"))
                    .map_err(|m| (value_start, m))?;
            }
            "engine" => {
                d.only = Some(match need(value)?.as_str() {
                    "sim" => Only::Sim,
                    "docker" => Only::Docker,
                    other => {
                        return Err((
                            value_start,
                            format!("unknown engine `{other}`: expected sim or docker"),
                        ))
                    }
                })
            }
            "exit" => {
                d.exit = Some(need(value)?.parse().map_err(|_| {
                    (value_start, "`exit` needs a number: exit=1".to_string())
                })?)
            }
            "fresh" => d.fresh = true,
            "ignore" => d.ignore = true,
            "test" => {}
            other => {
                return Err((
                    key_start,
                    format!(
                        "unknown docktutor directive `{other}`: expected skip, differs, redact, engine, because, name, exit, fresh, ignore or test"
                    ),
                ))
            }
        }
    }
    if d.only.is_some() && d.because.as_deref().is_none_or(|b| b.trim().is_empty()) {
        let at = body.find("engine").unwrap_or(0);
        return Err((
            at,
            "`engine` needs `because=\"…\"`: why the block runs on one engine only".into(),
        ));
    }
    Ok(d)
}

/// A content line of a code block: its 1-based line, byte range (newline included) and text
/// without the fence's indentation.
#[derive(Debug)]
struct BlockLine<'a> {
    line: usize,
    start: usize,
    end: usize,
    text: &'a str,
    indent: usize,
}

/// The content lines of the fenced block whose opening fence starts at byte `start`.
fn block_lines(text: &str, start: usize, end: usize) -> Vec<BlockLine<'_>> {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = text[line_start..start].chars().count();
    let fence_char = text[start..].chars().next().unwrap_or('`');
    let fence_len = text[start..]
        .chars()
        .take_while(|&c| c == fence_char)
        .count();
    let mut line_no = text[..start].matches('\n').count() + 1;
    let mut pos = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    let mut out = Vec::new();
    while pos < end.min(text.len()) {
        line_no += 1;
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let raw = text[pos..line_end].trim_end_matches(['\n', '\r']);
        let body = raw.trim_start();
        let closing = body.starts_with(&fence_char.to_string().repeat(fence_len))
            && body.trim_start_matches(fence_char).trim().is_empty();
        if closing {
            break;
        }
        let strip = raw.len() - raw.trim_start_matches(' ').len();
        out.push(BlockLine {
            line: line_no,
            start: pos,
            end: line_end,
            text: &raw[strip.min(indent)..],
            indent,
        });
        pos = line_end;
    }
    out
}

/// A container prompt at the start of a line, and the command after it: `# ls`,
/// `root@4afa46473802:/# ls`, `admin@dd29aef6445a:~$ ps axu`, `/ # ls`.
fn container_command(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("# ") {
        return Some(rest);
    }
    if line == "#" {
        return Some("");
    }
    let (first, rest) = line.split_once(' ').unwrap_or((line, ""));
    let user_host = first.contains('@')
        && first.contains(':')
        && (first.ends_with('#') || first.ends_with('$'));
    if user_host {
        return Some(rest);
    }
    if first.starts_with('/') {
        if let Some(cmd) = rest.strip_prefix("# ") {
            return Some(cmd);
        }
    }
    None
}

fn steps(lines: &[BlockLine<'_>]) -> Vec<Step> {
    struct Building {
        step: Step,
        output: Vec<usize>,
        after: usize,
        indent: usize,
    }
    let mut out: Vec<Building> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let host = l.text.strip_prefix("$ ").or((l.text == "$").then_some(""));
        let container = if host.is_none() {
            container_command(l.text)
        } else {
            None
        };
        if let Some(last) = out.last_mut() {
            let continuation = l.text.strip_prefix("> ").or((l.text == ">").then_some(""));
            if let (Some(more), true) = (continuation, last.output.is_empty()) {
                let run = &mut last.step.run;
                if let Some(s) = run.strip_suffix('\\') {
                    *run = s.trim_end().to_string();
                }
                run.push(' ');
                run.push_str(more.trim());
                last.after = l.end;
                continue;
            }
        }
        match (host, container) {
            (Some(cmd), _) | (None, Some(cmd)) => {
                if cmd.trim().is_empty() {
                    // An empty prompt at the end of a transcript types nothing.
                    if let Some(last) = out.last_mut() {
                        last.output.clear();
                    }
                    continue;
                }
                out.push(Building {
                    step: Step {
                        run: cmd.trim_end().to_string(),
                        line: l.line,
                        in_container: host.is_none(),
                        exit: None,
                        stdin: None,
                        output: Output::Terminal(Expected {
                            value: String::new(),
                            place: Place::Fixed,
                        }),
                    },
                    output: Vec::new(),
                    after: l.end,
                    indent: l.indent,
                });
            }
            (None, None) => {
                if let Some(last) = out.last_mut() {
                    last.output.push(i);
                }
            }
        }
    }
    out.into_iter()
        .map(|mut b| {
            while b
                .output
                .last()
                .is_some_and(|&i| lines[i].text.trim().is_empty())
            {
                b.output.pop();
            }
            let range = match (b.output.first(), b.output.last()) {
                (Some(&f), Some(&l)) => lines[f].start..lines[l].end,
                _ => b.after..b.after,
            };
            let value: String = b
                .output
                .iter()
                .map(|&i| format!("{}\n", lines[i].text))
                .collect();
            b.step.output = Output::Terminal(Expected {
                value,
                place: Place::Lines {
                    range,
                    indent: b.indent,
                },
            });
            b.step
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terminal(step: &Step) -> &str {
        match &step.output {
            Output::Terminal(e) => &e.value,
            Output::Separate { .. } => panic!("a document step compares the terminal"),
        }
    }

    #[test]
    fn console_blocks_become_cases_with_lines_prompts_and_output() {
        let doc = "\
# Walkthrough

Prose.

```bash
echo not a test
```

## Containers

```console
$ docker run -it ubuntu /bin/bash
root@4afa46473802:/# echo hi
hi
# exit
$ docker ps -a \\
>   --format '{{.Status}}'
Exited (0) 1 second ago

```
";
        let cases = parse(Path::new("doc.md"), doc).unwrap();
        assert_eq!(cases.len(), 1);
        let c = &cases[0];
        assert_eq!(c.name, "Walkthrough: Containers");
        assert_eq!(c.line, 12);
        let runs: Vec<(&str, usize, bool)> = c
            .steps
            .iter()
            .map(|s| (s.run.as_str(), s.line, s.in_container))
            .collect();
        assert_eq!(
            runs,
            [
                ("docker run -it ubuntu /bin/bash", 12, false),
                ("echo hi", 13, true),
                ("exit", 15, true),
                ("docker ps -a --format '{{.Status}}'", 16, false),
            ]
        );
        assert_eq!(terminal(&c.steps[0]), "");
        assert_eq!(terminal(&c.steps[1]), "hi\n");
        assert_eq!(terminal(&c.steps[3]), "Exited (0) 1 second ago\n");
        // The expected lines' place covers exactly the output line (for --bless).
        let Output::Terminal(e) = &c.steps[1].output else {
            unreachable!()
        };
        let Place::Lines { range, .. } = &e.place else {
            unreachable!()
        };
        assert_eq!(&doc[range.clone()], "hi\n");
    }

    #[test]
    fn directives_mark_skip_and_options_and_errors_name_the_column() {
        let doc = "\
<!-- docktutor: skip=\"docker build is not on the simulator\" -->
```console
$ docker build .
```

<!-- docktutor: redact=ids,ages exit=1 fresh name=\"custom\" engine=sim because=\"a reason\" -->
```sh
$ docker rm x
```

<!-- docktutor: ignore -->
```console
$ rm -rf /
```
";
        let cases = parse(Path::new("d.md"), doc).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(
            cases[0].skip.as_deref(),
            Some("docker build is not on the simulator")
        );
        let c = &cases[1];
        assert_eq!(c.name, "custom");
        assert_eq!(c.redact, vec![Redaction::Ids, Redaction::Ages]);
        assert_eq!(
            c.only,
            Some(OnlyOn {
                engine: Only::Sim,
                because: "a reason".into()
            })
        );
        assert!(!c.continues);
        assert_eq!(c.steps[0].exit.as_ref().map(|e| e.value), Some(1));

        let why = "<!-- docktutor: fresh engine=docker -->\n```console\n$ docker build .\n```\n";
        let e = parse(Path::new("why.md"), why).unwrap_err();
        assert_eq!((e.line, e.column), (1, 23), "{}", e.render());
        assert!(
            e.message.contains("`engine` needs `because"),
            "{}",
            e.message
        );

        let bad = "text\n\n<!-- docktutor: skip colour=red -->\n```console\n$ x\n```\n";
        let e = parse(Path::new("bad.md"), bad).unwrap_err();
        assert_eq!((e.line, e.column), (3, 22), "{}", e.render());
        assert!(e.message.contains("unknown docktutor directive `colour`"));
    }

    #[test]
    fn blocks_in_list_items_and_busybox_prompts() {
        let doc = "1. Run it:\n\n   ```console\n   $ docker run -it busybox sh\n   / # ls /data\n   x\n   ```\n";
        let cases = parse(Path::new("l.md"), doc).unwrap();
        let s = &cases[0].steps;
        assert_eq!(s[1].run, "ls /data");
        assert!(s[1].in_container);
        assert_eq!(terminal(&s[1]), "x\n");
    }
}
