//! A POSIX-shell subset: what learners type at the host prompt and inside containers.
//!
//! Parsing is shared; interpretation is not (the REPL's host shell and the simulator's
//! container shell each walk the [`Script`]). Expansion goes through [`ExpandContext`] so each
//! interpreter supplies its own variables, command substitution and globbing.

/// A whole line: and-or lists separated by `;` or newlines (or `&`, which the tutor
/// reports as not supported).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Script {
    pub items: Vec<AndOr>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
    /// Ended by `&`.
    pub background: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// `&&`
    And,
    /// `||`
    Or,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// `! cmd`
    pub negated: bool,
    pub commands: Vec<SimpleCommand>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    /// `A=1 B=2 cmd` prefix assignments (or a bare `A=1` line).
    pub assignments: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

/// One shell word before expansion, as a sequence of differently-quoted parts
/// (`"$HOME"/x'y'` is DoubleQuoted([Variable]) + Literal("/x") + SingleQuoted("y")).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Word {
    pub parts: Vec<WordPart>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordPart {
    /// Unquoted text (backslash escapes already removed); subject to globbing.
    Literal(String),
    /// `'…'` — taken verbatim.
    SingleQuoted(String),
    /// `"…"` — variables and command substitutions expand, no field splitting or globbing.
    DoubleQuoted(Vec<WordPart>),
    /// `$NAME`, `${NAME}`, `$?`, `$1`…; unquoted results are field-split.
    Variable(String),
    /// `$(…)` or `` `…` ``; unquoted results are field-split.
    CommandSubst(Box<Script>),
    /// A leading `~` (home directory).
    Tilde,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor redirected (1 for `>`, 0 for `<`, 2 for `2>`).
    pub fd: u32,
    pub kind: RedirectKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectKind {
    /// `> file`
    Write(Word),
    /// `>> file`
    Append(Word),
    /// `< file`
    Read(Word),
    /// `2>&1`: duplicate onto another descriptor.
    Dup(u32),
    /// `<<EOF` here-documents are not supported; the parser reports them.
    HereString(Word),
}

/// What expansion needs from an interpreter.
pub trait ExpandContext {
    /// The value of a variable (`None` when unset: expands to nothing).
    fn var(&self, name: &str) -> Option<String>;
    /// Run a command substitution and return its stdout (trailing newlines are stripped by the
    /// expander, as sh does).
    fn command_output(&mut self, script: &Script) -> String;
    /// Paths matching a glob pattern (`*.txt`, `/var/lib/apt/lists/*`), sorted; an empty
    /// result leaves the word as written, as sh does.
    fn glob(&self, pattern: &str) -> Vec<String>;
    /// The home directory for `~`.
    fn home(&self) -> String;
}

/// A syntax error with the column (0-based char offset) where it was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    pub message: String,
    pub offset: usize,
}

/// Parse one line (or several, separated by newlines) into a [`Script`].
pub fn parse_script(line: &str) -> Result<Script, SyntaxError> {
    let chars: Vec<char> = line.chars().collect();
    let mut p = Parser {
        chars: &chars,
        pos: 0,
        depth: 0,
    };
    let script = p.script()?;
    if p.pos < chars.len() {
        return Err(p.unexpected());
    }
    Ok(script)
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
    /// Nesting of `$(…)`: a `)` ends the inner script.
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }
    fn skip_blanks(&mut self) {
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' {
                self.pos += 1;
            } else if c == '\\' && self.peek_at(1) == Some('\n') {
                self.pos += 2;
            } else if c == '#' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }
    fn err(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            offset: self.pos,
        }
    }
    fn unexpected(&self) -> SyntaxError {
        let tok: String = match self.peek() {
            None => "newline".into(),
            Some(c) if "|&;".contains(c) && self.peek_at(1) == Some(c) => format!("{c}{c}"),
            Some(c) => c.to_string(),
        };
        self.err(format!("syntax error near unexpected token `{tok}'"))
    }

    fn script(&mut self) -> Result<Script, SyntaxError> {
        let mut items = Vec::new();
        loop {
            self.skip_blanks();
            match self.peek() {
                None => break,
                Some('\n') | Some(';') if items.is_empty() && self.peek() == Some('\n') => {
                    self.pos += 1;
                    continue;
                }
                Some('\n') => {
                    self.pos += 1;
                    continue;
                }
                Some(')') if self.depth > 0 => break,
                _ => {}
            }
            let mut item = self.and_or()?;
            self.skip_blanks();
            match self.peek() {
                Some(';') => {
                    if self.peek_at(1) == Some(';') {
                        return Err(self.unexpected());
                    }
                    self.pos += 1;
                }
                Some('&') => {
                    self.pos += 1;
                    item.background = true;
                }
                Some('\n') => self.pos += 1,
                None => {}
                Some(')') if self.depth > 0 => {}
                _ => return Err(self.unexpected()),
            }
            items.push(item);
        }
        Ok(Script { items })
    }

    fn and_or(&mut self) -> Result<AndOr, SyntaxError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            self.skip_blanks();
            let conn = match (self.peek(), self.peek_at(1)) {
                (Some('&'), Some('&')) => Connector::And,
                (Some('|'), Some('|')) => Connector::Or,
                _ => break,
            };
            self.pos += 2;
            // A connector may be followed by newlines.
            loop {
                self.skip_blanks();
                if self.peek() == Some('\n') {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            if self.peek().is_none() {
                return Err(self.err("syntax error: unexpected end of file"));
            }
            rest.push((conn, self.pipeline()?));
        }
        Ok(AndOr {
            first,
            rest,
            background: false,
        })
    }

    fn pipeline(&mut self) -> Result<Pipeline, SyntaxError> {
        self.skip_blanks();
        let mut negated = false;
        if self.peek() == Some('!') && matches!(self.peek_at(1), Some(' ') | Some('\t')) {
            negated = true;
            self.pos += 1;
        }
        let mut commands = vec![self.simple()?];
        loop {
            self.skip_blanks();
            if self.peek() == Some('|') && self.peek_at(1) != Some('|') {
                self.pos += 1;
                loop {
                    self.skip_blanks();
                    if self.peek() == Some('\n') {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                commands.push(self.simple()?);
            } else {
                break;
            }
        }
        Ok(Pipeline { negated, commands })
    }

    fn simple(&mut self) -> Result<SimpleCommand, SyntaxError> {
        let mut cmd = SimpleCommand::default();
        loop {
            self.skip_blanks();
            let Some(c) = self.peek() else { break };
            match c {
                '|' | '&' | ';' | '\n' => break,
                ')' if self.depth > 0 => break,
                '(' | ')' => {
                    return Err(self.err(format!(
                        "syntax error near unexpected token `{c}' (subshells are not supported by the tutor's shell)"
                    )))
                }
                _ => {}
            }
            if let Some(r) = self.redirect()? {
                cmd.redirects.push(r);
                continue;
            }
            let start = self.pos;
            let word = self.word()?;
            if word.parts.is_empty() {
                return Err(self.unexpected());
            }
            // `NAME=value` before the command word is an assignment.
            if cmd.words.is_empty() {
                if let Some(WordPart::Literal(first)) = word.parts.first() {
                    if let Some((name, value)) = first.split_once('=') {
                        let raw_eq = self.chars[start..].iter().position(|&ch| ch == '=');
                        let valid_name = !name.is_empty()
                            && name
                                .chars()
                                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                            && !name.starts_with(|ch: char| ch.is_ascii_digit())
                            && raw_eq == Some(name.chars().count());
                        if valid_name {
                            let mut parts = Vec::new();
                            if !value.is_empty() {
                                parts.push(WordPart::Literal(value.to_string()));
                            }
                            parts.extend(word.parts[1..].iter().cloned());
                            cmd.assignments.push((name.to_string(), Word { parts }));
                            continue;
                        }
                    }
                }
            }
            if cmd.words.is_empty() {
                if let Some(kw) = word.as_literal() {
                    if matches!(
                        kw.as_str(),
                        "if" | "for" | "while" | "until" | "case" | "function" | "{"
                    ) {
                        return Err(SyntaxError {
                            message: format!(
                                "`{kw}' blocks are not supported by the tutor's shell"
                            ),
                            offset: start,
                        });
                    }
                }
            }
            cmd.words.push(word);
        }
        if cmd.words.is_empty() && cmd.assignments.is_empty() && cmd.redirects.is_empty() {
            return Err(self.unexpected());
        }
        Ok(cmd)
    }

    /// `>`, `>>`, `<`, `N>`, `N>>`, `N>&M`, `&>`; `<<` here-docs are refused.
    fn redirect(&mut self) -> Result<Option<Redirect>, SyntaxError> {
        let save = self.pos;
        let mut fd: Option<u32> = None;
        if let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            if matches!(self.peek_at(1), Some('>') | Some('<')) {
                fd = Some(d);
                self.pos += 1;
            }
        }
        let kind = match (self.peek(), self.peek_at(1)) {
            (Some('<'), Some('<')) => {
                if self.peek_at(2) == Some('<') {
                    self.pos += 3;
                    self.skip_blanks();
                    let w = self.word()?;
                    return Ok(Some(Redirect {
                        fd: 0,
                        kind: RedirectKind::HereString(w),
                    }));
                }
                return Err(self.err("here-documents (<<) are not supported by the tutor's shell"));
            }
            (Some('>'), Some('>')) => {
                self.pos += 2;
                "append"
            }
            (Some('>'), Some('&')) => {
                self.pos += 2;
                let n: String = std::iter::from_fn(|| {
                    let c = self.peek().filter(|c| c.is_ascii_digit())?;
                    self.pos += 1;
                    Some(c)
                })
                .collect();
                let target = n
                    .parse()
                    .map_err(|_| self.err("syntax error: bad fd number"))?;
                return Ok(Some(Redirect {
                    fd: fd.unwrap_or(1),
                    kind: RedirectKind::Dup(target),
                }));
            }
            (Some('>'), _) => {
                self.pos += 1;
                "write"
            }
            (Some('<'), _) => {
                self.pos += 1;
                "read"
            }
            (Some('&'), Some('>')) if fd.is_none() => {
                return Err(
                    self.err("`&>` is not supported by the tutor's shell; write `> file 2>&1`")
                );
            }
            _ => {
                self.pos = save;
                return Ok(None);
            }
        };
        self.skip_blanks();
        let w = self.word()?;
        if w.parts.is_empty() {
            return Err(self.unexpected());
        }
        let kind = match kind {
            "append" => RedirectKind::Append(w),
            "write" => RedirectKind::Write(w),
            _ => RedirectKind::Read(w),
        };
        let default_fd = if matches!(kind, RedirectKind::Read(_)) {
            0
        } else {
            1
        };
        Ok(Some(Redirect {
            fd: fd.unwrap_or(default_fd),
            kind,
        }))
    }
}

impl Parser<'_> {
    /// One word: everything up to an unquoted blank or operator.
    fn word(&mut self) -> Result<Word, SyntaxError> {
        let mut parts: Vec<WordPart> = Vec::new();
        let mut lit = String::new();
        let flush = |lit: &mut String, parts: &mut Vec<WordPart>| {
            if !lit.is_empty() {
                parts.push(WordPart::Literal(std::mem::take(lit)));
            }
        };
        if self.peek() == Some('~')
            && matches!(self.peek_at(1), None | Some('/') | Some(' ') | Some('\t'))
        {
            self.pos += 1;
            parts.push(WordPart::Tilde);
        }
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\n' | '|' | '&' | ';' | '<' | '>' | '(' => break,
                ')' => break,
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') => self.pos += 1,
                        Some(n) => {
                            // Keep the escaped character literal, and protect glob characters.
                            if "*?[".contains(n) {
                                flush(&mut lit, &mut parts);
                                parts.push(WordPart::SingleQuoted(n.to_string()));
                            } else {
                                lit.push(n);
                            }
                            self.pos += 1;
                        }
                        None => {}
                    }
                }
                '\'' => {
                    flush(&mut lit, &mut parts);
                    let start = self.pos;
                    self.pos += 1;
                    let mut text = String::new();
                    loop {
                        match self.peek() {
                            None => {
                                return Err(SyntaxError {
                                    message: "unexpected EOF while looking for matching `''".into(),
                                    offset: start,
                                })
                            }
                            Some('\'') => {
                                self.pos += 1;
                                break;
                            }
                            Some(ch) => {
                                text.push(ch);
                                self.pos += 1;
                            }
                        }
                    }
                    parts.push(WordPart::SingleQuoted(text));
                }
                '"' => {
                    flush(&mut lit, &mut parts);
                    parts.push(self.double_quoted()?);
                }
                '$' => {
                    if let Some(part) = self.dollar()? {
                        flush(&mut lit, &mut parts);
                        parts.push(part);
                    } else {
                        lit.push('$');
                        self.pos += 1;
                    }
                }
                '`' => {
                    flush(&mut lit, &mut parts);
                    parts.push(self.backtick()?);
                }
                _ => {
                    lit.push(c);
                    self.pos += 1;
                }
            }
        }
        flush(&mut lit, &mut parts);
        Ok(Word { parts })
    }

    fn double_quoted(&mut self) -> Result<WordPart, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut inner = Vec::new();
        let mut lit = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(SyntaxError {
                        message: "unexpected EOF while looking for matching `\"'".into(),
                        offset: start,
                    })
                }
                Some('"') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') => match self.peek_at(1) {
                    Some(n @ ('"' | '\\' | '$' | '`')) => {
                        lit.push(n);
                        self.pos += 2;
                    }
                    Some('\n') => self.pos += 2,
                    _ => {
                        lit.push('\\');
                        self.pos += 1;
                    }
                },
                Some('$') => match self.dollar()? {
                    Some(part) => {
                        if !lit.is_empty() {
                            inner.push(WordPart::Literal(std::mem::take(&mut lit)));
                        }
                        inner.push(part);
                    }
                    None => {
                        lit.push('$');
                        self.pos += 1;
                    }
                },
                Some('`') => {
                    if !lit.is_empty() {
                        inner.push(WordPart::Literal(std::mem::take(&mut lit)));
                    }
                    inner.push(self.backtick()?);
                }
                Some(c) => {
                    lit.push(c);
                    self.pos += 1;
                }
            }
        }
        if !lit.is_empty() {
            inner.push(WordPart::Literal(lit));
        }
        Ok(WordPart::DoubleQuoted(inner))
    }

    /// `$NAME`, `${NAME}`, `$?`, `$(…)`; `None` when the `$` is literal.
    fn dollar(&mut self) -> Result<Option<WordPart>, SyntaxError> {
        let start = self.pos;
        match self.peek_at(1) {
            Some('(') => {
                if self.peek_at(2) == Some('(') {
                    return Err(self.err("arithmetic $((…)) is not supported by the tutor's shell"));
                }
                self.pos += 2;
                self.depth += 1;
                let inner = self.script()?;
                self.depth -= 1;
                if self.peek() != Some(')') {
                    return Err(SyntaxError {
                        message: "unexpected EOF while looking for matching `)'".into(),
                        offset: start,
                    });
                }
                self.pos += 1;
                Ok(Some(WordPart::CommandSubst(Box::new(inner))))
            }
            Some('{') => {
                self.pos += 2;
                let mut name = String::new();
                loop {
                    match self.peek() {
                        None => {
                            return Err(SyntaxError {
                                message: "unexpected EOF while looking for matching `}'".into(),
                                offset: start,
                            })
                        }
                        Some('}') => {
                            self.pos += 1;
                            break;
                        }
                        Some(c) => {
                            name.push(c);
                            self.pos += 1;
                        }
                    }
                }
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '?')
                {
                    return Err(SyntaxError {
                        message: format!("${{{name}}}: bad substitution"),
                        offset: start,
                    });
                }
                Ok(Some(WordPart::Variable(name)))
            }
            Some(c) if "?$#!0123456789".contains(c) => {
                self.pos += 2;
                Ok(Some(WordPart::Variable(c.to_string())))
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                self.pos += 1;
                let mut name = String::new();
                while let Some(c) = self
                    .peek()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    name.push(c);
                    self.pos += 1;
                }
                Ok(Some(WordPart::Variable(name)))
            }
            _ => Ok(None),
        }
    }

    fn backtick(&mut self) -> Result<WordPart, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => {
                    return Err(SyntaxError {
                        message: "unexpected EOF while looking for matching ``'".into(),
                        offset: start,
                    })
                }
                Some('`') => {
                    self.pos += 1;
                    break;
                }
                Some('\\') if matches!(self.peek_at(1), Some('`') | Some('\\') | Some('$')) => {
                    text.push(self.peek_at(1).unwrap_or('\\'));
                    self.pos += 2;
                }
                Some(c) => {
                    text.push(c);
                    self.pos += 1;
                }
            }
        }
        let inner = parse_script(&text).map_err(|e| SyntaxError {
            message: e.message,
            offset: start + 1 + e.offset,
        })?;
        Ok(WordPart::CommandSubst(Box::new(inner)))
    }
}

impl Word {
    /// The word's text when it has no quoting or expansions at all.
    pub fn as_literal(&self) -> Option<String> {
        match self.parts.as_slice() {
            [WordPart::Literal(s)] => Some(s.clone()),
            _ => None,
        }
    }
}

/// Expand words into argv: variables, command substitutions, field splitting of unquoted
/// expansions, and globbing of unquoted patterns (kept as written when nothing matches).
pub fn expand_words(words: &[Word], ctx: &mut dyn ExpandContext) -> Vec<String> {
    let mut out = Vec::new();
    for w in words {
        out.extend(expand_one(w, ctx, true));
    }
    out
}

/// Expand a word without field splitting or globbing (assignments, redirection targets).
pub fn expand_word_single(word: &Word, ctx: &mut dyn ExpandContext) -> String {
    expand_one(word, ctx, false).join(" ")
}

/// A field being built: its text and, per char, whether it may act as a glob character.
#[derive(Default)]
struct Field {
    text: String,
    globbable: bool,
    quoted: bool,
}

fn expand_one(word: &Word, ctx: &mut dyn ExpandContext, split: bool) -> Vec<String> {
    let mut fields: Vec<Field> = vec![Field::default()];
    let push_text = |fields: &mut Vec<Field>, s: &str, quoted: bool| {
        let f = fields.last_mut().expect("at least one field");
        f.text.push_str(s);
        if quoted {
            f.quoted = true;
        } else if s.contains(['*', '?', '[']) {
            f.globbable = true;
        }
    };
    // Unquoted expansion results are split on whitespace.
    let push_split = |fields: &mut Vec<Field>, s: &str, split: bool| {
        if !split {
            fields.last_mut().expect("field").text.push_str(s);
            return;
        }
        let mut first = true;
        let starts_ws = s.starts_with(char::is_whitespace);
        for (i, piece) in s.split_whitespace().enumerate() {
            if (i > 0 || (first && starts_ws)) && !fields.last().expect("field").text.is_empty() {
                fields.push(Field::default());
            }
            first = false;
            fields.last_mut().expect("field").text.push_str(piece);
        }
        if s.ends_with(char::is_whitespace) && !s.trim().is_empty() {
            fields.push(Field::default());
        }
    };
    for part in &word.parts {
        match part {
            WordPart::Literal(s) => push_text(&mut fields, s, false),
            WordPart::SingleQuoted(s) => push_text(&mut fields, s, true),
            WordPart::Tilde => push_text(&mut fields, &ctx.home(), true),
            WordPart::DoubleQuoted(inner) => {
                let mut text = String::new();
                for ip in inner {
                    match ip {
                        WordPart::Literal(s) | WordPart::SingleQuoted(s) => text.push_str(s),
                        WordPart::Variable(v) => text.push_str(&ctx.var(v).unwrap_or_default()),
                        WordPart::CommandSubst(sc) => {
                            text.push_str(ctx.command_output(sc).trim_end_matches('\n'))
                        }
                        WordPart::Tilde => text.push('~'),
                        WordPart::DoubleQuoted(_) => {}
                    }
                }
                push_text(&mut fields, &text, true);
            }
            WordPart::Variable(v) => {
                let value = ctx.var(v).unwrap_or_default();
                push_split(&mut fields, &value, split);
            }
            WordPart::CommandSubst(sc) => {
                let value = ctx.command_output(sc);
                push_split(&mut fields, value.trim_end_matches('\n'), split);
            }
        }
    }
    let mut out = Vec::new();
    for f in fields {
        if f.text.is_empty() && !f.quoted {
            continue;
        }
        if split && f.globbable {
            let matches = ctx.glob(&f.text);
            if !matches.is_empty() {
                out.extend(matches);
                continue;
            }
        }
        out.push(f.text);
    }
    if !split && out.is_empty() {
        out.push(String::new());
    }
    out
}

/// sh's pattern matching for one path component: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).any(|i| go(&p[1..], &n[i..])),
            Some('?') => !n.is_empty() && go(&p[1..], &n[1..]),
            Some('[') => {
                let Some(close) = p.iter().skip(2).position(|&c| c == ']').map(|i| i + 2) else {
                    return n.first() == Some(&'[') && go(&p[1..], &n[1..]);
                };
                let Some(&c) = n.first() else { return false };
                let mut set = &p[1..close];
                let negate = matches!(set.first(), Some('!') | Some('^'));
                if negate {
                    set = &set[1..];
                }
                let mut hit = false;
                let mut i = 0;
                while i < set.len() {
                    if i + 2 < set.len() && set[i + 1] == '-' {
                        hit |= set[i] <= c && c <= set[i + 2];
                        i += 3;
                    } else {
                        hit |= set[i] == c;
                        i += 1;
                    }
                }
                hit != negate && go(&p[close + 1..], &n[1..])
            }
            Some(&c) => n.first() == Some(&c) && go(&p[1..], &n[1..]),
        }
    }
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ctx;
    impl ExpandContext for Ctx {
        fn var(&self, name: &str) -> Option<String> {
            match name {
                "HOME" => Some("/root".into()),
                "IDS" => Some("a b\nc".into()),
                "?" => Some("0".into()),
                _ => None,
            }
        }
        fn command_output(&mut self, script: &Script) -> String {
            // An empty `$()` substitutes nothing.
            let Some(item) = script.items.first() else {
                return String::new();
            };
            let w = &item.first.commands[0].words;
            format!(
                "{}\nid2\n",
                w.iter()
                    .filter_map(|w| w.as_literal())
                    .collect::<Vec<_>>()
                    .join("-")
            )
        }
        fn glob(&self, pattern: &str) -> Vec<String> {
            ["a.txt", "b.txt", "c.md"]
                .iter()
                .filter(|n| glob_match(pattern, n))
                .map(|s| s.to_string())
                .collect()
        }
        fn home(&self) -> String {
            "/root".into()
        }
    }

    fn argv(line: &str) -> Vec<Vec<String>> {
        let s = parse_script(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let mut out = Vec::new();
        for item in &s.items {
            for p in std::iter::once(&item.first).chain(item.rest.iter().map(|(_, p)| p)) {
                for c in &p.commands {
                    out.push(expand_words(&c.words, &mut Ctx));
                }
            }
        }
        out
    }

    #[test]
    fn words_and_quotes() {
        let table: &[(&str, &[&[&str]])] = &[
            ("docker ps -a", &[&["docker", "ps", "-a"]]),
            (
                "echo \"hello world\" > /tmp/hello.txt",
                &[&["echo", "hello world"]],
            ),
            (
                "echo 'a  b' \"c $HOME\" d\\ e",
                &[&["echo", "a  b", "c /root", "d e"]],
            ),
            (
                "docker ps -a --format \"{{.ID}}: {{.Image}} {{.Names}}\"",
                &[&[
                    "docker",
                    "ps",
                    "-a",
                    "--format",
                    "{{.ID}}: {{.Image}} {{.Names}}",
                ]],
            ),
            (
                "docker rm $(docker ps -a -q)",
                &[&["docker", "rm", "docker-ps--a--q", "id2"]],
            ),
            ("echo $IDS", &[&["echo", "a", "b", "c"]]),
            ("echo \"$IDS\"", &[&["echo", "a b\nc"]]),
            (
                "echo test | docker run -i busybox cat",
                &[
                    &["echo", "test"],
                    &["docker", "run", "-i", "busybox", "cat"],
                ],
            ),
            (
                "apt-get update && apt-get install -y git",
                &[&["apt-get", "update"], &["apt-get", "install", "-y", "git"]],
            ),
            ("ls *.txt", &[&["ls", "a.txt", "b.txt"]]),
            (
                "ls '*.txt' \\*.md *.none",
                &[&["ls", "*.txt", "*.md", "*.none"]],
            ),
            ("echo $UNSET x \"\"", &[&["echo", "x", ""]]),
            ("cd ~/x", &[&["cd", "/root/x"]]),
            ("echo `echo hi`", &[&["echo", "echo-hi", "id2"]]),
            ("echo a # comment", &[&["echo", "a"]]),
        ];
        for (line, want) in table {
            let got = argv(line);
            let want: Vec<Vec<String>> = want
                .iter()
                .map(|c| c.iter().map(|s| s.to_string()).collect())
                .collect();
            assert_eq!(got, want, "{line}");
        }
    }

    #[test]
    fn structure() {
        let s = parse_script("DOCKER_BUILDKIT=1 docker build .").unwrap();
        let c = &s.items[0].first.commands[0];
        assert_eq!(c.assignments[0].0, "DOCKER_BUILDKIT");
        assert_eq!(c.words.len(), 3);
        let s = parse_script("a; b && c || d").unwrap();
        assert_eq!(s.items.len(), 2);
        assert_eq!(s.items[1].rest.len(), 2);
        let s = parse_script("echo hi >> f 2>&1 < in").unwrap();
        let r = &s.items[0].first.commands[0].redirects;
        assert!(matches!(r[0].kind, RedirectKind::Append(_)));
        assert_eq!((r[1].fd, &r[1].kind), (2, &RedirectKind::Dup(1)));
        assert!(matches!(r[2].kind, RedirectKind::Read(_)));
        assert!(parse_script("sleep 100 &").unwrap().items[0].background);
    }

    #[test]
    fn errors_read_like_bash() {
        let table = [
            (
                "echo \"abc",
                "unexpected EOF while looking for matching `\"'",
            ),
            ("echo 'abc", "unexpected EOF while looking for matching `''"),
            ("| ls", "syntax error near unexpected token `|'"),
            ("ls ||", "syntax error: unexpected end of file"),
            ("ls ;; x", "syntax error near unexpected token `;;'"),
            ("echo $(ls", "unexpected EOF while looking for matching `)'"),
        ];
        for (line, want) in table {
            assert_eq!(parse_script(line).unwrap_err().message, want, "{line}");
        }
        assert!(parse_script("cat <<EOF")
            .unwrap_err()
            .message
            .contains("not supported"));
        assert!(parse_script("if true; then ls; fi")
            .unwrap_err()
            .message
            .contains("not supported"));
    }

    #[test]
    fn globbing() {
        assert!(glob_match("*.txt", "a.txt"));
        assert!(!glob_match("*.txt", "a.md"));
        assert!(glob_match("[ab].txt", "b.txt"));
        assert!(!glob_match("[!ab].txt", "b.txt"));
        assert!(glob_match("?", "x"));
        assert!(glob_match("ubuntu*", "ubuntu:latest"));
    }

    proptest::proptest! {
        #[test]
        fn parser_never_panics(line in "\\PC{0,60}") {
            let _ = parse_script(&line).map(|s| {
                for item in &s.items {
                    for c in &item.first.commands {
                        let _ = expand_words(&c.words, &mut Ctx);
                    }
                }
            });
        }
        #[test]
        fn shell_tokens_never_panic(parts in proptest::collection::vec(proptest::sample::select(vec![
            "docker", "ps", "-a", "|", "&&", "||", ";", "'", "\"", "$(", ")", "`", "$X", "${", "}", ">", ">>", "<", "2>&1",
            "*", "\\", "#", "!", "&", "=", "A=1", "~", " ", "\n",
        ]), 0..12)) {
            let line = parts.concat();
            let _ = parse_script(&line);
        }
    }
}
