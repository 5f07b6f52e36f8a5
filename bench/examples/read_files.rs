//! Reads the 100-file `File.Info` list of the `runtime` bench N times, into the generated
//! type or into the bench's hand-written one, for instruction counts, which unlike wall time do
//! not depend on the machine's load:
//!
//! ```sh
//! cargo build --release -p vapi-bench --example read_files
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/read_files generated 101
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/read_files generated 1
//! ```
//!
//! The difference of the two totals, divided by 100, is the instructions of one read.

// Like the benches: fixed inputs, a failure is a bug.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use serde::Deserialize;
use vapi_bindings::content::library::item::FileInfo;

/// The bench's hand-written `File.Info`: plain derives, strings for the uri, a closed enum.
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandFileInfo {
    #[serde(default)]
    checksum_info: Option<HandChecksumInfo>,
    name: String,
    size: i64,
    cached: bool,
    version: String,
    #[serde(default)]
    file_download_endpoint: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandChecksumInfo {
    #[serde(default)]
    algorithm: Option<ClosedAlgorithm>,
    checksum: String,
}

#[derive(Deserialize)]
enum ClosedAlgorithm {
    #[serde(rename = "SHA1")]
    Sha1,
    #[serde(rename = "MD5")]
    Md5,
    #[serde(rename = "SHA256")]
    Sha256,
    #[serde(rename = "SHA512")]
    Sha512,
}

/// The bench's input, built as it builds it: 100 files, as `GET
/// /api/content/library/item/{id}/file` returns them.
fn files_json() -> String {
    let files: Vec<serde_json::Value> = (0..100)
        .map(|i| {
            let mut f = serde_json::json!({
                "name": format!("disk-{i}.vmdk"),
                "size": 1_073_741_824_i64 + i,
                "cached": i % 2 == 0,
                "version": format!("{}", i % 7 + 1),
                "checksum_info": { "algorithm": "SHA256", "checksum": format!("{i:064x}") },
            });
            if i % 3 == 0 {
                f["file_download_endpoint"] = serde_json::json!(format!(
                    "https://vc.example.com/cls/static/lib/item/disk-{i}.vmdk?version=1"
                ));
            }
            f
        })
        .collect();
    serde_json::to_string(&files).unwrap()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_default();
    let times: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let json = files_json();
    for _ in 0..times {
        match which.as_str() {
            "generated" => {
                black_box(serde_json::from_str::<Vec<FileInfo>>(black_box(&json)).unwrap());
            }
            "hand" => {
                black_box(serde_json::from_str::<Vec<HandFileInfo>>(black_box(&json)).unwrap());
            }
            _ => {
                eprintln!("usage: read_files generated|hand [TIMES]");
                std::process::exit(2);
            }
        }
    }
}
