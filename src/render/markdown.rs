//! Lesson markdown for a terminal (pulldown-cmark): headings, emphasis, inline code, code
//! blocks and lists, wrapped to a width. Colour comes from [`super::style`]; without colour,
//! inline code keeps its backticks so it still stands out.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::style::{paint, Role};

/// Render `markdown` for a terminal `width` columns wide, every line indented by `indent`.
pub fn to_terminal(markdown: &str, width: usize, indent: &str) -> String {
    let mut r = Renderer {
        out: String::new(),
        width: width.max(20),
        indent: indent.to_string(),
        tokens: Vec::new(),
        styles: Vec::new(),
        list_depth: 0,
        item_pending: false,
        code_block: None,
    };
    for event in Parser::new(markdown) {
        r.event(event);
    }
    r.flush();
    let mut out = r.out;
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

enum Token {
    Space,
    /// Rendered text (maybe with colour codes) and its visible width.
    Frag(String, usize),
}

struct Renderer {
    out: String,
    width: usize,
    indent: String,
    tokens: Vec<Token>,
    styles: Vec<Role>,
    list_depth: usize,
    /// The next flushed block starts a list item (gets the bullet).
    item_pending: bool,
    code_block: Option<String>,
}

impl Renderer {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.flush();
                self.styles.push(if level == HeadingLevel::H1 {
                    Role::Title
                } else {
                    Role::Heading
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                self.styles.pop();
                self.flush();
            }
            Event::End(TagEnd::Paragraph) => self.flush(),
            Event::Start(Tag::Emphasis) => self.styles.push(Role::Emphasis),
            Event::Start(Tag::Strong) => self.styles.push(Role::Strong),
            Event::End(TagEnd::Emphasis) | Event::End(TagEnd::Strong) => {
                self.styles.pop();
            }
            Event::Start(Tag::List(_)) => {
                self.flush();
                self.list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                self.flush();
                self.list_depth = self.list_depth.saturating_sub(1);
                if self.list_depth == 0 {
                    self.out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                self.flush();
                self.item_pending = true;
            }
            Event::End(TagEnd::Item) => self.flush(),
            Event::Start(Tag::CodeBlock(_)) => {
                self.flush();
                self.code_block = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                let code = self.code_block.take().unwrap_or_default();
                for line in code.trim_end_matches('\n').lines() {
                    self.out.push_str(&format!(
                        "{}    {}\n",
                        self.indent,
                        paint(Role::Command, line)
                    ));
                }
                self.out.push('\n');
            }
            Event::Text(text) => match &mut self.code_block {
                Some(code) => code.push_str(&text),
                None => self.text(&text),
            },
            Event::Code(code) => {
                let visible = if super::style::enabled() {
                    code.to_string()
                } else {
                    format!("`{code}`")
                };
                let width = visible.chars().count();
                self.tokens
                    .push(Token::Frag(paint(Role::Code, &visible), width));
            }
            Event::SoftBreak => self.tokens.push(Token::Space),
            Event::HardBreak => {
                self.tokens.push(Token::Frag("\n".into(), 0));
            }
            Event::Rule => {
                self.flush();
                self.out
                    .push_str(&format!("{}{}\n\n", self.indent, "─".repeat(20)));
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        let role = self.styles.last().copied();
        if text.starts_with(char::is_whitespace) {
            self.tokens.push(Token::Space);
        }
        let mut first = true;
        for word in text.split_whitespace() {
            if !first {
                self.tokens.push(Token::Space);
            }
            first = false;
            let painted = match role {
                Some(r) => paint(r, word),
                None => word.to_string(),
            };
            self.tokens.push(Token::Frag(painted, word.chars().count()));
        }
        if text.ends_with(char::is_whitespace) && !text.trim().is_empty() {
            self.tokens.push(Token::Space);
        }
    }

    /// Wrap the gathered words into lines.
    fn flush(&mut self) {
        if self.tokens.is_empty() {
            return;
        }
        let tokens = std::mem::take(&mut self.tokens);
        // Words are runs of fragments with no space between them.
        let mut words: Vec<(String, usize)> = Vec::new();
        let mut glue = false;
        for t in tokens {
            match t {
                Token::Space => glue = false,
                Token::Frag(text, w) => {
                    if glue {
                        if let Some(last) = words.last_mut() {
                            last.0.push_str(&text);
                            last.1 += w;
                            continue;
                        }
                    }
                    words.push((text, w));
                    glue = true;
                }
            }
        }
        let nest = "  ".repeat(self.list_depth.saturating_sub(1));
        let (first_prefix, rest_prefix) = if self.list_depth > 0 {
            let bullet = if self.item_pending { "• " } else { "  " };
            (
                format!("{}{nest}{bullet}", self.indent),
                format!("{}{nest}  ", self.indent),
            )
        } else {
            (self.indent.clone(), self.indent.clone())
        };
        self.item_pending = false;
        let mut line = first_prefix.clone();
        let mut used = first_prefix.chars().count();
        let mut empty = true;
        for (text, w) in words {
            if text == "\n" {
                self.out.push_str(line.trim_end());
                self.out.push('\n');
                line = rest_prefix.clone();
                used = rest_prefix.chars().count();
                empty = true;
                continue;
            }
            if !empty && used + 1 + w > self.width {
                self.out.push_str(line.trim_end());
                self.out.push('\n');
                line = rest_prefix.clone();
                used = rest_prefix.chars().count();
                empty = true;
            }
            if !empty {
                line.push(' ');
                used += 1;
            }
            line.push_str(&text);
            used += w;
            empty = false;
        }
        self.out.push_str(line.trim_end());
        self.out.push('\n');
        if self.list_depth == 0 {
            self.out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_elements_lessons_use() {
        super::super::style::force(false);
        let md = "# Title\n\nRun `docker ps -a`, then **look**:\n\n    docker run -i -t ubuntu /bin/bash\n\n- one item\n- two `x`\n\nA long paragraph that has to be wrapped because it is much longer than the narrow width we give it here.\n";
        let out = to_terminal(md, 40, "  ");
        assert_eq!(
            out,
            "  Title\n\n  Run `docker ps -a`, then look:\n\n      docker run -i -t ubuntu /bin/bash\n\n  • one item\n  • two `x`\n\n  A long paragraph that has to be\n  wrapped because it is much longer than\n  the narrow width we give it here.\n"
        );
    }
}
