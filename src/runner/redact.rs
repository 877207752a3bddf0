//! Opt-in redactions: expected output copied from Docker's docs or a real terminal holds ids,
//! generated names, ages, sizes and digests that differ on every run. A case that opts in has
//! those literals turned into placeholders (`748bbf68455d` → `[CID]`, `17 seconds` → `[AGE]`)
//! before matching; placeholders already written stay as they are.

use std::fmt;
use std::str::FromStr;

use super::matcher::{age_lengths, name_length, placeholder_at, size_lengths};

/// One kind of value to redact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Redaction {
    /// 12- or 64-digit hex ids → `[CID]`.
    Ids,
    /// Generated names `adjective_surname` → `[NAME]`.
    Names,
    /// Human durations (`17 seconds`, `About a minute`; in `… ago` and `Up …`) → `[AGE]`.
    Ages,
    /// Sizes (`1.11GB`, `225.4 MB`) → `[SIZE]`.
    Sizes,
    /// `sha256:` digests → `[DIGEST]`.
    Digests,
}

pub const ALL: [Redaction; 5] = [
    Redaction::Ids,
    Redaction::Names,
    Redaction::Ages,
    Redaction::Sizes,
    Redaction::Digests,
];

impl FromStr for Redaction {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim() {
            "ids" => Redaction::Ids,
            "names" => Redaction::Names,
            "ages" => Redaction::Ages,
            "sizes" => Redaction::Sizes,
            "digests" => Redaction::Digests,
            other => {
                return Err(format!(
                    "unknown redaction `{other}`: expected ids, names, ages, sizes, digests or all"
                ))
            }
        })
    }
}

impl fmt::Display for Redaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Redaction::Ids => "ids",
            Redaction::Names => "names",
            Redaction::Ages => "ages",
            Redaction::Sizes => "sizes",
            Redaction::Digests => "digests",
        })
    }
}

/// A comma-separated list (`ids,ages`), or `all`.
pub fn parse_list(s: &str) -> Result<Vec<Redaction>, String> {
    if s.trim() == "all" {
        return Ok(ALL.to_vec());
    }
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(str::parse)
        .collect()
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `text` with the chosen kinds of literal values replaced by placeholders.
pub fn redact(text: &str, kinds: &[Redaction]) -> String {
    if kinds.is_empty() {
        return text.to_string();
    }
    let on = |k: Redaction| kinds.contains(&k);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < text.len() {
        let rest = &text[i..];
        if let Some((len, _)) = placeholder_at(rest) {
            out.push_str(&rest[..len]);
            i += len;
            prev = Some(']');
            continue;
        }
        let at_boundary = !prev.is_some_and(is_word);
        // The longest candidate that ends at a word boundary wins.
        let ends_well = |n: usize| !rest[n..].chars().next().is_some_and(is_word);
        let mut found: Option<(usize, &str)> = None;
        if at_boundary {
            let mut consider = |n: usize, with: &'static str| {
                if ends_well(n) && found.is_none_or(|(m, _)| n > m) {
                    found = Some((n, with));
                }
            };
            if on(Redaction::Digests) && rest.starts_with("sha256:") {
                let hex = rest[7..]
                    .bytes()
                    .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
                    .count();
                if hex == 64 {
                    consider(7 + 64, "[DIGEST]");
                }
            }
            if on(Redaction::Ids) {
                let hex = rest
                    .bytes()
                    .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
                    .count();
                if hex == 12 || hex == 64 {
                    consider(hex, "[CID]");
                }
            }
            if on(Redaction::Ages) {
                for n in age_lengths(rest) {
                    consider(n, "[AGE]");
                }
            }
            if on(Redaction::Sizes) {
                for n in size_lengths(rest) {
                    consider(n, "[SIZE]");
                }
            }
            if on(Redaction::Names) {
                if let Some(n) = name_length(rest) {
                    consider(n, "[NAME]");
                }
            }
        }
        match found {
            Some((n, with)) => {
                out.push_str(with);
                prev = rest[..n].chars().last();
                i += n;
            }
            None => {
                let c = rest.chars().next().expect("i < len");
                out.push(c);
                prev = Some(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_output_becomes_patterns() {
        let ps = "748bbf68455d    ubuntu    \"/bin/bash\"    17 seconds ago    Exited (0) 12 seconds ago    gigantic_wright\n";
        assert_eq!(
            redact(ps, &ALL),
            "[CID]    ubuntu    \"/bin/bash\"    [AGE] ago    Exited (0) [AGE] ago    [NAME]\n"
        );
        let digest = format!("Digest: sha256:{}\n", "0a".repeat(32));
        assert_eq!(redact(&digest, &ALL), "Digest: [DIGEST]\n");
        assert_eq!(
            redact("ubuntu  latest  c4ff7513909d  2 days ago  225.4 MB\n", &ALL),
            "ubuntu  latest  [CID]  [AGE] ago  [SIZE]\n"
        );
        assert_eq!(redact("Up About a minute\n", &ALL), "Up [AGE]\n");
    }

    #[test]
    fn only_the_chosen_kinds_and_only_whole_words() {
        let line = "748bbf68455d 2 days ago gigantic_wright\n";
        assert_eq!(
            redact(line, &[Redaction::Ids]),
            "[CID] 2 days ago gigantic_wright\n"
        );
        assert_eq!(redact(line, &[]), line);
        // Hex inside a longer word, a 13-digit run, and upper case stay.
        for keep in [
            "x748bbf68455d\n",
            "748bbf68455d0\n",
            "748BBF68455D\n",
            "12 Bytes\n",
        ] {
            assert_eq!(redact(keep, &ALL), keep);
        }
        // Placeholders already written are kept, even when they contain `_`.
        assert_eq!(
            redact("[CID:web_db] [IMAGE_ID] [..]\n", &ALL),
            "[CID:web_db] [IMAGE_ID] [..]\n"
        );
    }

    #[test]
    fn lists_parse() {
        assert_eq!(parse_list("all").unwrap(), ALL.to_vec());
        assert_eq!(
            parse_list("ids, ages").unwrap(),
            vec![Redaction::Ids, Redaction::Ages]
        );
        assert!(parse_list("ids,colours")
            .unwrap_err()
            .contains("unknown redaction `colours`"));
    }
}
