//! What the `runtime` bench and the `read_files` example both read: the 100-file `File.Info`
//! list and the hand-written struct the generated one is compared with.

// The example reads into these types but never looks at their fields.
#![allow(dead_code)]
// Like the benches: a fixed input, a failure is a bug.
#![allow(clippy::unwrap_used)]

use serde::{Deserialize, Serialize};

/// What a hand-written client would declare for `File.Info`: plain derives, strings for the
/// uri, a closed enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandFileInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    checksum_info: Option<HandChecksumInfo>,
    name: String,
    size: i64,
    cached: bool,
    version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file_download_endpoint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandChecksumInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    algorithm: Option<ClosedAlgorithm>,
    checksum: String,
}

/// A closed enum: unknown values are an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClosedAlgorithm {
    #[serde(rename = "SHA1")]
    Sha1,
    #[serde(rename = "MD5")]
    Md5,
    #[serde(rename = "SHA256")]
    Sha256,
    #[serde(rename = "SHA512")]
    Sha512,
}

/// A list of 100 files, as `GET /api/content/library/item/{id}/file` returns it.
pub fn files_json() -> String {
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
