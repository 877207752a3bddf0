//! Docker's rule for container names, checked the same way on both engines (the real engine
//! prefixes the learner's names, so the daemon would accept names it refuses from the CLI).

use super::EngineError;

/// The name `--name TYPED` gives a container (`/web` is `web`), or dockerd's refusal.
pub fn for_run(typed: &str) -> Result<&str, EngineError> {
    let name = typed.strip_prefix('/').unwrap_or(typed);
    if valid_container_name(name) {
        Ok(name)
    } else {
        Err(invalid_name(typed))
    }
}

/// The name `docker rename X NEW` gives a container, or dockerd's refusal.
pub fn for_rename(new: &str) -> Result<&str, EngineError> {
    let name = new.strip_prefix('/').unwrap_or(new);
    if valid_container_name(name) {
        Ok(name)
    } else {
        Err(invalid_new_name(name))
    }
}

/// Docker's pattern, `^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`, for a name whose `/` is already
/// stripped: two characters at least.
fn valid_container_name(name: &str) -> bool {
    name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// The daemon's answer to `docker run --name TYPED` with an invalid name.
fn invalid_name(typed: &str) -> EngineError {
    EngineError::daemon(
        400,
        format!("Invalid container name ({typed}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"),
    )
}

/// The daemon's answer to `docker rename X NEW` with an invalid name.
fn invalid_new_name(name: &str) -> EngineError {
    EngineError::daemon(
        400,
        format!(
            "Error when allocating new name: Invalid container name (/{name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::{for_run, valid_container_name};

    #[test]
    fn container_names_as_docker_allows_them() {
        for (name, ok) in [
            ("sandbox", true),
            ("ab", true),
            ("a", false),
            ("a b", false),
            ("_x", false),
            ("x_1.y-z", true),
            ("9lives", true),
            ("", false),
        ] {
            assert_eq!(valid_container_name(name), ok, "{name}");
        }
        assert_eq!(for_run("/web").unwrap(), "web");
        assert!(for_run("/w").is_err());
    }
}
