//! `docktutor docker ARGS…`: the docker CLI on the simulator, state kept in a file between
//! invocations so scripts and docs can be tested without Docker.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::client::{Client, ClientOptions, CommandResult, Stdin};
use crate::command::{parse_docker_args, Cmd, Invocation, Parsed};
use crate::engine::sim::SimEngine;

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

pub fn main(args: &[String]) -> ExitCode {
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
    let code = {
        let mut client = Client::new(&mut engine, options);
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
    };
    if let Err(e) = engine.save(&path) {
        eprintln!(
            "docktutor: could not save the simulator state to {}: {e}",
            path.display()
        );
        return ExitCode::from(125);
    }
    ExitCode::from(code.clamp(0, 255) as u8)
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
