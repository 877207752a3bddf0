//! Reports of a check run: human (with colour through the style roles), JUnit XML, TAP, JSON.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{CaseOutcome, CaseStatus};
use crate::render::style::{paint, Role};

pub fn human(outcomes: &[CaseOutcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        match &o.status {
            CaseStatus::Pass if !o.explained.is_empty() => {
                let _ = writeln!(
                    out,
                    "{} {}  ({} explained)",
                    paint(Role::Success, "ok  "),
                    o.name,
                    o.explained.len()
                );
            }
            CaseStatus::Pass => {
                let _ = writeln!(out, "{} {}", paint(Role::Success, "ok  "), o.name);
            }
            CaseStatus::Skip { reason } => {
                let _ = writeln!(out, "{} {}  ({reason})", paint(Role::Hint, "skip"), o.name);
            }
            CaseStatus::Fail { message } => {
                let place = if o.line > 0 {
                    format!("{}:{}", o.file.display(), o.line)
                } else {
                    o.file.display().to_string()
                };
                if o.name == o.file.display().to_string() {
                    let _ = writeln!(out, "{} {message}", paint(Role::Failure, "error:"));
                } else {
                    let _ = writeln!(
                        out,
                        "{} {}  ({place})",
                        paint(Role::Failure, "FAIL"),
                        o.name
                    );
                    for line in message.lines() {
                        let _ = writeln!(out, "     {line}");
                    }
                }
            }
        }
    }
    let (pass, fail, skip) = counts(outcomes);
    let _ = writeln!(out, "\n{pass} passed, {fail} failed, {skip} skipped");
    // Known differences between the engines, by reason: how many lines each explains.
    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for e in outcomes.iter().flat_map(|o| &o.explained) {
        let reason = e.reason.as_str();
        match reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => reasons.push((reason, 1)),
        }
    }
    if !reasons.is_empty() {
        let _ = writeln!(
            out,
            "explained differences between the engines (parity.toml):"
        );
        for (reason, n) in reasons {
            let _ = writeln!(out, "  {n}× {reason}");
        }
    }
    let skipped: Vec<&CaseOutcome> = outcomes
        .iter()
        .filter(|o| matches!(o.status, CaseStatus::Skip { .. }))
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "skipped:");
        for o in skipped {
            if let CaseStatus::Skip { reason } = &o.status {
                let _ = writeln!(out, "  {}: {reason}", o.name);
            }
        }
    }
    out
}

pub fn counts(outcomes: &[CaseOutcome]) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for o in outcomes {
        match o.status {
            CaseStatus::Pass => c.0 += 1,
            CaseStatus::Fail { .. } => c.1 += 1,
            CaseStatus::Skip { .. } => c.2 += 1,
        }
    }
    c
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one `<testsuite>` per file, one `<testcase>` per case.
pub fn junit(outcomes: &[CaseOutcome]) -> String {
    let mut by_file: BTreeMap<String, Vec<&CaseOutcome>> = BTreeMap::new();
    for o in outcomes {
        by_file
            .entry(o.file.display().to_string())
            .or_default()
            .push(o);
    }
    let (_, fail, skip) = counts(outcomes);
    let total_time: f64 = outcomes.iter().map(|o| o.duration.as_secs_f64()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"docktutor check\" tests=\"{}\" failures=\"{fail}\" skipped=\"{skip}\" time=\"{total_time:.3}\">",
        outcomes.len()
    );
    for (file, cases) in &by_file {
        let owned: Vec<CaseOutcome> = cases.iter().map(|c| (*c).clone()).collect();
        let (_, f, s) = counts(&owned);
        let time: f64 = cases.iter().map(|o| o.duration.as_secs_f64()).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" skipped=\"{s}\" time=\"{time:.3}\">",
            xml_escape(file),
            cases.len()
        );
        for c in cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"{:.3}\"",
                xml_escape(&c.name),
                xml_escape(&c.engine),
                xml_escape(file),
                c.line,
                c.duration.as_secs_f64()
            );
            match &c.status {
                CaseStatus::Pass if !c.explained.is_empty() => {
                    let _ = writeln!(
                        out,
                        ">\n      <system-out>{}</system-out>\n    </testcase>",
                        xml_escape(
                            &c.explained
                                .iter()
                                .map(|e| format!("explained: {e}"))
                                .collect::<Vec<_>>()
                                .join("\n")
                        )
                    );
                }
                CaseStatus::Pass => out.push_str("/>\n"),
                CaseStatus::Fail { message } => {
                    let first = message.lines().next().unwrap_or("");
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml_escape(first),
                        xml_escape(message)
                    );
                }
                CaseStatus::Skip { reason } => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml_escape(reason)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// TAP version 14.
pub fn tap(outcomes: &[CaseOutcome]) -> String {
    let mut out = format!("TAP version 14\n1..{}\n", outcomes.len());
    for (i, o) in outcomes.iter().enumerate() {
        let n = i + 1;
        match &o.status {
            CaseStatus::Pass => {
                let _ = writeln!(out, "ok {n} - {}", o.name);
            }
            CaseStatus::Skip { reason } => {
                let _ = writeln!(out, "ok {n} - {} # SKIP {reason}", o.name);
            }
            CaseStatus::Fail { message } => {
                let _ = writeln!(out, "not ok {n} - {}", o.name);
                let _ = writeln!(out, "  ---");
                let _ = writeln!(out, "  at: {}:{}", o.file.display(), o.line);
                let _ = writeln!(out, "  message: |");
                for line in message.lines() {
                    let _ = writeln!(out, "    {line}");
                }
                let _ = writeln!(out, "  ...");
            }
        }
    }
    out
}

pub fn json(outcomes: &[CaseOutcome]) -> String {
    let (pass, fail, skip) = counts(outcomes);
    let doc = serde_json::json!({
        "summary": { "passed": pass, "failed": fail, "skipped": skip },
        "cases": outcomes,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Duration;

    fn sample() -> Vec<CaseOutcome> {
        let case = |name: &str, status| CaseOutcome {
            file: PathBuf::from("lessons/a.toml"),
            line: 7,
            name: name.into(),
            engine: "sim".into(),
            status,
            duration: Duration::from_millis(2),
            explained: Vec::new(),
        };
        let mut explained = case("a/parity", CaseStatus::Pass);
        explained.explained = vec![crate::runner::Explained {
            at: "line 3: `ls /x` exit code".into(),
            reason: "busybox ls exits 1 <not 2>".into(),
        }];
        vec![
            case("a/one", CaseStatus::Pass),
            explained,
            case(
                "a/two",
                CaseStatus::Fail {
                    message: "the step still fails: “x <y> & z”\n  more".into(),
                },
            ),
            case(
                "a/three",
                CaseStatus::Skip {
                    reason: "no daemon".into(),
                },
            ),
        ]
    }

    #[test]
    fn reports_in_every_format() {
        crate::render::style::force(false);
        insta::assert_snapshot!("human", human(&sample()));
        insta::assert_snapshot!("junit", junit(&sample()));
        insta::assert_snapshot!("tap", tap(&sample()));
        let json: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        assert_eq!(json["summary"]["failed"], 1);
        assert_eq!(
            json["cases"][1]["explained"][0]["reason"],
            "busybox ls exits 1 <not 2>"
        );
        assert_eq!(json["cases"][2]["status"], "fail");
        assert_eq!(json["cases"][3]["reason"], "no daemon");
    }
}
