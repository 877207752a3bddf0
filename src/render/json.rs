//! JSON as Go's encoder writes it: `<`, `>` and `&` escaped as `\u003c`…, and `docker inspect`'s
//! four-space indentation.

use serde::Serialize;

/// `docker inspect` output: the array indented with four spaces.
pub fn indent(value: &serde_json::Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if value.serialize(&mut ser).is_err() {
        return "[]".into();
    }
    go_escape(&String::from_utf8_lossy(&buf))
}

/// `{{json .}}`: compact.
pub fn compact(value: &serde_json::Value) -> String {
    go_escape(&serde_json::to_string(value).unwrap_or_else(|_| "null".into()))
}

/// Go's json.Marshal escapes HTML-significant characters inside strings.
fn go_escape(s: &str) -> String {
    s.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_go() {
        let v = serde_json::json!({"Digest": "<none>", "A": [1]});
        assert_eq!(compact(&v), r#"{"Digest":"\u003cnone\u003e","A":[1]}"#);
        assert_eq!(
            indent(&serde_json::json!([{"Id": "x"}])),
            "[\n    {\n        \"Id\": \"x\"\n    }\n]"
        );
    }
}
