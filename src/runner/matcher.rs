//! Expected output with patterns, compatible with trycmd/snapbox: a line `...` matches any
//! number of lines, `[..]` any text within a line; `[CID]`/`[IMAGE_ID]` a container or image id
//! (12 or 64 hex digits), `[NAME]` a generated container name (`adjective_surname`), `[DIGEST]`
//! a `sha256:` digest, `[AGE]` a human duration (`17 seconds`, `About a minute`), `[SIZE]` a
//! size (`1.11GB`, `225.4 MB`). A named capture `[CID:web]` binds the first id it meets; later
//! uses of the same name must be the same object (a 12-digit short id and the 64-digit full id
//! agree). Matching backtracks, so `...` finds the right occurrence and two `...` in a row work.
//! Tables (`docker ps`, `docker images`) are compared cell by cell (see [`super::table`]).

use super::redact::{redact, Redaction};
use super::table;

/// Ids bound by named captures during one case, in binding order (so backtracking can undo).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captures {
    bound: Vec<(String, String)>,
}

impl Captures {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.bound
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn mark(&self) -> usize {
        self.bound.len()
    }

    fn undo(&mut self, mark: usize) {
        self.bound.truncate(mark);
    }
}

/// Whether `actual` matches `expected`. A missing final newline on either side is ignored.
pub fn matches(expected: &str, actual: &str) -> bool {
    matches_with(expected, actual, &mut Captures::default())
}

/// As [`matches`], with named captures that persist across the commands of a case. On a
/// mismatch `captures` is left as it was.
pub fn matches_with(expected: &str, actual: &str, captures: &mut Captures) -> bool {
    matches_redacted(expected, actual, &[], captures)
}

/// As [`matches_with`], with `redactions` applied to `expected` after its tables are cut
/// into cells (redacting first would move the columns).
pub fn matches_redacted(
    expected: &str,
    actual: &str,
    redactions: &[Redaction],
    captures: &mut Captures,
) -> bool {
    let e: Vec<String> = table::canonical(&split_lines(expected), true)
        .iter()
        .map(|l| redact(l, redactions))
        .collect();
    let a = table::canonical(&split_lines(actual), false);
    let e: Vec<&str> = e.iter().map(String::as_str).collect();
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let mark = captures.mark();
    let ok = lines_match(&e, &a, captures);
    if !ok {
        captures.undo(mark);
    }
    ok
}

/// Lines of a text; a final newline does not make an empty last line, and "" has no lines.
pub fn split_lines(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    text.strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .collect()
}

/// Whether a pattern line is the multi-line wildcard.
pub fn is_ellipsis(line: &str) -> bool {
    line.trim_end() == "..."
}

fn lines_match(e: &[&str], a: &[&str], caps: &mut Captures) -> bool {
    match e.split_first() {
        None => a.is_empty(),
        Some((first, rest)) if is_ellipsis(first) => {
            (0..=a.len()).any(|skip| lines_match(rest, &a[skip..], caps))
        }
        Some((first, rest)) => match a.split_first() {
            Some((line, a_rest)) => {
                let mark = caps.mark();
                if segments_match(&tokenize(first), line, caps) && lines_match(rest, a_rest, caps) {
                    return true;
                }
                caps.undo(mark);
                false
            }
            None => false,
        },
    }
}

/// One line against a pattern line (captures are not kept).
pub fn line_matches(pattern: &str, line: &str) -> bool {
    segments_match(&tokenize(pattern), line, &mut Captures::default())
}

#[derive(Debug, PartialEq)]
pub(crate) enum Tok<'a> {
    Lit(&'a str),
    Any,
    /// An id, optionally captured under a name.
    Hex(Option<&'a str>),
    Name,
    Digest,
    Age,
    Size,
}

const PLACEHOLDERS: &[&str] = &[
    "[..]",
    "[CID]",
    "[IMAGE_ID]",
    "[NAME]",
    "[DIGEST]",
    "[AGE]",
    "[SIZE]",
];

/// The placeholder at the start of `s`, and its length: a fixed one or a named capture
/// (`[CID:web]`, `[IMAGE_ID:base]`; names are letters, digits, `_` and `-`).
pub(crate) fn placeholder_at(s: &str) -> Option<(usize, Tok<'_>)> {
    for p in PLACEHOLDERS {
        if s.starts_with(p) {
            let tok = match *p {
                "[..]" => Tok::Any,
                "[NAME]" => Tok::Name,
                "[DIGEST]" => Tok::Digest,
                "[AGE]" => Tok::Age,
                "[SIZE]" => Tok::Size,
                _ => Tok::Hex(None),
            };
            return Some((p.len(), tok));
        }
    }
    for prefix in ["[CID:", "[IMAGE_ID:"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            let end = rest.find(']')?;
            let name = &rest[..end];
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if valid {
                return Some((prefix.len() + end + 1, Tok::Hex(Some(name))));
            }
        }
    }
    None
}

fn tokenize(pattern: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    let mut lit_start = 0;
    let mut i = 0;
    while i < pattern.len() {
        if pattern.as_bytes()[i] == b'[' {
            if let Some((len, tok)) = placeholder_at(&pattern[i..]) {
                if i > lit_start {
                    toks.push(Tok::Lit(&pattern[lit_start..i]));
                }
                toks.push(tok);
                i += len;
                lit_start = i;
                continue;
            }
        }
        i += pattern[i..].chars().next().map_or(1, char::len_utf8);
    }
    if lit_start < pattern.len() {
        toks.push(Tok::Lit(&pattern[lit_start..]));
    }
    toks
}

/// Length of the run of lower-case hex digits at the start of `s`.
fn hex_run(s: &str) -> usize {
    s.bytes()
        .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        .count()
}

/// The lengths a human duration at the start of `s` can have (docker's `units.HumanDuration`).
pub(crate) fn age_lengths(s: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for fixed in ["Less than a second", "About a minute", "About an hour"] {
        if s.starts_with(fixed) {
            out.push(fixed.len());
        }
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && s[digits..].starts_with(' ') {
        let rest = &s[digits + 1..];
        for unit in [
            "seconds", "second", "minutes", "hours", "days", "weeks", "months", "years",
        ] {
            if rest.starts_with(unit) {
                out.push(digits + 1 + unit.len());
            }
        }
    }
    out
}

/// The lengths a size at the start of `s` can have (`0B`, `1.11GB`, `225.4 MB`, `12 B`).
pub(crate) fn size_lengths(s: &str) -> Vec<usize> {
    let b = s.as_bytes();
    let mut n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return Vec::new();
    }
    if b.get(n) == Some(&b'.') {
        let frac = b[n + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if frac > 0 {
            n += 1 + frac;
        }
    }
    let mut out = Vec::new();
    for space in [0, 1] {
        if space == 1 && b.get(n) != Some(&b' ') {
            continue;
        }
        let at = n + space;
        for unit in ["kB", "KB", "MB", "GB", "TB", "PB", "B"] {
            if s[at..].starts_with(unit) {
                out.push(at + unit.len());
            }
        }
    }
    out
}

/// Length of a generated name at the start of `s` (`gigantic_wright`, `boring_wozniak2`).
pub(crate) fn name_length(s: &str) -> Option<usize> {
    let word = |t: &str| t.bytes().take_while(u8::is_ascii_lowercase).count();
    let a = word(s);
    if a == 0 || s.as_bytes().get(a) != Some(&b'_') {
        return None;
    }
    let b = word(&s[a + 1..]);
    if b == 0 {
        return None;
    }
    let digits = s[a + 1 + b..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    Some(a + 1 + b + digits)
}

/// Two spellings of one id: equal, or one is the other's short (12-digit) prefix.
fn same_id(a: &str, b: &str) -> bool {
    a.len() >= 12 && b.len() >= 12 && (a.starts_with(b) || b.starts_with(a))
}

fn segments_match(toks: &[Tok<'_>], s: &str, caps: &mut Captures) -> bool {
    let Some((tok, rest)) = toks.split_first() else {
        return s.is_empty();
    };
    // Try each length this token could consume, undoing captures of failed branches.
    let attempt = |len: usize, caps: &mut Captures| segments_match(rest, &s[len..], caps);
    match tok {
        Tok::Lit(l) => s.starts_with(l) && attempt(l.len(), caps),
        Tok::Any => s
            .char_indices()
            .map(|(i, _)| i)
            .chain([s.len()])
            .any(|i| attempt(i, caps)),
        Tok::Hex(name) => {
            let run = hex_run(s);
            [64usize, 12].into_iter().filter(|&n| run >= n).any(|n| {
                let id = &s[..n];
                let mark = caps.mark();
                if let Some(name) = name {
                    match caps.get(name) {
                        Some(bound) if !same_id(bound, id) => return false,
                        Some(_) => {}
                        None => caps.bound.push((name.to_string(), id.to_string())),
                    }
                }
                if attempt(n, caps) {
                    return true;
                }
                caps.undo(mark);
                false
            })
        }
        Tok::Name => name_length(s).is_some_and(|n| attempt(n, caps)),
        Tok::Digest => s.starts_with("sha256:") && hex_run(&s[7..]) >= 64 && attempt(7 + 64, caps),
        Tok::Age => age_lengths(s).into_iter().any(|n| attempt(n, caps)),
        Tok::Size => size_lengths(s).into_iter().any(|n| attempt(n, caps)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = "748bbf68455d1c2e3f4a5b6c7d8e9f00112233445566778899aabbccddeeff00";

    #[test]
    fn patterns() {
        let table: &[(&str, &str, bool)] = &[
            ("hello\n", "hello\n", true),
            ("hello", "hello\n", true),
            ("hello\n", "hello", true),
            ("hello\n", "hullo\n", false),
            ("a\n...\nz\n", "a\nb\nc\nz\n", true),
            ("a\n...\nz\n", "a\nz\n", true),
            ("...\nz\n", "z\nz\nz\n", true),
            ("a\n...\n...\nz\n", "a\nq\nz\n", true),
            ("a\n...\n...\n", "a\n", true),
            ("a\n...\nc\n...\n", "a\nb\nc\nd\nc\n", true),
            // `...` must backtrack past the first `c` to find the one followed by `d`.
            ("...\nc\nd\n", "c\nx\nc\nd\n", true),
            ("a\n...\n", "b\n", false),
            ("Up [..] seconds\n", "Up 3 seconds\n", true),
            ("[..] ago\n", "Exited (0) 2 minutes ago\n", true),
            ("x[..]y[..]z\n", "x1y2y3z\n", true),
            ("x[..]y\n", "x1y2\n", false),
            ("[..][..]\n", "anything\n", true),
            ("[CID]\n", "748bbf68455d\n", true),
            ("[CID]\n", "748bbf68455\n", false),
            ("[CID]\n", "748BBF68455D\n", false),
            (
                "[CID] ubuntu [NAME]\n",
                "748bbf68455d ubuntu gigantic_wright\n",
                true,
            ),
            ("[NAME]\n", "sandbox\n", false),
            ("[NAME]\n", "boring_wozniak2\n", true),
            ("", "", true),
            ("", "x\n", false),
            ("...\n", "", true),
            ("no newline at the end", "no newline at the end", true),
            ("two\nlines", "two\nlines\n", true),
            ("a\n\n", "a\n", false),
            // A `[` that starts no placeholder is literal text.
            ("[x] [..]\n", "[x] y\n", true),
            ("[CID:]\n", "[CID:]\n", true),
        ];
        for (e, a, want) in table {
            assert_eq!(matches(e, a), *want, "expected {e:?} vs actual {a:?}");
        }
    }

    #[test]
    fn docker_placeholders() {
        let digest = format!("Digest: sha256:{}\n", &FULL[..64]);
        assert!(matches("Digest: [DIGEST]\n", &digest));
        assert!(!matches("Digest: [DIGEST]\n", "Digest: sha256:abc\n"));
        for age in [
            "Less than a second",
            "1 second",
            "17 seconds",
            "About a minute",
            "3 minutes",
            "About an hour",
            "2 days",
        ] {
            assert!(matches("Up [AGE]\n", &format!("Up {age}\n")), "{age}");
            assert!(matches(
                "Exited (0) [AGE] ago\n",
                &format!("Exited (0) {age} ago\n")
            ));
        }
        assert!(!matches("Up [AGE]\n", "Up a while\n"));
        for size in ["0B", "1.11GB", "225.4 MB", "12 B", "1.895 kB"] {
            assert!(matches("[SIZE]\n", &format!("{size}\n")), "{size}");
        }
        assert!(!matches("[SIZE]\n", "big\n"));
        assert!(!matches("[SIZE]\n", "1.5\n"));
    }

    #[test]
    fn named_captures_bind_once_and_accept_short_and_full_ids() {
        let short = &FULL[..12];
        let mut caps = Captures::default();
        assert!(matches_with("[CID:web]\n", &format!("{FULL}\n"), &mut caps));
        assert_eq!(caps.get("web"), Some(FULL));
        // The short form of the same id, later in the case.
        assert!(matches_with(
            "[CID:web] ubuntu\n",
            &format!("{short} ubuntu\n"),
            &mut caps
        ));
        // Another id under the same name does not match, and leaves the binding alone.
        assert!(!matches_with("[CID:web]\n", "0123456789ab\n", &mut caps));
        assert_eq!(caps.get("web"), Some(FULL));
        // Two names bound in one text; the second is a different id.
        let mut caps = Captures::default();
        assert!(matches_with(
            "[CID:a] [CID:b]\n[CID:b]\n",
            "0123456789ab ba9876543210\nba9876543210\n",
            &mut caps
        ));
        assert!(!matches(
            "[CID:a]\n[CID:a]\n",
            "0123456789ab\nba9876543210\n"
        ));
    }

    #[test]
    fn captures_of_a_failed_branch_are_undone() {
        // The first try binds `x` to the first line's id and then fails on `end`; the `...`
        // branch must forget that binding before trying the next line.
        let mut caps = Captures::default();
        assert!(matches_with(
            "...\n[CID:x]\nend\n",
            "0123456789ab\nba9876543210\nend\n",
            &mut caps
        ));
        assert_eq!(caps.get("x"), Some("ba9876543210"));
        // A failed match leaves earlier bindings intact and adds none.
        let mut caps = Captures::default();
        assert!(!matches_with(
            "[CID:y]\nnope\n",
            "0123456789ab\n",
            &mut caps
        ));
        assert_eq!(caps.get("y"), None);
    }
}
