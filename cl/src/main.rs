//! `vapi-cl`: list, upload and download the files of a Content Library item, as
//! `govc library.import` / `library.export` do, through update and download sessions.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{Parser, Subcommand};
use vapi_bindings::content::library::ItemId;
use vapi_cl::{DownloadOptions, Error, ProgressFn, UploadFile, UploadOptions};
use vapi_runtime::client::{ClientBuilder, ClientError, Connection};

/// List, upload and download the files of a vSphere Content Library item.
///
/// The password is read from VAPI_PASSWORD, else asked on the terminal.
/// Exit codes: 0 ok, 1 the server refused (its message printed), 2 usage or local I/O error.
#[derive(Debug, Parser)]
#[command(name = "vapi-cl", version)]
struct Cli {
    /// The server: https://host or http://host:port, with or without /api.
    #[arg(long, env = "VAPI_SERVER", value_name = "URL")]
    server: String,
    /// The user to log in as.
    #[arg(long, env = "VAPI_USER", value_name = "USER")]
    user: String,
    /// Accept any server certificate (self-signed, expired, another host's): for a lab only;
    /// prefer --ca-cert.
    #[arg(long)]
    insecure: bool,
    /// Also trust the CA certificate(s) in this PEM file, such as a vCenter's VMCA root
    /// (download it from https://VCENTER/certs/download.zip).
    #[arg(long, value_name = "PEM")]
    ca_cert: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The item's files: name, size, checksum.
    Ls {
        /// The library item's id.
        item: String,
    },
    /// Upload files into the item through an update session.
    Upload {
        /// The library item's id.
        item: String,
        /// The files; each is named in the item as its file name.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Download the item's files (or the named ones) into DIR.
    Download {
        /// The library item's id.
        item: String,
        /// The directory to write into; it must exist.
        dir: PathBuf,
        /// The files to download, by name; all when none is given.
        #[arg(value_name = "FILE")]
        files: Vec<String>,
    },
}

/// A failure and the exit code it gives.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    fn refused(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

/// The error and its causes on one line, each cause named once: a cause whose text is
/// already said (as when an error prints its source) is left out.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        let more = c.to_string();
        if !more.is_empty() && !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = c.source();
    }
    text
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            code: if e.is_local() { 2 } else { 1 },
            message: describe(&e),
        }
    }
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Failure::refused(describe(&e))
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version exit 0, usage errors 2, as clap decides.
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vapi-cl: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("vapi-cl: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let connection = connect(&cli).await?;
    let work = command(&connection, cli.command);
    let finished = tokio::select! {
        r = work => Some(r),
        _ = tokio::signal::ctrl_c() => None,
    };
    // On Ctrl-C the flow's future has been dropped, which cancels its session and removes
    // its partial file; wait for the cancel to reach the server.
    let result = finished.unwrap_or_else(|| Err(Failure::usage("interrupted")));
    vapi_cl::finish_cleanup(Duration::from_secs(10)).await;
    let _ = connection.logout().await;
    result
}

async fn connect(cli: &Cli) -> Result<Connection, Failure> {
    let server = if cli.server.contains("://") {
        cli.server.clone()
    } else {
        format!("https://{}", cli.server)
    };
    let mut builder = ClientBuilder::new(server);
    if let Some(path) = &cli.ca_cert {
        let pem = std::fs::read(path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        builder = builder
            .add_root_certificate_pem(&pem)
            .map_err(|e| Failure::usage(format!("{}: {}", path.display(), describe(&e))))?;
    }
    if cli.insecure {
        builder = builder.danger_accept_invalid_certificates();
    }
    let connection = builder.build().map_err(|e| Failure::usage(describe(&e)))?;
    let password = password(&cli.user, connection.base_url())?;
    connection.login(&cli.user, &password).await?;
    Ok(connection)
}

/// The password: VAPI_PASSWORD, else asked on the terminal (never an argument, which other
/// users could read in the process list).
fn password(user: &str, server: &str) -> Result<String, Failure> {
    if let Ok(p) = std::env::var("VAPI_PASSWORD") {
        return Ok(p);
    }
    rpassword::prompt_password(format!("Password for {user} at {server}: ")).map_err(|e| {
        Failure::usage(format!(
            "no password: set VAPI_PASSWORD or run on a terminal ({e})"
        ))
    })
}

async fn command(connection: &Connection, command: Command) -> Result<(), Failure> {
    match command {
        Command::Ls { item } => {
            let files = vapi_cl::list_files(connection, &ItemId::new(item)).await?;
            let width = files
                .iter()
                .map(|f| f.name.chars().count())
                .max()
                .unwrap_or(0);
            for f in files {
                let checksum = f
                    .checksum_info
                    .map(|c| {
                        let algorithm = c.algorithm.map_or("SHA1".to_owned(), |a| a.to_string());
                        format!("{algorithm}:{}", c.checksum)
                    })
                    .unwrap_or_else(|| "-".to_owned());
                let pad = width - f.name.chars().count();
                println!("{}{}  {:>14}  {checksum}", f.name, " ".repeat(pad), f.size);
            }
            Ok(())
        }
        Command::Upload { item, files } => {
            let mut names = std::collections::BTreeSet::new();
            for f in &files {
                if !f.is_file() {
                    return Err(Failure::usage(format!("{} is not a file", f.display())));
                }
                let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
                if !names.insert(name.unwrap_or_default()) {
                    return Err(Failure::usage(format!(
                        "two files are named {:?} in the item: {}",
                        f.file_name().unwrap_or_default(),
                        f.display()
                    )));
                }
            }
            let bars = Bars::new("upload");
            let mut options = UploadOptions::default();
            options.progress = Some(bars.callback());
            let files = files.into_iter().map(UploadFile::path).collect();
            let report = vapi_cl::upload(connection, &ItemId::new(item), files, &options).await;
            bars.finish();
            for f in report?.files {
                println!(
                    "uploaded {}: {} bytes, {}",
                    f.name,
                    f.bytes,
                    checksum_text(&f)
                );
            }
            Ok(())
        }
        Command::Download { item, dir, files } => {
            let bars = Bars::new("download");
            let mut options = DownloadOptions::default();
            if !files.is_empty() {
                options = options.files(files);
            }
            options.progress = Some(bars.callback());
            let report = vapi_cl::download(connection, &ItemId::new(item), &dir, &options).await;
            bars.finish();
            for f in report?.files {
                let path = f
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                println!(
                    "downloaded {} to {path}: {} bytes, {}",
                    f.name,
                    f.bytes,
                    checksum_text(&f)
                );
            }
            Ok(())
        }
    }
}

fn checksum_text(f: &vapi_cl::TransferredFile) -> String {
    f.checksum
        .as_ref()
        .map_or_else(|| "no checksum".to_owned(), ToString::to_string)
}

/// Progress on stderr: a bar per file on a terminal, a line per tenth otherwise.
struct Bars {
    verb: &'static str,
    terminal: bool,
    state: Arc<Mutex<BarState>>,
}

#[derive(Default)]
struct BarState {
    file: String,
    bar: Option<indicatif::ProgressBar>,
    tenth: u64,
}

impl Bars {
    fn new(verb: &'static str) -> Self {
        Bars {
            verb,
            terminal: std::io::stderr().is_terminal(),
            state: Arc::default(),
        }
    }

    fn callback(&self) -> ProgressFn {
        let state = Arc::clone(&self.state);
        let terminal = self.terminal;
        let verb = self.verb;
        Arc::new(move |file, done, total| {
            let Ok(mut s) = state.lock() else { return };
            if s.file != file {
                if let Some(bar) = s.bar.take() {
                    bar.finish();
                }
                s.file = file.to_owned();
                s.tenth = 0;
                if terminal {
                    let bar = indicatif::ProgressBar::new(total.unwrap_or(0));
                    if let Ok(style) = indicatif::ProgressStyle::with_template(
                        "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
                    ) {
                        bar.set_style(style.progress_chars("=> "));
                    }
                    bar.set_message(format!("{verb} {file}"));
                    s.bar = Some(bar);
                } else {
                    eprintln!("{verb} {file}: started");
                }
            }
            if let Some(bar) = &s.bar {
                if let Some(total) = total {
                    bar.set_length(total);
                }
                bar.set_position(done);
            } else if let Some(total) = total.filter(|t| *t > 0) {
                let tenth = done.saturating_mul(10) / total;
                if tenth > s.tenth {
                    s.tenth = tenth;
                    eprintln!("{verb} {file}: {}% ({done} of {total} bytes)", tenth * 10);
                }
            }
        })
    }

    fn finish(&self) {
        if let Ok(mut s) = self.state.lock()
            && let Some(bar) = s.bar.take()
        {
            bar.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    #[test]
    fn each_cause_is_named_once() {
        let chain = Layer(
            "cannot list the files of item x",
            Some(Box::new(Layer(
                "unhandled error: connection refused",
                Some(Box::new(Layer("connection refused", None))),
            ))),
        );
        assert_eq!(
            describe(&chain),
            "cannot list the files of item x: unhandled error: connection refused"
        );
        assert_eq!(describe(&Layer("alone", None)), "alone");
    }

    #[test]
    fn the_interface_is_as_documented() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "vapi-cl",
            "--server",
            "https://vc",
            "--user",
            "u",
            "--insecure",
            "download",
            "item",
            "dir",
            "a",
            "b",
        ]);
        assert!(matches!(
            cli.map(|c| c.command),
            Ok(Command::Download { files, .. }) if files == ["a", "b"]
        ));
        assert!(
            Cli::try_parse_from(["vapi-cl", "--server", "s", "--user", "u", "upload", "i"])
                .is_err()
        );
    }
}
