//! `cargo run -p vapi-codegen [-- --check] [--idl DIR] [--out DIR] [--package NAME] [--color WHEN]`:
//! regenerates the checked-in bindings (`generated/src`) from the IDL (`idl/`).
//!
//! Exit codes: 0 success (or up to date), 1 mistakes in the IDL (an unknown `--package`
//! included) or stale output, 2 usage or I/O error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use vapi_codegen::Config;
use vapi_codegen::diag::Color;
use vapi_codegen::writer::Staleness;

const USAGE: &str = "\
usage: vapi-codegen [--check] [--idl DIR] [--out DIR] [--package NAME]... [--color WHEN]

Regenerates the Rust bindings from the vAPI IDL, writing only files that changed.

options:
  --check         write nothing; exit 1 naming each stale or missing file
  --idl DIR       the IDL directory (default: idl/ of this workspace)
  --out DIR       the output directory (default: generated/src of this workspace)
  --package NAME  generate only this package and what it references (repeatable)
  --color WHEN    colour diagnostics: auto (on a terminal, unless NO_COLOR is set), always, never
  -h, --help      print this help
  -V, --version   print the version

exit status: 0 done or up to date, 1 mistakes in the IDL or stale output, 2 usage or I/O error";

struct Args {
    check: bool,
    idl: PathBuf,
    out: PathBuf,
    packages: Vec<String>,
    color: Color,
}

/// What the command line asks for.
enum Action {
    Run(Args),
    Help,
    Version,
}

fn workspace_path(rel: &str) -> PathBuf {
    // The defaults are the workspace's own directories, wherever `cargo run` is started.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join(rel)
}

fn parse_args(mut parser: lexopt::Parser) -> Result<Action, lexopt::Error> {
    use lexopt::prelude::*;

    let mut parsed = Args {
        check: false,
        idl: workspace_path("idl"),
        out: workspace_path("generated/src"),
        packages: Vec::new(),
        color: Color::auto(&std::io::stderr()),
    };
    while let Some(arg) = parser.next()? {
        match arg {
            Long("check") => parsed.check = true,
            Long("idl") => parsed.idl = parser.value()?.into(),
            Long("out") => parsed.out = parser.value()?.into(),
            Long("package") => parsed.packages.push(parser.value()?.string()?),
            Long("color") => {
                parsed.color = match parser.value()?.string()?.as_str() {
                    "auto" => Color::auto(&std::io::stderr()),
                    "always" => Color::Always,
                    "never" => Color::Never,
                    other => {
                        return Err(format!(
                            "`--color` takes auto, always or never, not `{other}`"
                        )
                        .into());
                    }
                }
            }
            Short('h') | Long("help") => return Ok(Action::Help),
            Short('V') | Long("version") => return Ok(Action::Version),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Action::Run(parsed))
}

fn main() -> ExitCode {
    let args = match parse_args(lexopt::Parser::from_env()) {
        Ok(Action::Run(args)) => args,
        Ok(Action::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Action::Version) => {
            println!("vapi-codegen {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut config = Config::checked_in();
    config.idl_dir(&args.idl).out_dir(&args.out);
    for p in &args.packages {
        config.package(p);
    }
    let result = if args.check {
        config.check()
    } else {
        config.write()
    };
    match result {
        Err(e) => {
            eprintln!("{}", e.render(args.color));
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
        }
        Ok(stale) if args.check && !stale.is_empty() => {
            for s in &stale {
                eprintln!("stale: {}/{s}", args.out.display());
            }
            eprintln!(
                "error: {} file(s) in {} do not match the IDL; run `cargo run -p vapi-codegen`",
                stale.len(),
                args.out.display()
            );
            ExitCode::from(1)
        }
        Ok(_) if args.check => {
            println!("{} is up to date", args.out.display());
            ExitCode::SUCCESS
        }
        Ok(changed) => {
            for c in &changed {
                let verb = match c.why {
                    Staleness::Missing => "created",
                    Staleness::Differs => "updated",
                    Staleness::Extra => "removed",
                };
                println!("{verb} {}", args.out.join(&c.path).display());
            }
            println!(
                "{} file(s) changed in {}",
                changed.len(),
                args.out.display()
            );
            ExitCode::SUCCESS
        }
    }
}
