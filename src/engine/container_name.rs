//! Docker's rule for container names, checked the same way on both engines (the real engine
//! prefixes the learner's names, so the daemon would accept names it refuses from the CLI).

use super::EngineError;

/// Docker's pattern, `^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`, for a name whose `/` is already
/// stripped: two characters at least.
pub fn valid_container_name(name: &str) -> bool {
    name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

/// The daemon's answer to `docker run --name TYPED` with an invalid name.
pub fn invalid_name(typed: &str) -> EngineError {
    EngineError::daemon(
        400,
        format!("Invalid container name ({typed}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"),
    )
}

/// The daemon's answer to `docker rename X NEW` with an invalid name.
pub fn invalid_new_name(name: &str) -> EngineError {
    EngineError::daemon(
        400,
        format!(
            "Error when allocating new name: Invalid container name (/{name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::valid_container_name;

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
    }
}
