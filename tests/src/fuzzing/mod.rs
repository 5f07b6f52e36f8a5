//! The checks behind the fuzz targets in `fuzz/` (see the README's "Fuzzing" section), kept here
//! so that `cargo test` runs the very same code over the seeds and over every input a fuzzer
//! ever found (`tests/fuzz-regressions/<target>/`, read by `tests/tests/fuzz_regressions.rs`).
//!
//! Each check takes the raw fuzz input and panics when an invariant breaks; libFuzzer reports
//! the panic as a crash, a test as a failure. Input the code under test rejects with an error
//! is fine; only panics, hangs, wrong answers and broken round trips are findings.

pub mod idl;
pub mod json;
pub mod server;

/// A fuzz target: its name (as in `fuzz/fuzz_targets/<name>.rs`) and its check.
pub type Target = (&'static str, fn(&[u8]));

/// Every fuzz target, by name.
pub const TARGETS: &[Target] = &[
    ("idl_bytes", idl::idl_bytes),
    ("idl_mutate", idl::idl_mutate),
    ("json_types", json::json_types),
    ("server_request", server::server_request),
];

/// The check of the fuzz target `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
