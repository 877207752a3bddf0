//! `docktutor check --bless`: rewrite expected output from what the commands printed, keeping
//! every pattern line (`...`, `[..]`, placeholders, captures) that still matches, so a blessed
//! file stays as general as its author wrote it.

use std::ops::Range;

use super::case::{Case, Output, Place};
use super::execute::{terminal_text, CaseRun};
use super::matcher::{is_ellipsis, line_matches, matches_redacted, split_lines, Captures};
use super::redact::{redact, Redaction};

/// A replacement of `range` of a file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// `expected` updated to match `actual`: unchanged when it already matches; otherwise the
/// expected lines that match keep their patterns, `...` lines keep absorbing what they can,
/// and the rest comes from `actual`.
pub fn bless_text(expected: &str, actual: &str, redactions: &[Redaction]) -> String {
    if matches_redacted(expected, actual, redactions, &mut Captures::default()) {
        return expected.to_string();
    }
    let e = split_lines(expected);
    let a = split_lines(actual);
    let line_ok = |i: usize, j: usize| line_matches(&redact(e[i], redactions), a[j]);
    // score[i][j]: aligning e[i..] with a[j..], the most expected lines kept, then the most
    // expected lines replaced in place by an actual line (so a changed line is rewritten
    // where it stood rather than dropped while a `...` swallows its replacement).
    let (n, m) = (e.len(), a.len());
    let mut score = vec![vec![(0usize, 0usize); m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            let absorb_or_insert = if j < m { score[i][j + 1] } else { (0, 0) };
            score[i][j] = if is_ellipsis(e[i]) {
                let (k, r) = score[i + 1][j];
                (k + 1, r).max(absorb_or_insert)
            } else {
                let paired = if j < m {
                    let (k, r) = score[i + 1][j + 1];
                    if line_ok(i, j) {
                        (k + 1, r)
                    } else {
                        (k, r + 1)
                    }
                } else {
                    (0, 0)
                };
                paired.max(absorb_or_insert).max(score[i + 1][j])
            };
        }
    }
    let mut out: Vec<&str> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i == n {
            out.push(a[j]);
            j += 1;
        } else if is_ellipsis(e[i]) {
            if j < m && score[i][j] == score[i][j + 1] {
                j += 1; // absorbed
            } else {
                out.push(e[i]);
                i += 1;
            }
        } else if j < m && line_ok(i, j) && score[i][j].0 == score[i + 1][j + 1].0 + 1 {
            out.push(e[i]);
            i += 1;
            j += 1;
        } else if j < m && score[i][j] == (score[i + 1][j + 1].0, score[i + 1][j + 1].1 + 1) {
            out.push(a[j]); // replaces e[i]
            i += 1;
            j += 1;
        } else if j < m && score[i][j] == score[i][j + 1] {
            out.push(a[j]);
            j += 1;
        } else {
            i += 1; // dropped
        }
    }
    let mut text = out.join("\n");
    if !out.is_empty() && actual.ends_with('\n') {
        text.push('\n');
    }
    if matches_redacted(&text, actual, redactions, &mut Captures::default()) {
        text
    } else {
        actual.to_string()
    }
}

/// A TOML basic string holding `s`.
pub fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The edits that make `cases` expect what `runs` printed.
pub fn edits(cases: &[Case], runs: &[CaseRun]) -> Vec<Edit> {
    let mut edits = Vec::new();
    for (case, run) in cases.iter().zip(runs) {
        for (step, result) in case.steps.iter().zip(&run.results) {
            let Some(r) = result else { continue };
            if let Some(exit) = &step.exit {
                if exit.value != r.exit_code {
                    match &exit.place {
                        Place::Toml(range) => edits.push(Edit {
                            range: range.clone(),
                            text: r.exit_code.to_string(),
                        }),
                        Place::TomlAbsent(at) => edits.push(Edit {
                            range: *at..*at,
                            text: format!(", exit = {}", r.exit_code),
                        }),
                        Place::Lines { .. } | Place::Fixed => {}
                    }
                }
            }
            match &step.output {
                Output::Separate { stdout, stderr } => {
                    for (e, actual) in [(stdout, &r.stdout), (stderr, &r.stderr)] {
                        let Some(e) = e else { continue };
                        let new = bless_text(&e.value, actual, &case.redact);
                        if let (true, Place::Toml(range)) = (new != e.value, &e.place) {
                            edits.push(Edit {
                                range: range.clone(),
                                text: toml_string(&new),
                            });
                        }
                    }
                }
                Output::Terminal(e) => {
                    let other_order = format!("{}{}", r.stdout, r.stderr);
                    if matches_redacted(
                        &e.value,
                        &other_order,
                        &case.redact,
                        &mut Captures::default(),
                    ) {
                        continue;
                    }
                    let new = bless_text(&e.value, &terminal_text(r), &case.redact);
                    if let (true, Place::Lines { range, indent }) = (new != e.value, &e.place) {
                        let pad = " ".repeat(*indent);
                        edits.push(Edit {
                            range: range.clone(),
                            text: split_lines(&new)
                                .iter()
                                .map(|l| format!("{pad}{l}\n"))
                                .collect(),
                        });
                    }
                }
            }
        }
    }
    edits
}

/// `text` with `edits` applied (they never overlap: each is one expectation).
pub fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| std::cmp::Reverse((e.range.start, e.range.end)));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(e.range, &e.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_that_still_match_are_kept() {
        let expected = "Unable to find image 'busybox:latest' locally\n...\nhullo\n";
        let actual =
            "Unable to find image 'busybox:latest' locally\nlatest: Pulling\nDigest: x\nhello\n";
        assert_eq!(
            bless_text(expected, actual, &[]),
            "Unable to find image 'busybox:latest' locally\n...\nhello\n"
        );
        // Already matching: untouched, patterns and all.
        assert_eq!(bless_text("[CID]\n", "0123456789ab\n", &[]), "[CID]\n");
        // A placeholder line that no longer matches is replaced; its neighbours stay.
        assert_eq!(
            bless_text("[CID:a]\nsame\n", "not an id\nsame\nnew\n", &[]),
            "not an id\nsame\nnew\n"
        );
        // Redacted literals are kept when they match after redaction.
        assert_eq!(
            bless_text(
                "Up 3 seconds\nold\n",
                "Up 5 minutes\nnew\n",
                &[Redaction::Ages]
            ),
            "Up 3 seconds\nnew\n"
        );
        assert_eq!(bless_text("x\n", "", &[]), "");
        assert_eq!(bless_text("", "no newline", &[]), "no newline");
    }

    #[test]
    fn toml_strings_round_trip() {
        let s = "a \"quoted\" \\ line\n\ttab\u{1}";
        let doc = format!("v = {}", toml_string(s));
        let v: toml::Value = toml::from_str(&doc).unwrap();
        assert_eq!(v["v"].as_str(), Some(s));
    }

    #[test]
    fn edits_apply_from_the_end() {
        let text = "a = 1, b = 2";
        let out = apply(
            text,
            vec![
                Edit {
                    range: 4..5,
                    text: "10".into(),
                },
                Edit {
                    range: 12..12,
                    text: ", c = 3".into(),
                },
            ],
        );
        assert_eq!(out, "a = 10, b = 2, c = 3");
    }
}
