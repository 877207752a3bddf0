//! Expected output with patterns, compatible with trycmd/snapbox: a line `...` matches any
//! number of lines, `[..]` any text within a line; `[CID]` a container or image id (12 or 64
//! hex digits), `[NAME]` a generated container name (`adjective_surname`). Matching backtracks,
//! so `...` finds the right occurrence and two `...` in a row work.

/// Whether `actual` matches `expected`. A missing final newline on either side is ignored.
pub fn matches(expected: &str, actual: &str) -> bool {
    let e: Vec<&str> = expected
        .strip_suffix('\n')
        .unwrap_or(expected)
        .split('\n')
        .collect();
    let a: Vec<&str> = actual
        .strip_suffix('\n')
        .unwrap_or(actual)
        .split('\n')
        .collect();
    let e = if expected.is_empty() { Vec::new() } else { e };
    let a = if actual.is_empty() { Vec::new() } else { a };
    lines_match(&e, &a)
}

fn lines_match(e: &[&str], a: &[&str]) -> bool {
    match e.split_first() {
        None => a.is_empty(),
        Some((first, rest)) if first.trim_end() == "..." => {
            (0..=a.len()).any(|skip| lines_match(rest, &a[skip..]))
        }
        Some((first, rest)) => match a.split_first() {
            Some((line, a_rest)) => line_matches(first, line) && lines_match(rest, a_rest),
            None => false,
        },
    }
}

/// One line against a pattern line.
pub fn line_matches(pattern: &str, line: &str) -> bool {
    segments_match(&tokenize(pattern), line)
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Lit(&'a str),
    Any,
    Hex,
    Name,
}

fn tokenize(pattern: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    let mut rest = pattern;
    while !rest.is_empty() {
        let next = ["[..]", "[CID]", "[IMAGE_ID]", "[NAME]"]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, *p)))
            .min();
        match next {
            Some((i, p)) => {
                if i > 0 {
                    toks.push(Tok::Lit(&rest[..i]));
                }
                toks.push(match p {
                    "[..]" => Tok::Any,
                    "[NAME]" => Tok::Name,
                    _ => Tok::Hex,
                });
                rest = &rest[i + p.len()..];
            }
            None => {
                toks.push(Tok::Lit(rest));
                rest = "";
            }
        }
    }
    toks
}

fn segments_match(toks: &[Tok<'_>], s: &str) -> bool {
    match toks.split_first() {
        None => s.is_empty(),
        Some((Tok::Lit(l), rest)) => s.strip_prefix(l).is_some_and(|r| segments_match(rest, r)),
        Some((Tok::Any, rest)) => s
            .char_indices()
            .map(|(i, _)| i)
            .chain([s.len()])
            .any(|i| segments_match(rest, &s[i..])),
        Some((Tok::Hex, rest)) => [64usize, 12].iter().any(|&n| {
            s.len() >= n
                && s.as_bytes()[..n]
                    .iter()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                && segments_match(rest, &s[n..])
        }),
        Some((Tok::Name, rest)) => {
            let word = |t: &str| t.bytes().take_while(|b| b.is_ascii_lowercase()).count();
            let a = word(s);
            if a == 0 || s.as_bytes().get(a) != Some(&b'_') {
                return false;
            }
            let b = word(&s[a + 1..]);
            b > 0 && segments_match(rest, &s[a + 1 + b..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("a\n...\nc\n...\n", "a\nb\nc\nd\nc\n", true),
            ("a\n...\n", "b\n", false),
            ("Up [..] seconds\n", "Up 3 seconds\n", true),
            ("[..] ago\n", "Exited (0) 2 minutes ago\n", true),
            ("x[..]y[..]z\n", "x1y2y3z\n", true),
            ("x[..]y\n", "x1y2\n", false),
            ("[CID]\n", "748bbf68455d\n", true),
            ("[CID]\n", "748bbf68455\n", false),
            (
                "[CID] ubuntu [NAME]\n",
                "748bbf68455d ubuntu gigantic_wright\n",
                true,
            ),
            ("[NAME]\n", "sandbox\n", false),
            ("", "", true),
            ("", "x\n", false),
            ("...\n", "", true),
        ];
        for (e, a, want) in table {
            assert_eq!(matches(e, a), *want, "expected {e:?} vs actual {a:?}");
        }
    }
}
