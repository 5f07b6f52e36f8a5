//! The `vapi-cl` command against the simulator on 127.0.0.1: what it prints and its exit codes
//! (0 ok, 1 the server refused, 2 usage or local I/O).

use std::path::Path;
use std::process::{Command, Output};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

struct Sim {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn sim() -> Result<Sim, Box<dyn std::error::Error + Send + Sync>> {
    let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", |_| {}).await?;
    Ok(Sim {
        url: format!("http://{addr}"),
        task,
    })
}

/// Runs `vapi-cl` with the simulator's URL, user and password in the environment, off the
/// runtime that serves the simulator.
async fn run(server: &str, args: &[&str], password: &str) -> Result<Output, std::io::Error> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vapi-cl"));
    command
        .args(args)
        .env("VAPI_SERVER", server)
        .env("VAPI_USER", vapi_sim::DEFAULT_USER)
        .env("VAPI_PASSWORD", password)
        .env_remove("NO_COLOR");
    tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(std::io::Error::other)?
}

async fn cl(sim: &Sim, args: &[&str]) -> Result<Output, std::io::Error> {
    run(&sim.url, args, vapi_sim::DEFAULT_PASSWORD).await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_ls_download_round_trip_with_hostile_names() -> TestResult {
    let sim = sim().await?;
    let src = tempfile::tempdir()?;
    let names = ["a b.bin", "#1%25", "ディスク.iso"];
    for (i, name) in names.iter().enumerate() {
        std::fs::write(src.path().join(name), vec![i as u8 + 1; 100_000 + i])?;
    }
    let paths: Vec<String> = names
        .iter()
        .map(|n| src.path().join(n).display().to_string())
        .collect();
    let mut args = vec!["upload", vapi_sim::DEFAULT_ITEM];
    args.extend(paths.iter().map(String::as_str));
    let up = cl(&sim, &args).await?;
    assert_eq!(code(&up), Some(0), "{}", text(&up.stderr));
    let out = text(&up.stdout);
    for name in names {
        assert!(out.contains(&format!("uploaded {name}: ")), "{out}");
    }
    // Not a terminal: plain progress lines, ending at 100%.
    assert!(text(&up.stderr).contains("100%"), "{}", text(&up.stderr));

    let ls = cl(&sim, &["ls", vapi_sim::DEFAULT_ITEM]).await?;
    assert_eq!(code(&ls), Some(0), "{}", text(&ls.stderr));
    let listing = text(&ls.stdout);
    assert_eq!(listing.lines().count(), 3, "{listing}");
    let sha = |bytes: &[u8]| {
        use sha2::Digest;
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    for (i, name) in names.iter().enumerate() {
        let line = listing
            .lines()
            .find(|l| l.starts_with(name))
            .ok_or(format!("{name} not listed: {listing}"))?;
        assert!(line.contains(&(100_000 + i).to_string()), "{line}");
        assert!(
            line.contains(&format!("SHA256:{}", sha(&vec![i as u8 + 1; 100_000 + i]))),
            "{line}"
        );
    }

    let dest = tempfile::tempdir()?;
    let dir = dest.path().display().to_string();
    let down = cl(&sim, &["download", vapi_sim::DEFAULT_ITEM, &dir, "#1%25"]).await?;
    assert_eq!(code(&down), Some(0), "{}", text(&down.stderr));
    assert_eq!(names_in(dest.path())?, ["#1%25"]);
    let down = cl(&sim, &["download", vapi_sim::DEFAULT_ITEM, &dir]).await?;
    assert_eq!(code(&down), Some(0), "{}", text(&down.stderr));
    for name in names {
        assert_eq!(
            std::fs::read(dest.path().join(name))?,
            std::fs::read(src.path().join(name))?
        );
    }
    assert_eq!(names_in(dest.path())?.len(), 3);
    Ok(())
}

fn names_in(dir: &Path) -> Result<Vec<String>, std::io::Error> {
    let mut names = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    names.sort();
    Ok(names)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ls_of_a_missing_item_exits_1_with_the_servers_message() -> TestResult {
    let sim = sim().await?;
    let ls = cl(&sim, &["ls", "no-such-item"]).await?;
    assert_eq!(code(&ls), Some(1));
    let err = text(&ls.stderr);
    // The simulator's own words, not only the id the command was given.
    assert!(err.contains("No library item no-such-item"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(ls.stdout.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_refusing_exits_1_and_local_or_usage_errors_exit_2() -> TestResult {
    let sim = sim().await?;
    let dir = tempfile::tempdir()?;
    let d = dir.path().display().to_string();

    let wrong = run(
        &sim.url,
        &["ls", vapi_sim::DEFAULT_ITEM],
        "not-the-password",
    )
    .await?;
    assert_eq!(code(&wrong), Some(1), "{}", text(&wrong.stderr));
    assert!(text(&wrong.stderr).contains("login refused"));

    let missing = cl(&sim, &["download", vapi_sim::DEFAULT_ITEM, &d, "nope.bin"]).await?;
    assert_eq!(code(&missing), Some(1), "{}", text(&missing.stderr));
    assert!(text(&missing.stderr).contains("nope.bin"));

    let no_dir = dir.path().join("absent").display().to_string();
    let local = cl(&sim, &["download", vapi_sim::DEFAULT_ITEM, &no_dir]).await?;
    assert_eq!(code(&local), Some(2), "{}", text(&local.stderr));

    let no_file = dir.path().join("absent.bin").display().to_string();
    let local = cl(&sim, &["upload", vapi_sim::DEFAULT_ITEM, &no_file]).await?;
    assert_eq!(code(&local), Some(2), "{}", text(&local.stderr));
    assert!(text(&local.stderr).contains("absent.bin"));

    for usage in [&["ls"][..], &["upload", "item"], &["frobnicate"], &[]] {
        let out = cl(&sim, usage).await?;
        assert_eq!(code(&out), Some(2), "{usage:?}: {}", text(&out.stderr));
    }
    let bad_url = run("ftp://x", &["ls", "i"], "p").await?;
    assert_eq!(code(&bad_url), Some(2), "{}", text(&bad_url.stderr));
    let help = cl(&sim, &["--help"]).await?;
    assert_eq!(code(&help), Some(0));
    assert!(text(&help.stdout).contains("VAPI_SERVER"));

    // Nothing is listening: the server cannot be reached, which is not a local error.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?
    };
    let unreachable = run(&format!("http://{closed}"), &["ls", "i"], "p").await?;
    assert_eq!(code(&unreachable), Some(1), "{}", text(&unreachable.stderr));
    // The cause is named once, not repeated down the chain.
    let err = text(&unreachable.stderr);
    assert_eq!(err.matches("error sending request").count(), 1, "{err}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_url_may_name_the_api_path() -> TestResult {
    let sim = sim().await?;
    for url in [
        sim.url.clone(),
        format!("{}/", sim.url),
        format!("{}/api", sim.url),
        format!("{}/api/", sim.url),
    ] {
        let out = run(
            &url,
            &["ls", vapi_sim::DEFAULT_ITEM],
            vapi_sim::DEFAULT_PASSWORD,
        )
        .await?;
        assert_eq!(code(&out), Some(0), "{url}: {}", text(&out.stderr));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_the_servers_certificate_given_by_ca_cert() -> TestResult {
    let identity = vapi_sim::TlsIdentity::self_signed(&[])?;
    let pem_dir = tempfile::tempdir()?;
    let pem = pem_dir.path().join("sim-ca.pem");
    std::fs::write(&pem, identity.cert_pem())?;
    let pem = pem.display().to_string();
    let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", |c| c.tls = Some(identity)).await?;
    let sim = Sim {
        url: format!("https://{addr}"),
        task,
    };
    let data = tempfile::tempdir()?;
    let file = data.path().join("over tls.bin");
    std::fs::write(&file, vec![42u8; 700_000])?;
    let file = file.display().to_string();

    // Not trusted: refused before any credential is sent.
    let untrusted = cl(&sim, &["ls", vapi_sim::DEFAULT_ITEM]).await?;
    assert_eq!(code(&untrusted), Some(1), "{}", text(&untrusted.stderr));
    assert!(
        text(&untrusted.stderr).contains("certificate"),
        "{}",
        text(&untrusted.stderr)
    );

    let up = cl(
        &sim,
        &["--ca-cert", &pem, "upload", vapi_sim::DEFAULT_ITEM, &file],
    )
    .await?;
    assert_eq!(code(&up), Some(0), "{}", text(&up.stderr));
    let dest = tempfile::tempdir()?;
    let dir = dest.path().display().to_string();
    let down = cl(
        &sim,
        &["--ca-cert", &pem, "download", vapi_sim::DEFAULT_ITEM, &dir],
    )
    .await?;
    assert_eq!(code(&down), Some(0), "{}", text(&down.stderr));
    assert_eq!(
        std::fs::read(dest.path().join("over tls.bin"))?,
        vec![42u8; 700_000]
    );

    // A lab without the certificate at hand: --insecure accepts it.
    let insecure = cl(&sim, &["--insecure", "ls", vapi_sim::DEFAULT_ITEM]).await?;
    assert_eq!(code(&insecure), Some(0), "{}", text(&insecure.stderr));
    assert!(text(&insecure.stdout).contains("over tls.bin"));

    // A PEM file that holds no certificate is a usage error.
    let not_pem = data.path().join("not.pem");
    std::fs::write(&not_pem, "hello")?;
    let bad = cl(
        &sim,
        &["--ca-cert", &not_pem.display().to_string(), "ls", "x"],
    )
    .await?;
    assert_eq!(code(&bad), Some(2), "{}", text(&bad.stderr));
    Ok(())
}
