//! The generated code at run time: serde_json read and write of the model types against a
//! hand-written equivalent with plain serde derives, and open-enum decode of known and unknown
//! values against a closed enum. divan's allocation profiler counts the allocations of each.
//!
//! `cargo bench -p vapi-bench --bench runtime`.

// Benchmarks, like tests, may unwrap: their inputs are fixed and a failure is a bug.
#![allow(clippy::unwrap_used)]

use divan::counter::BytesCount;
use divan::{AllocProfiler, Bencher, black_box};
use vapi_bindings::content::library::item::{FileChecksumAlgorithm, FileInfo};

mod common;
use common::{ClosedAlgorithm, HandFileInfo, files_json};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

#[divan::bench]
fn read_generated(bencher: Bencher) {
    let json = files_json();
    bencher
        .counter(BytesCount::of_str(&json))
        .bench(|| serde_json::from_str::<Vec<FileInfo>>(black_box(&json)).unwrap());
}

#[divan::bench]
fn read_hand_written(bencher: Bencher) {
    let json = files_json();
    bencher
        .counter(BytesCount::of_str(&json))
        .bench(|| serde_json::from_str::<Vec<HandFileInfo>>(black_box(&json)).unwrap());
}

#[divan::bench]
fn write_generated(bencher: Bencher) {
    let json = files_json();
    let files: Vec<FileInfo> = serde_json::from_str(&json).unwrap();
    bencher
        .counter(BytesCount::of_str(&json))
        .bench(|| serde_json::to_string(black_box(&files)).unwrap());
}

#[divan::bench]
fn write_hand_written(bencher: Bencher) {
    let json = files_json();
    let files: Vec<HandFileInfo> = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&files).unwrap().len(), json.len());
    bencher
        .counter(BytesCount::of_str(&json))
        .bench(|| serde_json::to_string(black_box(&files)).unwrap());
}

/// Decoding one enumeration value from JSON.
mod enum_decode {
    use super::*;

    // The open enum is dropped inside the loop and a `bool` returned: divan would otherwise
    // collect the outputs (which need dropping) in a buffer it allocates, counted here.

    #[divan::bench]
    fn open_known() -> bool {
        let v: FileChecksumAlgorithm = serde_json::from_str(black_box("\"SHA256\"")).unwrap();
        v.is_unknown()
    }

    #[divan::bench]
    fn open_unknown() -> bool {
        let v: FileChecksumAlgorithm = serde_json::from_str(black_box("\"SHA3_256\"")).unwrap();
        v.is_unknown()
    }

    #[divan::bench]
    fn closed_known() -> ClosedAlgorithm {
        serde_json::from_str(black_box("\"SHA256\"")).unwrap()
    }

    #[divan::bench]
    fn closed_unknown_is_an_error() -> bool {
        serde_json::from_str::<ClosedAlgorithm>(black_box("\"SHA3_256\"")).is_err()
    }

    /// `From<&str>`, as the client uses for a header or query value.
    #[divan::bench]
    fn open_known_from_str() -> bool {
        FileChecksumAlgorithm::from(black_box("SHA256")).is_unknown()
    }
}
