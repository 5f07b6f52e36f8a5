//! Every bad IDL under `tests/fixtures/bad/<case>/` is loaded on top of the valid
//! `tests/fixtures/base/` and must fail with located diagnostics, never a panic; the rendered
//! diagnostics of each case are an insta snapshot named after the case.

use std::path::{Path, PathBuf};

use vapi_codegen::load::{Source, load_sources, read_dir};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn read(dir: &Path) -> Vec<Source> {
    read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
}

/// The base files, with the case's files added or replacing base files of the same path.
fn with_base(case: &Path) -> Vec<Source> {
    let mut sources = read(&fixtures().join("base"));
    for s in read(case) {
        sources.retain(|b| b.path != s.path);
        sources.push(s);
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    sources
}

#[test]
fn the_base_fixtures_load_cleanly() {
    if let Err(diags) = load_sources(&read(&fixtures().join("base"))) {
        panic!("the base fixtures must be valid:\n{diags}");
    }
}

#[test]
fn every_bad_fixture_fails_with_located_diagnostics() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures().join("bad"))
        .expect("tests/fixtures/bad exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 30,
        "at least 30 bad fixtures, found {}",
        cases.len()
    );
    for case in cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let diags = match load_sources(&with_base(&case)) {
            Ok(_) => panic!("the bad fixture `{name}` loaded without errors"),
            Err(diags) => diags,
        };
        assert!(!diags.is_empty(), "{name}: an error without diagnostics");
        for d in diags.iter() {
            assert!(
                d.pos.line > 0 && d.pos.col > 0,
                "{name}: unlocated diagnostic {d}"
            );
        }
        insta::assert_snapshot!(name, diags.to_string());
    }
}
