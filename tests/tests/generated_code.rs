//! Snapshots of the generated code: one per package of `idl/`, and one per package of the test
//! fixtures (names and docs that trip generators). The same code is compiled: `generated/` is
//! the crate `vapi-bindings`, and `tests/build-script-consumer` compiles the fixtures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use vapi_codegen::Config;

fn workspace(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn config(idl: &str) -> Config {
    let mut config = Config::checked_in();
    config
        .idl_dir(workspace(idl))
        .out_dir(workspace("generated/src"));
    config
}

fn generate(idl: &str) -> BTreeMap<String, String> {
    match config(idl).generate() {
        Ok(files) => files,
        Err(e) => panic!("generating from {idl} failed:{e:?}"),
    }
}

fn snapshot_all(prefix: &str, files: &BTreeMap<String, String>) {
    for (path, contents) in files {
        let name = format!(
            "{prefix}__{}",
            path.trim_end_matches(".rs").replace('/', "__")
        );
        insta::assert_snapshot!(name, contents);
    }
}

#[test]
fn idl_packages() {
    let files = generate("idl");
    assert!(
        files.contains_key("content/library/item.rs"),
        "the item package is generated: {:?}",
        files.keys().collect::<Vec<_>>()
    );
    snapshot_all("idl", &files);
}

#[test]
fn fixture_packages() {
    snapshot_all("fixtures", &generate("tests/fixtures/base"));
}

#[test]
fn checked_in_bindings_are_fresh() {
    let stale = config("idl").check().unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        stale.is_empty(),
        "generated/src is stale; run `cargo run -p vapi-codegen`: {stale:?}"
    );
}

#[test]
fn same_idl_same_bytes() {
    assert_eq!(generate("idl"), generate("idl"));
}
