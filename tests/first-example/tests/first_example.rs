//! The README's first example is this crate's `src/main.rs`, byte for byte, and it lists the
//! files of an item in the simulator on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Cursor;
use std::process::{Command, Output};

use vapi_bindings::Connection;
use vapi_bindings::content::library::ItemId;
use vapi_cl::{UploadFile, UploadOptions};

const MAIN: &str = include_str!("../src/main.rs");

/// The code block of the README that follows the line naming this crate's `src/main.rs`.
fn readme_example() -> String {
    let readme = include_str!("../../../README.md");
    let marker = "<!-- the code of tests/first-example/src/main.rs -->\n```rust\n";
    let start = readme
        .find(marker)
        .expect("the README marks its first example")
        + marker.len();
    let end = readme[start..].find("\n```\n").expect("the block ends") + start;
    readme[start..=end].to_owned()
}

/// Runs the example with `args` and the password, off the test's runtime (which serves the
/// simulator).
async fn run(args: Vec<String>, password: &'static str) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_vapi-first-example"))
            .args(args)
            .env("VAPI_PASSWORD", password)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[test]
fn the_readme_shows_this_crate_s_code() {
    assert_eq!(
        readme_example(),
        MAIN,
        "the README's first example and tests/first-example/src/main.rs differ: change both"
    );
}

#[tokio::test]
async fn the_example_lists_the_files_of_an_item_in_the_simulator() {
    let (addr, _, task) = vapi_sim::spawn("127.0.0.1:0", |_| {}).await.unwrap();
    let server = format!("http://{addr}");
    let connection = Connection::new(&server).unwrap();
    connection
        .login(vapi_sim::DEFAULT_USER, vapi_sim::DEFAULT_PASSWORD)
        .await
        .unwrap();
    let files = vec![
        UploadFile::reader("disk.vmdk", Cursor::new(vec![7u8; 4096]), Some(4096)),
        UploadFile::reader("item.ovf", Cursor::new(b"<ovf/>".to_vec()), Some(6)),
    ];
    let item = ItemId::new(vapi_sim::DEFAULT_ITEM);
    vapi_cl::upload(&connection, &item, files, &UploadOptions::default())
        .await
        .unwrap();

    let listed = run(
        vec![server, vapi_sim::DEFAULT_ITEM.to_owned()],
        vapi_sim::DEFAULT_PASSWORD,
    )
    .await;
    let stdout = String::from_utf8(listed.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert!(listed.status.success(), "{stderr}");
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["disk.vmdk\t4096 bytes", "item.ovf\t6 bytes"]);

    // A wrong password is refused, and said.
    let refused = run(vec![format!("http://{addr}")], "wrong").await;
    assert!(!refused.status.success());
    assert!(!refused.stderr.is_empty());
    task.abort();
}
