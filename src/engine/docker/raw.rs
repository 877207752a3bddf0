//! A bare HTTP/1.1 request to the daemon for the one stream bollard's types cut short: the
//! messages of `POST /images/{name}/push` carry each layer's `id`, which `PushImageInfo` has
//! no field for, and the CLI prints `e2eacaf84fe1: Pushed` from it.

use std::io::{BufRead, BufReader, Read, Write};
use std::time::Duration;

use serde_json::Value;

/// How long a push may go quiet before it is given up.
const READ_TIMEOUT: Duration = Duration::from_secs(600);

/// The daemon's answer: the HTTP status and the JSON messages of the body.
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub messages: Vec<Value>,
}

/// `POST path` (with its query) to the daemon at `address` (`unix://…` or `tcp://…`) with an
/// empty body, reading the whole answer.
pub fn post(address: &str, path: &str, headers: &[(&str, &str)]) -> Result<Answer, String> {
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");
    let raw = if let Some(socket) = address.strip_prefix("unix://") {
        let mut s = std::os::unix::net::UnixStream::connect(socket)
            .map_err(|e| format!("cannot connect to {address}: {e}"))?;
        s.set_read_timeout(Some(READ_TIMEOUT)).ok();
        exchange(&mut s, &request)?
    } else if let Some(host) = address
        .strip_prefix("tcp://")
        .or_else(|| address.strip_prefix("http://"))
    {
        let mut s = std::net::TcpStream::connect(host.trim_end_matches('/'))
            .map_err(|e| format!("cannot connect to {address}: {e}"))?;
        s.set_read_timeout(Some(READ_TIMEOUT)).ok();
        exchange(&mut s, &request)?
    } else {
        return Err(format!("cannot reach {address} without TLS support"));
    };
    parse_response(&raw)
}

fn exchange<S: Read + Write>(stream: &mut S, request: &str) -> Result<Vec<u8>, String> {
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("writing to the daemon: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("reading from the daemon: {e}"))?;
    Ok(raw)
}

/// Status line, headers, then a body that is chunked or runs to the end of the connection.
fn parse_response(raw: &[u8]) -> Result<Answer, String> {
    let mut reader = BufReader::new(raw);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|e| format!("reading the daemon's answer: {e}"))?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("the daemon answered something that is not HTTP: {line:?}"))?;
    let mut chunked = false;
    loop {
        line.clear();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            break;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("transfer-encoding")
                && v.trim().eq_ignore_ascii_case("chunked")
            {
                chunked = true;
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                break;
            }
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| format!("a malformed chunk size in the daemon's answer: {line:?}"))?;
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size];
            reader
                .read_exact(&mut chunk)
                .map_err(|e| format!("a chunk cut short: {e}"))?;
            body.extend_from_slice(&chunk);
            line.clear();
            reader.read_line(&mut line).ok();
        }
    } else {
        reader.read_to_end(&mut body).map_err(|e| e.to_string())?;
    }
    let messages = serde_json::Deserializer::from_slice(&body)
        .into_iter::<Value>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the daemon's messages are not JSON: {e}"))?;
    Ok(Answer { status, messages })
}

/// `a/b:c` for a URL path: only what a reference may hold, so nothing needs escaping but `%`.
pub fn query_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' | '~' => c.to_string(),
            other => {
                let mut buf = [0u8; 4];
                other
                    .encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_messages_keep_their_ids() {
        let body = "{\"status\":\"The push refers to repository [localhost:5000/x]\"}\r\n{\"status\":\"Preparing\",\"progressDetail\":{},\"id\":\"e2eacaf84fe1\"}\r\n";
        let half = body.len() / 2;
        let raw = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n{:x}\r\n{}\r\n0\r\n\r\n",
            half,
            &body[..half],
            body.len() - half,
            &body[half..]
        );
        let a = parse_response(raw.as_bytes()).unwrap();
        assert_eq!(a.status, 200);
        assert_eq!(a.messages.len(), 2);
        assert_eq!(a.messages[1]["id"], "e2eacaf84fe1");
    }

    #[test]
    fn an_error_status_with_a_plain_body() {
        let raw = "HTTP/1.1 404 Not Found\r\nContent-Length: 60\r\n\r\n{\"message\":\"An image does not exist locally with the tag: x\"}";
        let a = parse_response(raw.as_bytes()).unwrap();
        assert_eq!(a.status, 404);
        assert_eq!(
            a.messages[0]["message"],
            "An image does not exist locally with the tag: x"
        );
        assert!(parse_response(b"garbage").is_err());
    }

    #[test]
    fn escaping() {
        assert_eq!(query_escape("latest"), "latest");
        assert_eq!(query_escape("v1 2"), "v1%202");
    }
}
