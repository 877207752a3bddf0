//! A Go `text/template` subset for `--format`, evaluated over JSON values: fields
//! (`{{.State.Status}}`), pipelines, `if`/`else`/`range`/`with`, and docker's template
//! functions (`json`, `join`, `split`, `lower`, `upper`, `title`, `truncate`, `pad`, `println`,
//! `printf`, `len`, `index`). Errors read as the docker CLI prints them.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{prefix}{message}")]
pub struct TemplateError {
    pub prefix: String,
    pub message: String,
}

impl TemplateError {
    /// Docker exits 1 on template errors.
    pub fn exit_code(&self) -> i32 {
        1
    }
}

#[derive(Clone, Debug)]
enum Node {
    Text(String),
    Action(Pipeline),
    If(Pipeline, Vec<Node>, Vec<Node>),
    Range(Pipeline, Vec<Node>, Vec<Node>),
    With(Pipeline, Vec<Node>, Vec<Node>),
}

#[derive(Clone, Debug)]
struct Pipeline {
    cmds: Vec<Vec<Arg>>,
    /// Byte offset of the action in the template, for error positions.
    pos: usize,
}

#[derive(Clone, Debug)]
enum Arg {
    /// `.A.B`; empty path is `.`.
    Field(Vec<String>),
    Str(String),
    Int(i64),
    Bool(bool),
    Ident(String),
    Sub(Pipeline),
}

const FUNCTIONS: &[&str] = &[
    "json", "join", "split", "lower", "upper", "title", "truncate", "pad", "println", "printf",
    "print", "len", "index", "not", "eq", "ne", "and", "or",
];

/// A parsed template.
#[derive(Clone, Debug)]
pub struct Template {
    nodes: Vec<Node>,
}

/// How a command's template errors are worded.
#[derive(Clone, Copy, Debug)]
pub struct Flavor {
    pub parse_prefix: &'static str,
    pub exec_prefix: &'static str,
    /// Go type named in "can't evaluate field X in type T"; `None` for maps ("map has no entry").
    pub type_name: Option<&'static str>,
}

/// `docker ps`, `images`…: `failed to parse template: …`.
pub const LIST_FLAVOR: Flavor = Flavor {
    parse_prefix: "failed to parse template: ",
    exec_prefix: "failed to execute template: ",
    type_name: Some("*formatter.ContainerContext"),
};

/// `docker inspect -f`: `template parsing error: …` for both kinds.
pub const INSPECT_FLAVOR: Flavor = Flavor {
    parse_prefix: "template parsing error: ",
    exec_prefix: "template parsing error: ",
    type_name: None,
};

/// Docker rewrites `\t` and `\n` typed literally in a format.
pub fn unescape(format: &str) -> String {
    format.replace("\\t", "\t").replace("\\n", "\n")
}

impl Template {
    pub fn parse(src: &str, flavor: Flavor) -> Result<Template, TemplateError> {
        let err = |m: String| TemplateError {
            prefix: flavor.parse_prefix.into(),
            message: format!("template: :1: {m}"),
        };
        let mut p = Parser { src, pos: 0 };
        let (nodes, end) = p.list().map_err(err)?;
        if let Some(e) = end {
            return Err(err(format!("unexpected {{{{{e}}}}}")));
        }
        Ok(Template { nodes })
    }

    pub fn execute(&self, data: &Value, flavor: Flavor) -> Result<String, TemplateError> {
        let mut out = String::new();
        exec_nodes(&self.nodes, data, &mut out, flavor).map_err(|m| TemplateError {
            prefix: flavor.exec_prefix.into(),
            message: m,
        })?;
        Ok(out)
    }

    /// Execute with every field replaced by its column title (for `table` headers).
    pub fn execute_header(&self, titles: &dyn Fn(&str) -> String) -> String {
        let mut out = String::new();
        header_nodes(&self.nodes, titles, &mut out);
        out
    }
}

/// `docker inspect -f FORMAT` on one document.
pub fn render_one(format: &str, data: &Value) -> Result<String, TemplateError> {
    let t = Template::parse(&unescape(format), INSPECT_FLAVOR)?;
    t.execute(data, INSPECT_FLAVOR)
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    /// Parse nodes until EOF or an `end`/`else` action, which is returned.
    fn list(&mut self) -> Result<(Vec<Node>, Option<String>), String> {
        let mut nodes = Vec::new();
        loop {
            let rest = &self.src[self.pos..];
            let Some(open) = rest.find("{{") else {
                if !rest.is_empty() {
                    nodes.push(Node::Text(rest.to_string()));
                }
                self.pos = self.src.len();
                return Ok((nodes, None));
            };
            let mut text = rest[..open].to_string();
            let mut inner_start = self.pos + open + 2;
            if self.src[inner_start..].starts_with("- ") {
                text = text.trim_end().to_string();
                inner_start += 1;
            }
            if !text.is_empty() {
                nodes.push(Node::Text(text));
            }
            let Some(close) = self.src[inner_start..].find("}}") else {
                return Err("unclosed action".into());
            };
            let mut inner_end = inner_start + close;
            let mut after = inner_end + 2;
            let trim_right = self.src[..inner_end].ends_with(" -");
            if trim_right {
                inner_end -= 1;
            }
            let body = self.src[inner_start..inner_end].trim().to_string();
            if trim_right {
                let skipped = self.src[after..].len() - self.src[after..].trim_start().len();
                after += skipped;
            }
            let action_pos = inner_start;
            self.pos = after;
            let (keyword, rest_words) = match body.split_once(char::is_whitespace) {
                Some((k, r)) => (k.to_string(), r.trim().to_string()),
                None => (body.clone(), String::new()),
            };
            match keyword.as_str() {
                "end" => return Ok((nodes, Some("end".into()))),
                "else" => return Ok((nodes, Some("else".into()))),
                "if" | "range" | "with" => {
                    let pipe = parse_pipeline(&rest_words, action_pos)?;
                    let (body_nodes, end) = self.list()?;
                    let (else_nodes, end) = match end.as_deref() {
                        Some("else") => self.list()?,
                        other => (Vec::new(), other.map(str::to_string)),
                    };
                    if end.as_deref() != Some("end") {
                        return Err(format!("unexpected EOF in {keyword}"));
                    }
                    nodes.push(match keyword.as_str() {
                        "if" => Node::If(pipe, body_nodes, else_nodes),
                        "range" => Node::Range(pipe, body_nodes, else_nodes),
                        _ => Node::With(pipe, body_nodes, else_nodes),
                    });
                }
                _ if body.starts_with("/*") => {}
                _ => nodes.push(Node::Action(parse_pipeline(&body, action_pos)?)),
            }
        }
    }
}

fn parse_pipeline(src: &str, pos: usize) -> Result<Pipeline, String> {
    let tokens = tokenize(src)?;
    let mut cmds = Vec::new();
    let mut cur = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t == "|" {
            if cur.is_empty() {
                return Err("missing command".into());
            }
            cmds.push(std::mem::take(&mut cur));
        } else if t == "(" {
            let mut depth = 1;
            let mut j = i + 1;
            while j < tokens.len() && depth > 0 {
                if tokens[j] == "(" {
                    depth += 1;
                } else if tokens[j] == ")" {
                    depth -= 1;
                }
                j += 1;
            }
            if depth != 0 {
                return Err("unclosed left paren".into());
            }
            cur.push(Arg::Sub(parse_pipeline(
                &tokens[i + 1..j - 1].join(" "),
                pos,
            )?));
            i = j;
            continue;
        } else {
            cur.push(parse_arg(t)?);
        }
        i += 1;
    }
    if !cur.is_empty() {
        cmds.push(cur);
    }
    if cmds.is_empty() {
        return Err("missing value for command".into());
    }
    Ok(Pipeline { cmds, pos })
}

fn tokenize(src: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '`' {
            let mut s = String::from(c);
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && c == '"' && i + 1 < chars.len() {
                    s.push(chars[i]);
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err("unterminated quoted string".into());
            }
            s.push(c);
            out.push(s);
            i += 1;
        } else if c == '|' || c == '(' || c == ')' {
            out.push(c.to_string());
            i += 1;
        } else {
            let mut s = String::new();
            while i < chars.len() && !chars[i].is_whitespace() && !"|()".contains(chars[i]) {
                s.push(chars[i]);
                i += 1;
            }
            out.push(s);
        }
    }
    Ok(out)
}

fn parse_arg(t: &str) -> Result<Arg, String> {
    if let Some(rest) = t.strip_prefix('.') {
        let path = if rest.is_empty() {
            vec![]
        } else {
            rest.split('.').map(str::to_string).collect()
        };
        return Ok(Arg::Field(path));
    }
    if t.starts_with('"') {
        let inner = &t[1..t.len() - 1];
        return Ok(Arg::Str(
            inner
                .replace("\\\"", "\"")
                .replace("\\n", "\n")
                .replace("\\t", "\t")
                .replace("\\\\", "\\"),
        ));
    }
    if t.starts_with('`') {
        return Ok(Arg::Str(t[1..t.len() - 1].to_string()));
    }
    if let Ok(n) = t.parse::<i64>() {
        return Ok(Arg::Int(n));
    }
    match t {
        "true" => return Ok(Arg::Bool(true)),
        "false" => return Ok(Arg::Bool(false)),
        _ => {}
    }
    if FUNCTIONS.contains(&t) {
        return Ok(Arg::Ident(t.to_string()));
    }
    Err(format!("function \"{t}\" not defined"))
}

fn exec_nodes(nodes: &[Node], dot: &Value, out: &mut String, flavor: Flavor) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Action(p) => out.push_str(&to_text(&eval_pipeline(p, dot, flavor)?)),
            Node::If(p, yes, no) => {
                let v = eval_pipeline(p, dot, flavor)?;
                exec_nodes(if truthy(&v) { yes } else { no }, dot, out, flavor)?;
            }
            Node::With(p, yes, no) => {
                let v = eval_pipeline(p, dot, flavor)?;
                if truthy(&v) {
                    exec_nodes(yes, &v, out, flavor)?;
                } else {
                    exec_nodes(no, dot, out, flavor)?;
                }
            }
            Node::Range(p, body, empty) => {
                let v = eval_pipeline(p, dot, flavor)?;
                let items: Vec<Value> = match &v {
                    Value::Array(a) => a.clone(),
                    Value::Object(m) => m.values().cloned().collect(),
                    _ => vec![],
                };
                if items.is_empty() {
                    exec_nodes(empty, dot, out, flavor)?;
                }
                for item in &items {
                    exec_nodes(body, item, out, flavor)?;
                }
            }
        }
    }
    Ok(())
}

fn eval_pipeline(p: &Pipeline, dot: &Value, flavor: Flavor) -> Result<Value, String> {
    let mut prev: Option<Value> = None;
    for cmd in &p.cmds {
        prev = Some(eval_command(cmd, dot, prev, p.pos, flavor)?);
    }
    Ok(prev.unwrap_or(Value::Null))
}

fn eval_command(
    cmd: &[Arg],
    dot: &Value,
    piped: Option<Value>,
    pos: usize,
    flavor: Flavor,
) -> Result<Value, String> {
    match &cmd[0] {
        Arg::Ident(f) => {
            let mut args = Vec::new();
            for a in &cmd[1..] {
                args.push(eval_arg(a, dot, pos, flavor)?);
            }
            if let Some(p) = piped {
                args.push(p);
            }
            call(f, &args)
        }
        Arg::Field(path) if path.last().map(String::as_str) == Some("Label") && cmd.len() == 2 => {
            // ps/images rows expose labels through a `.Label "key"` method.
            let key = eval_arg(&cmd[1], dot, pos, flavor)?;
            let key = to_text(&key);
            let labels = dot.get("Labels").and_then(Value::as_str).unwrap_or("");
            let found = labels.split(',').find_map(|kv| {
                kv.split_once('=')
                    .filter(|(k, _)| *k == key)
                    .map(|(_, v)| v)
            });
            Ok(Value::String(found.unwrap_or("").to_string()))
        }
        first => {
            if cmd.len() > 1 || piped.is_some() {
                return Err(format!(
                    "executing \"\" at <{}>: can't give argument to non-function",
                    arg_text(first)
                ));
            }
            eval_arg(first, dot, pos, flavor)
        }
    }
}

fn arg_text(a: &Arg) -> String {
    match a {
        Arg::Field(p) => format!(".{}", p.join(".")),
        Arg::Str(s) => format!("{s:?}"),
        Arg::Int(n) => n.to_string(),
        Arg::Bool(b) => b.to_string(),
        Arg::Ident(i) => i.clone(),
        Arg::Sub(_) => "(…)".into(),
    }
}

fn eval_arg(a: &Arg, dot: &Value, pos: usize, flavor: Flavor) -> Result<Value, String> {
    match a {
        Arg::Str(s) => Ok(Value::String(s.clone())),
        Arg::Int(n) => Ok(Value::from(*n)),
        Arg::Bool(b) => Ok(Value::Bool(*b)),
        Arg::Ident(f) => call(f, &[]),
        Arg::Sub(p) => eval_pipeline(p, dot, flavor),
        Arg::Field(path) => {
            let mut v = dot.clone();
            for (i, key) in path.iter().enumerate() {
                v = match &v {
                    Value::Object(m) => match m.get(key) {
                        Some(x) => x.clone(),
                        None if i == 0 && flavor.type_name.is_some() => {
                            return Err(format!(
                                "template: :1:{pos}: executing \"\" at <.{key}>: can't evaluate field {key} in type {}",
                                flavor.type_name.unwrap_or("")
                            ))
                        }
                        None => {
                            return Err(format!(
                                "template: :1:{pos}: executing \"\" at <.{}>: map has no entry for key \"{key}\"",
                                path[..=i].join(".")
                            ))
                        }
                    },
                    Value::Null => Value::Null,
                    _ => {
                        return Err(format!(
                            "template: :1:{pos}: executing \"\" at <.{}>: can't evaluate field {key} in type string",
                            path[..=i].join(".")
                        ))
                    }
                };
            }
            Ok(v)
        }
    }
}

fn call(f: &str, args: &[Value]) -> Result<Value, String> {
    let s = |i: usize| args.get(i).map(to_text).unwrap_or_default();
    let n = |i: usize| {
        args.get(i)
            .and_then(|v| v.as_i64().or_else(|| to_text(v).parse().ok()))
            .unwrap_or(0)
    };
    Ok(match f {
        "json" => Value::String(super::json::compact(args.first().unwrap_or(&Value::Null))),
        "join" => {
            let items: Vec<String> = match args.first() {
                Some(Value::Array(a)) => a.iter().map(to_text).collect(),
                Some(other) => vec![to_text(other)],
                None => vec![],
            };
            Value::String(items.join(&s(1)))
        }
        "split" => Value::Array(
            s(0).split(&s(1))
                .map(|p| Value::String(p.to_string()))
                .collect(),
        ),
        "lower" => Value::String(s(0).to_lowercase()),
        "upper" => Value::String(s(0).to_uppercase()),
        "title" => Value::String(
            s(0).split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "truncate" => Value::String(s(0).chars().take(n(1).max(0) as usize).collect()),
        "pad" => Value::String(format!(
            "{}{}{}",
            " ".repeat(n(1).max(0) as usize),
            s(0),
            " ".repeat(n(2).max(0) as usize)
        )),
        "println" => Value::String(format!(
            "{}\n",
            args.iter().map(to_text).collect::<Vec<_>>().join(" ")
        )),
        "print" => Value::String(args.iter().map(to_text).collect::<Vec<_>>().join("")),
        "printf" => Value::String(printf(&s(0), &args[1.min(args.len())..])),
        "len" => Value::from(match args.first() {
            Some(Value::Array(a)) => a.len(),
            Some(Value::Object(m)) => m.len(),
            Some(v) => to_text(v).len(),
            None => 0,
        } as i64),
        "index" => {
            let mut v = args.first().cloned().unwrap_or(Value::Null);
            for k in &args[1.min(args.len())..] {
                v = match (&v, k) {
                    (Value::Object(m), key) => m.get(&to_text(key)).cloned().unwrap_or(Value::Null),
                    (Value::Array(a), Value::Number(i)) => a
                        .get(i.as_u64().unwrap_or(0) as usize)
                        .cloned()
                        .unwrap_or(Value::Null),
                    _ => Value::Null,
                };
            }
            v
        }
        "not" => Value::Bool(!truthy(args.first().unwrap_or(&Value::Null))),
        "eq" => Value::Bool(
            args.len() >= 2 && args[1..].iter().any(|x| to_text(x) == to_text(&args[0])),
        ),
        "ne" => Value::Bool(args.len() >= 2 && to_text(&args[0]) != to_text(&args[1])),
        "and" => args
            .iter()
            .find(|v| !truthy(v))
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null),
        "or" => args
            .iter()
            .find(|v| truthy(v))
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null),
        other => return Err(format!("function \"{other}\" not defined")),
    })
}

/// `%s`, `%d`, `%v`, `%q` and `%%`.
fn printf(fmt: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('q') => out.push_str(&format!("{:?}", it.next().map(to_text).unwrap_or_default())),
            Some(_) => out.push_str(
                &it.next()
                    .map(to_text)
                    .unwrap_or_else(|| "%!v(MISSING)".into()),
            ),
            None => out.push('%'),
        }
    }
    out
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

/// Go's `%v` of a value.
pub fn to_text(v: &Value) -> String {
    match v {
        Value::Null => "<no value>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(to_text).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            let mut items: Vec<(&String, &Value)> = m.iter().collect();
            items.sort_by(|a, b| a.0.cmp(b.0));
            format!(
                "map[{}]",
                items
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", to_text(v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
    }
}

fn header_nodes(nodes: &[Node], titles: &dyn Fn(&str) -> String, out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Action(p) => {
                // The header shows the title of the field the action names (first field found).
                let field = p.cmds.iter().flatten().find_map(|a| match a {
                    Arg::Field(path) if !path.is_empty() => Some(path[0].clone()),
                    _ => None,
                });
                if let Some(f) = field {
                    out.push_str(&titles(&f));
                }
            }
            Node::If(_, yes, _) | Node::With(_, yes, _) | Node::Range(_, yes, _) => {
                header_nodes(yes, titles, out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, v: &Value) -> Result<String, String> {
        Template::parse(t, LIST_FLAVOR)
            .and_then(|t| t.execute(v, LIST_FLAVOR))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn fields_functions_and_control() {
        let v = json!({"Names": "tt", "State": {"Status": "running"}, "Cmd": ["sleep", "30"], "Labels": "a=b,c=d"});
        let table = [
            ("{{.Names}}", "tt"),
            ("{{.State.Status}}", "running"),
            ("{{json .Cmd}}", "[\"sleep\",\"30\"]"),
            (
                "{{upper .Names}}|{{len .Names}}|{{printf \"%s-%d\" .Names 3}}",
                "TT|2|tt-3",
            ),
            ("{{.Label \"a\"}}", "b"),
            ("{{join .Cmd \" \"}}", "sleep 30"),
            ("{{if eq .Names \"tt\"}}yes{{else}}no{{end}}", "yes"),
            ("{{range .Cmd}}<{{.}}>{{end}}", "<sleep><30>"),
            ("{{.Names | upper}}", "TT"),
            ("{{index .State \"Status\"}}", "running"),
        ];
        for (t, want) in table {
            assert_eq!(run(t, &v).unwrap(), want, "{t}");
        }
    }

    #[test]
    fn errors_read_like_docker() {
        let v = json!({"ID": "x"});
        assert_eq!(
            run("{{.Nope}}", &v).unwrap_err(),
            "failed to execute template: template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type *formatter.ContainerContext"
        );
        assert_eq!(
            run("{{foo}}", &v).unwrap_err(),
            "failed to parse template: template: :1: function \"foo\" not defined"
        );
        assert_eq!(
            run("{{.ID", &v).unwrap_err(),
            "failed to parse template: template: :1: unclosed action"
        );
        assert_eq!(
            render_one("{{.Nope}}", &json!({"Id": "x"})).unwrap_err().to_string(),
            "template parsing error: template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\""
        );
    }

    #[test]
    fn headers_use_titles() {
        let t = Template::parse("{{.ID}}\t{{.Names}}", LIST_FLAVOR).unwrap();
        let h = t.execute_header(&|f| match f {
            "ID" => "CONTAINER ID".into(),
            other => other.to_uppercase(),
        });
        assert_eq!(h, "CONTAINER ID\tNAMES");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(t in "\\PC{0,30}") {
            let v = json!({"ID": "x", "A": [1, 2], "M": {"k": "v"}});
            let _ = Template::parse(&t, LIST_FLAVOR).map(|t| t.execute(&v, LIST_FLAVOR));
        }
    }
}
