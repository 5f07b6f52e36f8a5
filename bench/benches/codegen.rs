//! The generator, phase by phase, on the real IDL (N = 1) and on the synthetic IDL N times its
//! size; beside it, in the same run, prost-build (types only) and tonic-prost-build (types,
//! client and server) on the equivalent `.proto` files, with protoc from protoc-bin-vendored.
//!
//! `cargo bench -p vapi-bench --bench codegen`. N = 1000 is slow to repeat and runs only with
//! `VAPI_BENCH_N1000=1`; `bench/run.sh` measures it as a whole process.

// Benchmarks, like tests, may unwrap: their inputs are fixed and a failure is a bug.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use divan::Bencher;
use vapi_bench::{
    Anchor, emit, emit_files, load, proto_files, real_sources, resolve, run_anchor, synthetic,
};
use vapi_codegen::__private::{Model, Source};
use vapi_codegen::writer;

fn main() {
    divan::main();
}

fn sizes() -> Vec<usize> {
    let mut sizes = vec![1, 10, 100];
    if std::env::var_os("VAPI_BENCH_N1000").is_some() {
        sizes.push(1000);
    }
    sizes
}

fn real() -> &'static [Source] {
    static REAL: OnceLock<Vec<Source>> = OnceLock::new();
    REAL.get_or_init(|| real_sources().unwrap_or_else(|e| panic!("{e}")))
}

fn sources(n: usize) -> Vec<Source> {
    synthetic(real(), n)
}

fn model(n: usize) -> Model {
    let sources = sources(n);
    resolve(load(&sources).unwrap(), &sources).unwrap()
}

fn files(n: usize) -> BTreeMap<String, String> {
    emit_files(&model(n)).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vapi-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Phase 1: YAML parse and decode of every file.
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn phase1_load(bencher: Bencher, n: usize) {
    let sources = sources(n);
    bencher.bench_local(|| load(&sources).unwrap());
}

/// Reading the IDL files from disk (part of the load of a real run).
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn phase1_read_dir(bencher: Bencher, n: usize) {
    let dir = scratch(&format!("idl{n}"));
    vapi_bench::write_sources(&dir, &sources(n)).unwrap();
    bencher.bench_local(|| vapi_codegen::load::read_dir(&dir).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Phase 2: resolve and validate.
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn phase2_resolve(bencher: Bencher, n: usize) {
    let sources = sources(n);
    let files = load(&sources).unwrap();
    bencher
        .with_inputs(|| files.clone())
        .bench_local_values(|files| resolve(files, &sources).unwrap());
}

/// Phase 3: emit, the tokens' text unformatted (what a build script's `Config::compile`
/// makes), module by module on up to four threads.
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn phase3_emit_unformatted(bencher: Bencher, n: usize) {
    let model = model(n);
    bencher.bench_local(|| emit(&model).unwrap());
}

/// Phases 3 and 4 as `vapi-codegen` runs them: emit and format (syn + prettyplease) module by
/// module on up to four threads.
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn phase34_emit_format_streamed(bencher: Bencher, n: usize) {
    let model = model(n);
    bencher.bench_local(|| emit_files(&model).unwrap());
}

/// Phase 5: write into an empty directory (a first run).
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn phase5_write_fresh(bencher: Bencher, n: usize) {
    let files = files(n);
    let dir = scratch(&format!("fresh{n}"));
    bencher
        .with_inputs(|| {
            let _ = std::fs::remove_dir_all(&dir);
        })
        .bench_local_values(|()| writer::write(&dir, &files, true).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Phase 5: write when every file is up to date (compares, writes nothing), which is also
/// what `--check` does after generating.
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn phase5_write_unchanged(bencher: Bencher, n: usize) {
    let files = files(n);
    let dir = scratch(&format!("same{n}"));
    writer::write(&dir, &files, true).unwrap();
    bencher.bench_local(|| {
        let changed = writer::write(&dir, &files, true).unwrap();
        assert!(changed.is_empty());
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every phase but the write, in memory: what `Config::generate` does for `vapi-codegen`.
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn whole_generate(bencher: Bencher, n: usize) {
    let sources = sources(n);
    bencher.bench_local(|| vapi_bench::generate(&sources).unwrap());
}

/// The anchors' inputs: the `.proto` files equivalent to the synthetic IDL of size `n`.
fn proto_dir(n: usize) -> (PathBuf, Vec<PathBuf>) {
    let model = model(1);
    let dir = scratch(&format!("proto{n}"));
    let files = proto_files(&model, n);
    vapi_bench::write_sources(&dir, &files).unwrap();
    let paths = files.iter().map(|f| dir.join(&f.path)).collect();
    (dir, paths)
}

/// Anchor: prost-build, types only, protoc run included.
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn anchor_prost_build(bencher: Bencher, n: usize) {
    anchor(bencher, n, Anchor::Prost);
}

/// Anchor: tonic-prost-build, types, client and server, protoc run included.
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn anchor_tonic_build(bencher: Bencher, n: usize) {
    anchor(bencher, n, Anchor::Tonic);
}

fn anchor(bencher: Bencher, n: usize, which: Anchor) {
    let (dir, protos) = proto_dir(n);
    let out = scratch(&format!("{which:?}-out{n}"));
    std::fs::create_dir_all(&out).unwrap();
    bencher.bench_local(|| run_anchor(which, &protos, &dir, &out).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&out);
}
