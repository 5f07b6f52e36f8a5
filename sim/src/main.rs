//! `vapi-sim --listen 127.0.0.1:PORT [--item ITEM_ID]... [--idle-timeout SECS]
//! [--user USER] [--password PASSWORD]`: serves the simulator until stopped.

use std::process::ExitCode;
use std::time::Duration;

use vapi_sim::{SimConfig, Simulator};

const USAGE: &str = "usage: vapi-sim --listen ADDR [--item ITEM_ID]... [--idle-timeout SECS] \
                     [--user USER] [--password PASSWORD]

Serves an in-memory vSphere Content Library item API on http://ADDR/api.
  --listen ADDR         address to listen on, such as 127.0.0.1:8443 (port 0 picks one)
  --item ITEM_ID        seed an empty library item with this id (repeatable; default sim-item-1)
  --idle-timeout SECS   seconds a session lives without a call (default 300)
  --user USER           user accepted by POST /api/session (default administrator@vsphere.local)
  --password PASSWORD   its password (default vmware)";

struct Args {
    listen: String,
    items: Vec<String>,
    idle_timeout: Option<Duration>,
    user: Option<String>,
    password: Option<String>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut listen = None;
    let mut parsed = Args {
        listen: String::new(),
        items: Vec::new(),
        idle_timeout: None,
        user: None,
        password: None,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => listen = Some(value()?),
            "--item" => parsed.items.push(value()?),
            "--idle-timeout" => {
                let v = value()?;
                let secs: u64 = v
                    .parse()
                    .map_err(|_| format!("--idle-timeout takes whole seconds, not {v:?}"))?;
                parsed.idle_timeout = Some(Duration::from_secs(secs));
            }
            "--user" => parsed.user = Some(value()?),
            "--password" => parsed.password = Some(value()?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    parsed.listen = listen.ok_or("--listen is required")?;
    Ok(parsed)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    let mut config = match SimConfig::for_listener(&listener) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if !args.items.is_empty() {
        config.items = args.items;
    }
    if let Some(t) = args.idle_timeout {
        config.idle_timeout = t;
    }
    if let Some(u) = args.user {
        config.user = u;
    }
    if let Some(p) = args.password {
        config.password = p;
    }
    println!("listening on {}/api", config.base_url);
    let sim = Simulator::new(config);
    tokio::select! {
        served = vapi_sim::serve(listener, sim) => {
            if let Err(e) = served {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
        _ = tokio::signal::ctrl_c() => {}
    }
    ExitCode::SUCCESS
}
