//! `docktutor docker ARGS…`: the docker CLI on the simulator, state kept in a file between
//! invocations so scripts and docs can be tested without Docker.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::client::{Client, ClientOptions, CommandResult, Stdin};
use crate::command::{parse_docker_args, Cmd, Invocation, Parsed};
use crate::engine::docker::{DockerEngine, DockerOptions};
use crate::engine::sim::SimEngine;
use crate::engine::{Engine, EngineError, EngineSelector};

/// Where the simulator's state lives: `$DOCKTUTOR_STATE`, else the per-user data folder.
pub fn state_path() -> PathBuf {
    if let Some(p) = std::env::var_os("DOCKTUTOR_STATE") {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("docktutor")
        .join("sim-state.json")
}

/// Which engine the drop-in CLI drives: `--engine sim|docker|auto` in front of the docker
/// arguments, else `$DOCKTUTOR_ENGINE`, else the simulator.
fn engine_choice(args: &[String]) -> Result<(EngineSelector, &[String]), String> {
    let (word, rest) = match args {
        [flag, value, rest @ ..] if flag == "--engine" => (Some(value.clone()), rest),
        [flag, rest @ ..] if flag.starts_with("--engine=") => {
            (Some(flag["--engine=".len()..].to_string()), rest)
        }
        _ => (std::env::var("DOCKTUTOR_ENGINE").ok(), args),
    };
    let selector = match word.as_deref() {
        None | Some("sim") => EngineSelector::Sim,
        Some("docker") => EngineSelector::Docker,
        Some("auto") => EngineSelector::Auto,
        Some(other) => {
            return Err(format!(
                "unknown engine `{other}` (use sim, docker or auto)"
            ))
        }
    };
    Ok((selector, rest))
}

pub fn main(args: &[String]) -> ExitCode {
    let (selector, args) = match engine_choice(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("docktutor: {e}");
            return ExitCode::from(125);
        }
    };
    if selector != EngineSelector::Sim {
        match open_real(selector == EngineSelector::Auto) {
            Ok(Some(mut engine)) => {
                let code = drive(engine.as_mut(), args);
                return ExitCode::from(code.clamp(0, 255) as u8);
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("{}", crate::client::error_text(&e));
                return ExitCode::from(125);
            }
        }
    }
    let path = state_path();
    let deterministic = std::env::var("DOCKTUTOR_DETERMINISTIC").is_ok_and(|v| v == "1");
    let mut engine = match SimEngine::load_or_new(&path, deterministic) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("docktutor: {e}");
            eprintln!("docktutor: the state file was left untouched; set DOCKTUTOR_STATE to use another one");
            return ExitCode::from(125);
        }
    };
    let code = drive(&mut engine, args);
    if let Err(e) = engine.save(&path) {
        eprintln!(
            "docktutor: could not save the simulator state to {}: {e}",
            path.display()
        );
        return ExitCode::from(125);
    }
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// The real engine for the drop-in CLI. Its sandbox namespace is kept in a file beside the
/// simulator's state, so consecutive invocations see the same containers; `docktutor clean
/// --all` removes them. `auto` falls back to the simulator (`Ok(None)`) when no daemon answers.
fn open_real(auto: bool) -> Result<Option<Box<dyn Engine>>, EngineError> {
    let file = state_path().with_file_name("docker-namespace");
    let namespace = std::fs::read_to_string(&file)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| s.len() == 8 && s.chars().all(|c| c.is_ascii_hexdigit()));
    let options = DockerOptions {
        namespace: namespace.clone(),
        keep: true,
    };
    let engine = match DockerEngine::connect(&options) {
        Ok(e) => e,
        Err(_) if auto => return Ok(None),
        Err(e) => return Err(e),
    };
    if namespace.is_none() {
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = crate::progress::write_atomically(&file, engine.namespace().as_bytes());
    }
    let mut engine = engine;
    if let Ok(cwd) = std::env::current_dir() {
        engine.confine_binds(&cwd);
    }
    Ok(Some(Box::new(engine)))
}

/// One docker command line through the client, with stdin and container prompts handled.
fn drive(engine: &mut dyn Engine, args: &[String]) -> i32 {
    let env: std::collections::BTreeMap<String, String> = std::env::vars().collect();
    let options = ClientOptions {
        cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
        env,
    };
    let stdin_tty = std::io::stdin().is_terminal();
    let stdin = if stdin_tty {
        Stdin::Interactive
    } else if reads_stdin(args) {
        let mut data = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut data);
        Stdin::Data(data)
    } else {
        Stdin::Closed
    };
    let mut client = Client::new(engine, options);
    let mut result = client.run(args, stdin);
    emit(&result);
    while let Some(att) = result.attached.clone() {
        if let Some(p) = &att.prompt {
            print!("{p}");
            let _ = std::io::stdout().flush();
        }
        let mut line = String::new();
        result = match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => client.close_stdin(&att),
            Ok(_) => client.input(&att, line.as_bytes()),
        };
        emit(&result);
    }
    result.exit_code
}

fn emit(r: &CommandResult) {
    print!("{}", r.stdout);
    eprint!("{}", r.stderr);
    let _ = std::io::stdout().flush();
    // docktutor's own remarks stay off a redirected stderr so scripts see docker's bytes only.
    if std::io::stderr().is_terminal() {
        for n in &r.notes {
            eprintln!("docktutor: {n}");
        }
    }
}

/// Whether docker would read its stdin for this command line: only then is piped input consumed.
fn reads_stdin(args: &[String]) -> bool {
    let Ok(Parsed::Run(inv)) = parse_docker_args(args) else {
        return false;
    };
    reads_stdin_inv(&inv)
}

fn reads_stdin_inv(inv: &Invocation) -> bool {
    match inv.cmd {
        Cmd::Run | Cmd::Create | Cmd::Exec | Cmd::Start => inv.flag("interactive"),
        Cmd::Attach => !inv.flag("no-stdin"),
        Cmd::Load => inv.value("input").is_none(),
        Cmd::Import => inv.args.first().is_some_and(|a| a == "-"),
        Cmd::Login => inv.flag("password-stdin"),
        Cmd::ContainerPrune | Cmd::ImagePrune | Cmd::SystemPrune => !inv.flag("force"),
        _ => false,
    }
}
