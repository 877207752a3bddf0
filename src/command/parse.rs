//! argv -> [`Invocation`], with docker's own usage errors (cobra/pflag behaviour, texts checked
//! against the docker 28 CLI).

use std::collections::BTreeMap;

use super::defs::{self, COMMANDS, GLOBAL_FLAGS, GROUPS};
use super::help;
use super::spec::{ArgSpec, CommandSpec, FlagKind, FlagSpec, Invocation};
use super::suggest::closest;

/// What a docker command line turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    Run(Invocation),
    /// `--help`/`-h`, `docker help run`, or `docker` alone: the text to print on stdout.
    Help(String),
    /// `docker --version` / `-v`.
    Version,
}

/// A command line docker itself would reject before talking to the daemon.
/// `message` is exactly docker's stderr text (without a trailing newline).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    pub message: String,
    /// 125 for flag errors, 1 for unknown commands and argument counts, as docker exits.
    pub exit_code: i32,
    /// The tutor's own "did you mean …?", kept apart from docker's text so the drop-in CLI
    /// stays byte-faithful.
    pub suggestion: Option<String>,
}

pub fn parse_docker_args(argv: &[String]) -> Result<Parsed, UsageError> {
    let mut globals: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut i = 0;
    // Global options come before the command word.
    while i < argv.len() && argv[i].starts_with('-') && argv[i] != "-" {
        let arg = &argv[i];
        if arg == "--help" || arg == "-h" {
            return Ok(Parsed::Help(help::top_level()));
        }
        if arg == "--version" || arg == "-v" {
            return Ok(Parsed::Version);
        }
        i = take_flag(argv, i, GLOBAL_FLAGS, &mut globals).map_err(|msg| UsageError {
            message: format!("{msg}\nSee 'docker --help'."),
            exit_code: 125,
            suggestion: None,
        })?;
    }
    let rest = &argv[i..];
    if rest.is_empty() {
        return Ok(Parsed::Help(help::top_level()));
    }
    if rest[0] == "help" {
        let words: Vec<&str> = rest[1..].iter().map(String::as_str).collect();
        return match lookup(&words) {
            Some((n, spec)) if n == words.len() => Ok(Parsed::Help(help::command(spec, &words))),
            _ if words.is_empty() => Ok(Parsed::Help(help::top_level())),
            _ => Err(unknown_command(&words)),
        };
    }
    let words: Vec<&str> = rest.iter().map(String::as_str).collect();
    let Some((n, spec)) = lookup(&words) else {
        // A management group alone prints its help; with an unknown word it is an error.
        if let Some((group, about)) = GROUPS.iter().find(|(g, _)| *g == words[0]) {
            if words.len() == 1 || words[1].starts_with('-') {
                return Ok(Parsed::Help(help::group(group, about)));
            }
            return Err(UsageError {
                message: format!(
                    "docker: unknown command: docker {group} {}\n\nUsage:  docker {group}\n\nRun 'docker {group} --help' for more information",
                    words[1]
                ),
                exit_code: 1,
                suggestion: suggest_command(&words[..2]),
            });
        }
        return Err(unknown_command(&words[..1]));
    };
    let path: Vec<String> = words[..n].iter().map(|s| s.to_string()).collect();
    parse_command(spec, path, &rest[n..], globals)
}

/// The longest spelling that prefixes `words`: (number of words, spec).
fn lookup(words: &[&str]) -> Option<(usize, &'static CommandSpec)> {
    defs::spellings()
        .filter(|(p, _)| words.len() >= p.len() && p.iter().zip(words).all(|(a, b)| a == b))
        .max_by_key(|(p, _)| p.len())
        .map(|(p, spec)| (p.len(), spec))
}

fn unknown_command(words: &[&str]) -> UsageError {
    UsageError {
        message: format!(
            "docker: unknown command: docker {}\n\nRun 'docker --help' for more information",
            words.join(" ")
        ),
        exit_code: 1,
        suggestion: suggest_command(words),
    }
}

fn suggest_command(words: &[&str]) -> Option<String> {
    let typed = words.join(" ");
    let all: Vec<String> = defs::spellings().map(|(p, _)| p.join(" ")).collect();
    closest(&typed, all.iter().map(String::as_str)).map(|c| format!("did you mean `docker {c}`?"))
}

fn parse_command(
    spec: &'static CommandSpec,
    path: Vec<String>,
    args: &[String],
    globals: BTreeMap<&'static str, Vec<String>>,
) -> Result<Parsed, UsageError> {
    let typed = path.join(" ");
    let flag_error = |msg: String, suggestion: Option<String>| {
        UsageError {
        message: format!(
            "{msg}\n\nUsage:  docker {typed} {}\n\nRun 'docker {typed} --help' for more information",
            spec.usage
        ),
        exit_code: 125,
        suggestion,
    }
    };
    let mut flags: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut positionals: Vec<String> = Vec::new();
    let mut i = 0;
    // `-h` means --help unless the command defines its own `-h` (run's --hostname).
    let h_is_help = !spec.flags.iter().any(|f| f.short == Some('h'));
    while i < args.len() {
        let arg = &args[i];
        let stop = spec.stop_at_first_positional && !positionals.is_empty();
        if stop {
            positionals.extend(args[i..].iter().cloned());
            break;
        }
        if arg == "--" {
            positionals.extend(args[i + 1..].iter().cloned());
            break;
        }
        if arg == "--help" || (arg == "-h" && h_is_help) {
            return Ok(Parsed::Help(help::command(
                spec,
                &path.iter().map(String::as_str).collect::<Vec<_>>(),
            )));
        }
        if arg.starts_with('-') && arg != "-" {
            i = take_flag(args, i, spec.flags, &mut flags).map_err(|msg| {
                let suggestion = if msg.starts_with("unknown flag") {
                    let typed_flag = arg.trim_start_matches('-').split('=').next().unwrap_or("");
                    closest(typed_flag, spec.flags.iter().map(|f| f.long))
                        .map(|f| format!("did you mean `--{f}`?"))
                } else {
                    None
                };
                flag_error(msg, suggestion)
            })?;
            continue;
        }
        positionals.push(arg.clone());
        i += 1;
    }
    check_arg_count(spec, &typed, positionals.len())?;
    Ok(Parsed::Run(Invocation {
        cmd: spec.cmd,
        path,
        flags,
        args: positionals,
        globals,
    }))
}

/// Parse the flag at `args[i]` (possibly taking `args[i+1]` as its value); returns the next index.
fn take_flag(
    args: &[String],
    i: usize,
    table: &'static [FlagSpec],
    flags: &mut BTreeMap<&'static str, Vec<String>>,
) -> Result<usize, String> {
    let arg = &args[i];
    if let Some(long) = arg.strip_prefix("--") {
        let (name, inline) = match long.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (long, None),
        };
        let Some(spec) = table.iter().find(|f| f.long == name) else {
            return Err(format!("unknown flag: --{name}"));
        };
        let display = format!("--{}", spec.long);
        return match spec.kind {
            FlagKind::Bool => {
                let v = match inline {
                    Some(v) => parse_bool(&v).ok_or_else(|| {
                        format!("invalid argument \"{v}\" for \"{}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax", flag_label(spec))
                    })?,
                    None => true,
                };
                flags.entry(spec.long).or_default().push(v.to_string());
                Ok(i + 1)
            }
            _ => {
                let (value, next) = match inline {
                    Some(v) => (v, i + 1),
                    None => match args.get(i + 1) {
                        Some(v) => (v.clone(), i + 2),
                        None => return Err(format!("flag needs an argument: {display}")),
                    },
                };
                store_value(spec, value, flags)?;
                Ok(next)
            }
        };
    }
    // Short flags, possibly combined: -itd, -uroot, -p8080:80.
    let shorts: Vec<char> = arg[1..].chars().collect();
    let mut k = 0;
    while k < shorts.len() {
        let c = shorts[k];
        let Some(spec) = table.iter().find(|f| f.short == Some(c)) else {
            return Err(format!(
                "unknown shorthand flag: '{c}' in -{}",
                shorts[k..].iter().collect::<String>()
            ));
        };
        match spec.kind {
            FlagKind::Bool => {
                // `-d=false` is allowed by pflag.
                if shorts.get(k + 1) == Some(&'=') {
                    let v: String = shorts[k + 2..].iter().collect();
                    let b = parse_bool(&v).ok_or_else(|| {
                        format!("invalid argument \"{v}\" for \"{}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax", flag_label(spec))
                    })?;
                    flags.entry(spec.long).or_default().push(b.to_string());
                    return Ok(i + 1);
                }
                flags.entry(spec.long).or_default().push("true".into());
                k += 1;
            }
            _ => {
                let rest: String = shorts[k + 1..].iter().collect();
                let rest = rest.strip_prefix('=').map(str::to_string).unwrap_or(rest);
                if !rest.is_empty() {
                    store_value(spec, rest, flags)?;
                    return Ok(i + 1);
                }
                return match args.get(i + 1) {
                    Some(v) => {
                        store_value(spec, v.clone(), flags)?;
                        Ok(i + 2)
                    }
                    None => Err(format!("flag needs an argument: '{c}' in -{c}")),
                };
            }
        }
    }
    Ok(i + 1)
}

fn store_value(
    spec: &FlagSpec,
    value: String,
    flags: &mut BTreeMap<&'static str, Vec<String>>,
) -> Result<(), String> {
    if spec.value_name == "int" && value.parse::<i64>().is_err() {
        return Err(format!(
            "invalid argument \"{value}\" for \"{}\" flag: strconv.ParseInt: parsing \"{value}\": invalid syntax",
            flag_label(spec)
        ));
    }
    let entry = flags.entry(spec.long).or_default();
    if spec.kind == FlagKind::Value {
        entry.clear();
    }
    entry.push(value);
    Ok(())
}

/// `-n, --last` or `--rm`, as pflag names a flag in its errors.
fn flag_label(spec: &FlagSpec) -> String {
    match spec.short {
        Some(s) => format!("-{s}, --{}", spec.long),
        None => format!("--{}", spec.long),
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// cobra's argument validators, with their exact (and occasionally odd) texts.
fn check_arg_count(spec: &CommandSpec, typed: &str, n: usize) -> Result<(), UsageError> {
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    let (ok, what, closing) = match spec.args {
        ArgSpec::None => (n == 0, "accepts no arguments".to_string(), "Run"),
        ArgSpec::Exactly(k) => (n == k, format!("requires {k} {}", plural(k)), "Run"),
        ArgSpec::AtLeast(k) => (
            n >= k,
            format!("requires at least {k} {}", plural(k)),
            "See",
        ),
        // docker 28 really prints "SRun" here.
        ArgSpec::AtMost(k) => (
            n <= k,
            format!("requires at most {k} {}", plural(k)),
            "SRun",
        ),
        ArgSpec::Between(a, b) => (
            n >= a && n <= b,
            format!("requires at least {a} and at most {b} {}", plural(b)),
            "Run",
        ),
    };
    if ok {
        return Ok(());
    }
    Err(UsageError {
        message: format!(
            "docker: 'docker {typed}' {what}\n\nUsage:  docker {typed} {}\n\n{closing} 'docker {typed} --help' for more information",
            spec.usage
        ),
        exit_code: 1,
        suggestion: None,
    })
}

/// All commands, for callers that list them.
pub fn all_commands() -> &'static [CommandSpec] {
    COMMANDS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::spec::Cmd;

    fn argv(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    fn inv(line: &str) -> Invocation {
        match parse_docker_args(&argv(line)) {
            Ok(Parsed::Run(i)) => i,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn err(line: &str) -> (String, i32) {
        match parse_docker_args(&argv(line)) {
            Err(e) => (e.message, e.exit_code),
            other => panic!("{line}: expected an error, got {other:?}"),
        }
    }

    /// Every spelling of the same run command means the same thing.
    #[test]
    fn spellings_of_run_flags() {
        let same = [
            "run -it ubuntu /bin/bash",
            "run -i -t ubuntu /bin/bash",
            "run -ti ubuntu /bin/bash",
            "run --interactive --tty ubuntu /bin/bash",
            "run --interactive=true -t ubuntu /bin/bash",
            "container run -it ubuntu /bin/bash",
        ];
        for line in same {
            let i = inv(line);
            assert_eq!(i.cmd, Cmd::Run, "{line}");
            assert!(i.flag("interactive") && i.flag("tty"), "{line}");
            assert_eq!(i.args, vec!["ubuntu", "/bin/bash"], "{line}");
        }
        let i = inv("run -itd --name=sandbox -p 8080:80 -p127.0.0.1:5000:5000 -v a:b -v /c:/d -e A=1 -e B busybox");
        assert!(i.flag("detach"));
        assert_eq!(i.value("name"), Some("sandbox"));
        assert_eq!(i.values("publish"), ["8080:80", "127.0.0.1:5000:5000"]);
        assert_eq!(i.values("volume"), ["a:b", "/c:/d"]);
        assert_eq!(i.values("env"), ["A=1", "B"]);
        assert_eq!(
            inv("run --name sandbox busybox").value("name"),
            Some("sandbox")
        );
        assert_eq!(inv("run -uroot busybox").value("user"), Some("root"));
        assert_eq!(inv("run -u root busybox").value("user"), Some("root"));
        assert!(!inv("run --rm=false busybox").flag("rm"));
        assert!(inv("run --rm busybox").flag("rm"));
        assert_eq!(
            inv("run -h myhost busybox").value("hostname"),
            Some("myhost")
        );
        assert_eq!(inv("run --net=host busybox").value("net"), Some("host"));
    }

    #[test]
    fn options_stop_at_the_image() {
        let i = inv("run -it ubuntu /bin/bash -c ls -l");
        assert_eq!(i.args, vec!["ubuntu", "/bin/bash", "-c", "ls", "-l"]);
        let i = inv("exec -it sandbox ls -la /");
        assert_eq!(i.args, vec!["sandbox", "ls", "-la", "/"]);
        // Elsewhere flags may follow positionals, as pflag allows.
        let i = inv("ps --filter status=exited -a --filter name=sand");
        assert!(i.flag("all"));
        assert_eq!(i.values("filter"), ["status=exited", "name=sand"]);
        let i = inv("rm sandbox -f");
        assert!(i.flag("force"));
        assert_eq!(i.args, vec!["sandbox"]);
    }

    #[test]
    fn aliases_resolve() {
        for line in ["ps", "container ls", "container list", "container ps"] {
            assert_eq!(inv(line).cmd, Cmd::Ps, "{line}");
        }
        assert_eq!(inv("image ls").cmd, Cmd::Images);
        assert_eq!(inv("image rm x").cmd, Cmd::Rmi);
        assert_eq!(inv("container rm x").cmd, Cmd::Rm);
        assert_eq!(inv("container prune").cmd, Cmd::ContainerPrune);
        assert_eq!(inv("image inspect x").cmd, Cmd::ImageInspect);
        assert_eq!(
            inv("-H unix:///var/run/docker.sock ps").globals["host"],
            vec!["unix:///var/run/docker.sock"]
        );
        assert_eq!(
            inv("ps -a --format {{.ID}}").value("format"),
            Some("{{.ID}}")
        );
    }

    /// Texts captured from the docker 28.2.2 CLI on this project's machine.
    #[test]
    fn usage_errors_match_docker() {
        let table: &[(&str, &str, i32)] = &[
            ("run --nme x busybox", "unknown flag: --nme\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information", 125),
            ("rnu", "docker: unknown command: docker rnu\n\nRun 'docker --help' for more information", 1),
            ("exec", "docker: 'docker exec' requires at least 2 arguments\n\nUsage:  docker exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nSee 'docker exec --help' for more information", 1),
            ("ps --foo", "unknown flag: --foo\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information", 125),
            ("container ls --foo", "unknown flag: --foo\n\nUsage:  docker container ls [OPTIONS]\n\nRun 'docker container ls --help' for more information", 125),
            ("ps x", "docker: 'docker ps' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information", 1),
            ("rename a", "docker: 'docker rename' requires 2 arguments\n\nUsage:  docker rename CONTAINER NEW_NAME\n\nRun 'docker rename --help' for more information", 1),
            ("images a b", "docker: 'docker images' requires at most 1 argument\n\nUsage:  docker images [OPTIONS] [REPOSITORY[:TAG]]\n\nSRun 'docker images --help' for more information", 1),
            ("commit", "docker: 'docker commit' requires at least 1 and at most 2 arguments\n\nUsage:  docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\nRun 'docker commit --help' for more information", 1),
            ("diff", "docker: 'docker diff' requires 1 argument\n\nUsage:  docker diff CONTAINER\n\nRun 'docker diff --help' for more information", 1),
            ("container foo", "docker: unknown command: docker container foo\n\nUsage:  docker container\n\nRun 'docker container --help' for more information", 1),
            ("run --rm=maybe busybox", "invalid argument \"maybe\" for \"--rm\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information", 125),
            ("ps -n abc", "invalid argument \"abc\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information", 125),
            ("run -u", "flag needs an argument: 'u' in -u\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information", 125),
            ("run -iz busybox", "unknown shorthand flag: 'z' in -z\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information", 125),
            ("run --name", "flag needs an argument: --name\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information", 125),
            ("version x", "docker: 'docker version' accepts no arguments\n\nUsage:  docker version [OPTIONS]\n\nRun 'docker version --help' for more information", 1),
        ];
        for (line, want, code) in table {
            let (got, got_code) = err(line);
            assert_eq!(got, *want, "docker {line}");
            assert_eq!(got_code, *code, "docker {line}");
        }
    }

    #[test]
    fn suggestions_are_kept_apart() {
        let e = parse_docker_args(&argv("rnu")).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("did you mean `docker run`?"));
        let e = parse_docker_args(&argv("run --nme x busybox")).unwrap_err();
        assert_eq!(e.suggestion.as_deref(), Some("did you mean `--name`?"));
        assert!(!e.message.contains("did you mean"));
    }

    #[test]
    fn help_and_version() {
        assert!(matches!(
            parse_docker_args(&argv("--version")),
            Ok(Parsed::Version)
        ));
        assert!(matches!(parse_docker_args(&argv("")), Ok(Parsed::Help(_))));
        match parse_docker_args(&argv("run --help")) {
            Ok(Parsed::Help(h)) => assert!(
                h.starts_with("Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"),
                "{h}"
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_docker_args(&argv("help ps")),
            Ok(Parsed::Help(_))
        ));
        assert!(matches!(
            parse_docker_args(&argv("container")),
            Ok(Parsed::Help(_))
        ));
    }

    proptest::proptest! {
        #[test]
        fn parser_never_panics(words in proptest::collection::vec(proptest::sample::select(vec![
            "run", "ps", "container", "image", "ls", "-a", "-it", "-itd", "--name", "--name=x", "-p", "8080:80",
            "-v", "a:b", "--rm=false", "--", "-", "-h", "--help", "-uroot", "-e", "--filter", "x", "ubuntu",
            "--format", "{{.ID}}", "-n", "3", "help", "-H", "--nme", "-z", "exec", "commit",
        ]), 0..10)) {
            let argv: Vec<String> = words.into_iter().map(str::to_string).collect();
            let _ = parse_docker_args(&argv);
        }
        #[test]
        fn random_text_never_panics(line in "\\PC{0,40}") {
            let argv: Vec<String> = line.split(' ').map(str::to_string).collect();
            let _ = parse_docker_args(&argv);
        }
    }
}
