//! Image references as the docker CLI parses them (distribution/reference), with its messages.
//!
//! Note 001 claims tags may not contain underscores; Docker accepts them (`foo_bar:x_y`), and
//! these rules are the real grammar, checked against the CLI on a live daemon.

use crate::engine::ImageRef;

/// Why a reference was rejected. `Display` is the CLI's text (the caller adds any prefix).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("invalid reference format")]
    Invalid,
    /// `invalid reference format: repository name (library/Ubuntu) must be lowercase`
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    Uppercase(String),
    #[error("invalid reference format: repository name (library/{0}) must be lowercase")]
    UppercaseOfficial(String),
    #[error("repository name must not be more than 255 characters")]
    TooLong,
}

/// Parse `[domain/]path[:tag][@digest]` and add docker's `latest` default when neither a tag nor a
/// digest is given.
pub fn parse_normalized(text: &str) -> Result<ImageRef, ReferenceError> {
    let mut r = parse(text)?;
    if r.tag.is_none() && r.digest.is_none() {
        r.tag = Some("latest".into());
    }
    Ok(r)
}

/// Parse without adding a default tag.
pub fn parse(text: &str) -> Result<ImageRef, ReferenceError> {
    if text.is_empty() {
        return Err(ReferenceError::Invalid);
    }
    let (rest, digest) = match text.split_once('@') {
        Some((name, d)) => {
            if !is_digest(d) {
                return Err(ReferenceError::Invalid);
            }
            (name, Some(d.to_string()))
        }
        None => (text, None),
    };
    // A tag is after the last ':' that follows the last '/'.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => {
            let split = last_slash + i;
            (&rest[..split], Some(rest[split + 1..].to_string()))
        }
        None => (rest, None),
    };
    if let Some(t) = &tag {
        if !is_tag(t) {
            return Err(ReferenceError::Invalid);
        }
    }
    let (registry, path) = split_domain(name);
    if let Some(d) = &registry {
        if !is_domain(d) {
            return Err(ReferenceError::Invalid);
        }
    }
    if path.is_empty() {
        return Err(ReferenceError::Invalid);
    }
    let lower_ok = path.split('/').all(is_path_component);
    if !lower_ok {
        // Docker reports the uppercase case specially when the rest of the grammar holds.
        let lowered = path.to_ascii_lowercase();
        if lowered.split('/').all(is_path_component) {
            let full = match &registry {
                Some(d) => format!("{d}/{path}"),
                None if !path.contains('/') => {
                    return Err(ReferenceError::UppercaseOfficial(path.to_string()))
                }
                None => path.to_string(),
            };
            return Err(ReferenceError::Uppercase(full));
        }
        return Err(ReferenceError::Invalid);
    }
    if name.len() > 255 {
        return Err(ReferenceError::TooLong);
    }
    let repository = path.strip_prefix("library/").filter(|_| registry.is_none());
    Ok(ImageRef {
        registry,
        repository: repository.unwrap_or(path).to_string(),
        tag,
        digest,
    })
}

/// The first component is a registry when it looks like a host: has `.` or `:`, or is
/// `localhost`; uppercase letters also mark a domain in distribution's rules.
fn split_domain(name: &str) -> (Option<String>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            if first == "docker.io" || first == "index.docker.io" {
                (None, rest)
            } else {
                (Some(first.to_string()), rest)
            }
        }
        _ => (None, name),
    }
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn is_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() {
        return false;
    }
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator run: '.', '_', '__', or one or more '-'.
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`
fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b.iter().all(|&x| word(x) || x == b'.' || x == b'-')
}

fn is_domain(d: &str) -> bool {
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|x| x.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'-')
        })
}

fn is_digest(d: &str) -> bool {
    match d.split_once(':') {
        Some((algo, hex)) => {
            !algo.is_empty()
                && algo.bytes().all(|x| {
                    x.is_ascii_lowercase()
                        || x.is_ascii_digit()
                        || x == b'+'
                        || x == b'.'
                        || x == b'_'
                        || x == b'-'
                })
                && hex.len() >= 32
                && hex.bytes().all(|x| x.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// How docker prints a reference back to the user: `ubuntu:latest`, `localhost:5000/ubuntu:latest`.
pub fn familiar(r: &ImageRef) -> String {
    r.to_string()
}

/// The fully qualified form the `pull` command prints last: `docker.io/library/ubuntu:latest`.
pub fn fully_qualified(r: &ImageRef) -> String {
    let repo = match &r.registry {
        Some(d) => format!("{d}/{}", r.repository),
        None if r.repository.contains('/') => format!("docker.io/{}", r.repository),
        None => format!("docker.io/library/{}", r.repository),
    };
    let mut s = repo;
    if let Some(t) = &r.tag {
        s.push(':');
        s.push_str(t);
    }
    if let Some(d) = &r.digest {
        s.push('@');
        s.push_str(d);
    }
    s
}

/// Sort names as dockerd's reference store returns an image's tags: by their fully qualified
/// text (`docker.io/library/toolbox:latest` before `docker.io/me/toolbox:1.0`).
pub fn daemon_order(tags: &mut [String]) {
    tags.sort_by_cached_key(|t| parse(t).map_or_else(|_| t.clone(), |r| fully_qualified(&r)));
}

/// The path docker's pull prints after the tag: `library/ubuntu`, `user/repo`, `ubuntu` for a
/// private registry.
pub fn remote_name(r: &ImageRef) -> String {
    if r.registry.is_none() && !r.repository.contains('/') {
        format!("library/{}", r.repository)
    } else {
        r.repository.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_in_the_daemons_order() {
        // As dockerd 20.10 listed one image's four names.
        let mut tags = vec![
            "toolbox:latest".to_string(),
            "me/toolbox:1.0".into(),
            "me/my_toolbox:v1_0".into(),
            "me/toolbox:latest".into(),
            "localhost:5000/toolbox:latest".into(),
        ];
        daemon_order(&mut tags);
        assert_eq!(
            tags,
            [
                "toolbox:latest",
                "me/my_toolbox:v1_0",
                "me/toolbox:1.0",
                "me/toolbox:latest",
                "localhost:5000/toolbox:latest"
            ]
        );
    }

    #[test]
    fn accepts_what_docker_accepts() {
        let table = [
            ("ubuntu", None, "ubuntu", Some("latest")),
            ("ubuntu:14.04", None, "ubuntu", Some("14.04")),
            ("busybox:1.23", None, "busybox", Some("1.23")),
            ("library/ubuntu", None, "ubuntu", Some("latest")),
            ("docker.io/library/ubuntu", None, "ubuntu", Some("latest")),
            ("user/debian:0.1", None, "user/debian", Some("0.1")),
            (
                "localhost:5000/ubuntu",
                Some("localhost:5000"),
                "ubuntu",
                Some("latest"),
            ),
            (
                "localhost:5000/sandbox:numerics1",
                Some("localhost:5000"),
                "sandbox",
                Some("numerics1"),
            ),
            ("localhost/x", Some("localhost"), "x", Some("latest")),
            // The note says underscores are not allowed; Docker accepts them.
            ("foo_bar:x_y", None, "foo_bar", Some("x_y")),
            ("foo__bar", None, "foo__bar", Some("latest")),
            ("simple_flask", None, "simple_flask", Some("latest")),
            ("hello_docker", None, "hello_docker", Some("latest")),
            ("a-b---c", None, "a-b---c", Some("latest")),
        ];
        for (text, reg, repo, tag) in table {
            let r = parse_normalized(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(r.registry.as_deref(), reg, "{text}");
            assert_eq!(r.repository, repo, "{text}");
            assert_eq!(r.tag.as_deref(), tag, "{text}");
        }
    }

    #[test]
    fn rejects_with_docker_messages() {
        let table = [
            (
                "Ubuntu",
                "invalid reference format: repository name (library/Ubuntu) must be lowercase",
            ),
            (
                "user/Repo",
                "invalid reference format: repository name (user/Repo) must be lowercase",
            ),
            ("a:b:c", "invalid reference format"),
            ("-foo", "invalid reference format"),
            ("foo:-x", "invalid reference format"),
            ("ubuntu::x", "invalid reference format"),
            ("foo___bar", "invalid reference format"),
            ("foo_", "invalid reference format"),
            ("", "invalid reference format"),
        ];
        for (text, want) in table {
            let e = parse_normalized(text).expect_err(text);
            assert_eq!(e.to_string(), want, "{text}");
        }
    }

    #[test]
    fn prints_familiar_and_qualified_forms() {
        let r = parse_normalized("ubuntu").unwrap();
        assert_eq!(familiar(&r), "ubuntu:latest");
        assert_eq!(fully_qualified(&r), "docker.io/library/ubuntu:latest");
        assert_eq!(remote_name(&r), "library/ubuntu");
        let r = parse_normalized("localhost:5000/ubuntu").unwrap();
        assert_eq!(fully_qualified(&r), "localhost:5000/ubuntu:latest");
        assert_eq!(remote_name(&r), "ubuntu");
    }
}
