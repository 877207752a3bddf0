//! `--help` texts, generated from the flag tables in the docker CLI's layout. Long help lines
//! are not wrapped (docker wraps at the terminal width).

use super::defs::{spellings, COMMANDS, GLOBAL_FLAGS, GROUPS};
use super::spec::{Cmd, CommandSpec, FlagKind, FlagSpec};

/// The commands `docker --help` lists under "Common Commands", in its order.
const COMMON: &[Cmd] = &[
    Cmd::Run,
    Cmd::Exec,
    Cmd::Ps,
    Cmd::Build,
    Cmd::Pull,
    Cmd::Push,
    Cmd::Images,
    Cmd::Login,
    Cmd::Logout,
    Cmd::Search,
    Cmd::Version,
    Cmd::Info,
];

pub fn top_level() -> String {
    let mut s = String::from("Usage:  docker [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\nCommon Commands:\n");
    for c in COMMON {
        let spec = COMMANDS
            .iter()
            .find(|x| x.cmd == *c)
            .expect("common command in table");
        s.push_str(&format!("  {:<12}{}\n", spec.path[0], spec.about));
    }
    s.push_str("\nManagement Commands:\n");
    for (g, about) in GROUPS {
        s.push_str(&format!("  {g:<12}{about}\n"));
    }
    s.push_str("\nCommands:\n");
    let mut rest: Vec<&CommandSpec> = COMMANDS
        .iter()
        .filter(|c| c.path.len() == 1 && !COMMON.contains(&c.cmd) && c.cmd != Cmd::Compose)
        .collect();
    rest.sort_by_key(|c| c.path[0]);
    for c in rest {
        s.push_str(&format!("  {:<12}{}\n", c.path[0], c.about));
    }
    s.push_str("\nGlobal Options:\n");
    s.push_str(&options(GLOBAL_FLAGS));
    s.push_str("\nRun 'docker COMMAND --help' for more information on a command.\n");
    s
}

pub fn group(name: &str, about: &str) -> String {
    let mut s = format!("Usage:  docker {name} COMMAND\n\n{about}\n\nCommands:\n");
    let mut subs: Vec<(String, &str)> = spellings()
        .filter(|(p, _)| p.len() == 2 && p[0] == name)
        .map(|(p, spec)| (p[1].to_string(), spec.about))
        .collect();
    subs.sort();
    subs.dedup_by(|a, b| a.0 == b.0);
    for (w, about) in subs {
        s.push_str(&format!("  {w:<12}{about}\n"));
    }
    s.push_str(&format!(
        "\nRun 'docker {name} COMMAND --help' for more information on a command.\n"
    ));
    s
}

pub fn command(spec: &CommandSpec, typed: &[&str]) -> String {
    let typed = typed.join(" ");
    let mut s = format!("Usage:  docker {typed} {}\n\n{}\n", spec.usage, spec.about);
    if !spec.aliases.is_empty() {
        let mut names: Vec<String> = spec
            .aliases
            .iter()
            .map(|a| format!("docker {}", a.join(" ")))
            .collect();
        names.push(format!("docker {}", spec.path.join(" ")));
        // docker lists the management spelling first.
        names.sort_by_key(|n| std::cmp::Reverse(n.matches(' ').count()));
        s.push_str(&format!("\nAliases:\n  {}\n", names.join(", ")));
    }
    if !spec.flags.is_empty() {
        s.push_str("\nOptions:\n");
        s.push_str(&options(spec.flags));
    }
    s
}

fn options(flags: &[FlagSpec]) -> String {
    let left = |f: &FlagSpec| {
        let name = match f.short {
            Some(c) => format!("  -{c}, --{}", f.long),
            None => format!("      --{}", f.long),
        };
        match f.kind {
            FlagKind::Bool => name,
            _ => format!("{name} {}", f.value_name),
        }
    };
    let width = flags.iter().map(|f| left(f).len()).max().unwrap_or(0) + 3;
    let mut s = String::new();
    for f in flags {
        let mut help = f.help.to_string();
        if let Some(d) = f.default {
            help.push_str(&format!(" (default {d})"));
        }
        s.push_str(&format!("{:<width$}{help}\n", left(f)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::defs::find;

    #[test]
    fn run_help_has_docker_shape() {
        let h = command(find(Cmd::Run), &["run"]);
        assert!(h.starts_with("Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nCreate and run a new container from an image\n"));
        assert!(
            h.contains("\nAliases:\n  docker container run, docker run\n"),
            "{h}"
        );
        for line in [
            "  -d, --detach ",
            "      --name string ",
            "  -v, --volume list ",
            "  -p, --publish list ",
        ] {
            assert!(h.contains(line), "missing {line:?} in\n{h}");
        }
    }

    #[test]
    fn top_level_lists_every_command() {
        let h = top_level();
        for c in COMMANDS
            .iter()
            .filter(|c| c.path.len() == 1 && c.cmd != Cmd::Compose)
        {
            assert!(
                h.contains(&format!("\n  {:<12}", c.path[0])),
                "{}",
                c.path[0]
            );
        }
    }
}
