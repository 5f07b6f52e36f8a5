//! The `vapi-sim` binary, run as users run it, on 127.0.0.1: its command line, HTTPS with the
//! certificate it writes, and `kill -9` in the middle of uploads followed by a restart on the
//! same `--data-dir`. Every test kills the processes it starts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::{File as _, file};
use vapi_runtime::client::{ClientBuilder, Connection};

/// A running `vapi-sim`, killed when dropped.
struct Running {
    child: Child,
    base: String,
    certificate: Option<PathBuf>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn one_log_line_per_request_without_capabilities_and_sigterm_cleans_up() {
    let mut c = command(&["--listen", "127.0.0.1:0"]);
    c.env("RUST_LOG", "info").stderr(Stdio::piped());
    let mut child = c.stdout(Stdio::piped()).spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .trim_start_matches("listening on ")
        .trim_end_matches("/api")
        .to_owned();
    let c = login(&base, None, vapi_sim::DEFAULT_PASSWORD).await;
    let (ok, why) = upload(&c, vapi_sim::DEFAULT_ITEM, "log.bin", b"12345", None).await;
    assert!(ok, "{why}");
    let anonymous = reqwest::get(format!("{base}/api/content/library/item/update-session"))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED);
    // SIGTERM: the simulator stops and removes its temporary data directory.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    let log = String::from_utf8_lossy(&output.stderr);
    let data_dir = log
        .lines()
        .find_map(|l| l.split("data_dir=").nth(1))
        .expect("the data directory is logged");
    assert!(data_dir.contains("vapi-sim-"), "{data_dir}");
    assert!(
        !Path::new(data_dir.trim()).exists(),
        "{data_dir} is left behind"
    );
    let requests: Vec<&str> = log.lines().filter(|l| l.contains("request")).collect();
    // Login, create, add, PUT, validate, complete, and the refused call: one line each.
    assert_eq!(requests.len(), 7, "{log}");
    assert!(
        requests.iter().any(|l| l.contains("method=GET")
            && l.contains("path=/api/content/library/item/update-session")
            && l.contains("status=401")),
        "{log}"
    );
    assert!(
        requests
            .iter()
            .any(|l| l.contains("/sim-transfer/upload/…/log.bin")),
        "{log}"
    );
    // The capability in the upload URL never reaches the log.
    assert!(
        !log.contains("/sim-transfer/upload/0")
            && !log.lines().any(|l| {
                l.split("/sim-transfer/upload/")
                    .nth(1)
                    .is_some_and(|rest| !rest.starts_with('…'))
            }),
        "{log}"
    );
}

fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vapi-sim"));
    c.args(args)
        .env_remove("VAPI_SIM_PASSWORD")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Starts the binary on a free port and reads the lines it prints at start.
fn run(args: &[&str], password: Option<&str>) -> Running {
    let mut c = command(&[&["--listen", "127.0.0.1:0"], args].concat());
    if let Some(p) = password {
        c.env("VAPI_SIM_PASSWORD", p);
    }
    let mut child = c.stdout(Stdio::piped()).spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|l| l.strip_suffix("/api"))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    let certificate = if base.starts_with("https://") {
        line.clear();
        out.read_line(&mut line).unwrap();
        Some(PathBuf::from(
            line.trim().strip_prefix("certificate: ").unwrap(),
        ))
    } else {
        None
    };
    Running {
        child,
        base,
        certificate,
    }
}

async fn login(base: &str, pem: Option<&Path>, password: &str) -> Connection {
    let mut builder = ClientBuilder::new(base);
    if let Some(pem) = pem {
        builder = builder
            .add_root_certificate_pem(&std::fs::read(pem).unwrap())
            .unwrap();
    }
    let c = builder.build().unwrap();
    c.login(vapi_sim::DEFAULT_USER, password).await.unwrap();
    c
}

#[test]
fn version_and_help() {
    let out = command(&["--version"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.trim(),
        format!("vapi-sim {}", env!("CARGO_PKG_VERSION"))
    );
    let out = command(&["--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--listen",
        "--item",
        "--data-dir",
        "--tls",
        "--cert",
        "--key",
        "VAPI_SIM_PASSWORD",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
    // A usage mistake exits 2 and says what is wrong.
    let out = command(&["--cert", "x.pem"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = command(&["--listen", "not an address"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn https_with_the_certificate_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let sim = run(
        &["--tls", "--data-dir", dir.path().to_str().unwrap()],
        Some("s3cret"),
    );
    assert!(sim.base.starts_with("https://127.0.0.1:"), "{}", sim.base);
    let pem = sim.certificate.clone().unwrap();
    assert!(
        std::fs::read_to_string(&pem)
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    // The password comes from VAPI_SIM_PASSWORD.
    let c = login(&sim.base, Some(&pem), "s3cret").await;
    let refused = ClientBuilder::new(&sim.base)
        .add_root_certificate_pem(&std::fs::read(&pem).unwrap())
        .unwrap()
        .build()
        .unwrap()
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await;
    assert!(refused.is_err());
    // Without the certificate as a root, the client refuses the server.
    let untrusting = ClientBuilder::new(&sim.base).build().unwrap();
    assert!(
        untrusting
            .login(vapi_sim::DEFAULT_USER, "s3cret")
            .await
            .is_err()
    );
    // A transfer over HTTPS, through an https:// endpoint.
    let data = b"over tls".repeat(1000);
    let (ok, _) = upload(&c, vapi_sim::DEFAULT_ITEM, "t.bin", &data, Some(&pem)).await;
    assert!(ok);
    assert_eq!(
        download(&c, vapi_sim::DEFAULT_ITEM, "t.bin", Some(&pem)).await,
        data
    );
}

#[tokio::test]
async fn a_given_certificate_and_key_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let made = vapi_sim::TlsIdentity::self_signed(&[]).unwrap();
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, made.cert_pem()).unwrap();
    let key = dir.path().join("key.pem");
    std::fs::write(&key, made.key_pem()).unwrap();
    let sim = run(
        &[
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
        None,
    );
    assert!(sim.base.starts_with("https://"));
    login(&sim.base, Some(&cert), vapi_sim::DEFAULT_PASSWORD).await;
}

use common::sha;

fn http(pem: Option<&Path>) -> reqwest::Client {
    let mut b = reqwest::Client::builder();
    if let Some(pem) = pem {
        b = b.add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(pem).unwrap()).unwrap(),
        );
    }
    b.build().unwrap()
}

/// The whole upload; whether `complete` succeeded, and the error otherwise.
async fn upload(
    c: &Connection,
    item: &str,
    name: &str,
    data: &[u8],
    pem: Option<&Path>,
) -> (bool, String) {
    match common::upload(c, &http(pem), item, name, data).await {
        Ok(()) => (true, String::new()),
        Err(e) => (false, e),
    }
}

async fn download(c: &Connection, item: &str, name: &str, pem: Option<&Path>) -> Vec<u8> {
    common::download(c, &http(pem), item, name).await.unwrap()
}

#[tokio::test]
async fn kill_9_during_uploads_loses_no_completed_file() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let items = ["a", "b", "c", "d"];
    let item_args: Vec<&str> = items.iter().flat_map(|i| ["--item", i]).collect();
    let args = [&["--data-dir", data_dir.as_str()][..], &item_args].concat();
    let sim = run(&args, None);
    let c = login(&sim.base, None, vapi_sim::DEFAULT_PASSWORD).await;
    // One file per item, completed before anything else happens.
    for item in items {
        let (ok, why) = upload(
            &c,
            item,
            "first.bin",
            &item.repeat(10_000).into_bytes(),
            None,
        )
        .await;
        assert!(ok, "{why}");
    }
    // Four writers upload and complete file after file until the process is killed.
    let writers: Vec<_> = items
        .iter()
        .map(|item| {
            let c = c.clone();
            let item = (*item).to_owned();
            tokio::spawn(async move {
                let mut completed = Vec::new();
                for n in 0.. {
                    let name = format!("f{n}.bin");
                    let data = format!("{item}{n}").repeat(20_000).into_bytes();
                    let (ok, _) = upload(&c, &item, &name, &data, None).await;
                    if !ok {
                        break;
                    }
                    completed.push((name, sha(&data)));
                }
                completed
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    // SIGKILL: no chance to clean up.
    drop(sim);
    let mut completed = Vec::new();
    for (item, w) in items.iter().zip(writers) {
        completed.push((*item, w.await.unwrap()));
    }
    assert!(
        completed.iter().any(|(_, files)| !files.is_empty()),
        "some uploads completed before the kill"
    );

    let sim = run(&args, None);
    let c = login(&sim.base, None, vapi_sim::DEFAULT_PASSWORD).await;
    let files = file::Client::new(c.clone());
    for (item, done) in &completed {
        let listed = files.list(ItemId::new(*item)).await.unwrap();
        let first = download(&c, item, "first.bin", None).await;
        assert_eq!(first, item.repeat(10_000).into_bytes());
        // Every completed file is there, whole.
        for (name, digest) in done {
            let f = listed.iter().find(|f| &f.name == name);
            assert!(f.is_some(), "{item}/{name} was completed and is lost");
            assert_eq!(&sha(&download(&c, item, name, None).await), digest);
        }
        // Whatever is listed (a complete the kill cut before it answered may be there or
        // not) matches its checksum.
        for f in &listed {
            let bytes = download(&c, item, &f.name, None).await;
            assert_eq!(bytes.len() as i64, f.size);
            assert_eq!(sha(&bytes), f.checksum_info.clone().unwrap().checksum);
        }
    }
    // Interrupted uploads left nothing behind.
    assert_eq!(
        std::fs::read_dir(dir.path().join("incoming"))
            .unwrap()
            .count(),
        0
    );
}
