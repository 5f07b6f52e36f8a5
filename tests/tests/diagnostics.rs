//! Every bad IDL under `tests/fixtures/bad/<case>/` is loaded on top of the valid
//! `tests/fixtures/base/` and must fail with located diagnostics, never a panic; the rendered
//! diagnostics of each case are an insta snapshot named after the case.
//!
//! Each case is its own test, so a failure shows every case that fails; the list is written out
//! (a new fixture directory fails `the_list_names_every_fixture_directory` until it is added).

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

/// Loads one bad case on top of the base and snapshots its diagnostics.
fn check(name: &str) {
    let case = fixtures().join("bad").join(name);
    assert!(case.is_dir(), "no fixture directory {}", case.display());
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

/// One `#[test]` per case, and `CASES`, the list of them.
macro_rules! bad_fixtures {
    ($($case:ident),+ $(,)?) => {
        const CASES: &[&str] = &[$(stringify!($case)),+];
        $(
            #[test]
            fn $case() {
                check(stringify!($case));
            }
        )+
    };
}

bad_fixtures!(
    bad_http_method,
    bad_since,
    doc_reference_unknown,
    dotted_name_malformed,
    dotted_service_name,
    duplicate_after_rust_case,
    duplicate_after_rust_case_everywhere,
    duplicate_key,
    duplicate_type,
    empty_doc,
    enum_without_values,
    error_not_an_error_type,
    error_used_as_type,
    malformed_type,
    many_mistakes_at_once,
    missing_key,
    names_that_cannot_be_identifiers,
    nested_in_enumeration,
    nested_owner_missing,
    operations_share_a_route,
    optional_inside_list,
    package_modules_clash,
    package_name_escapes,
    package_path_mismatch,
    parameter_bound_twice,
    path_param_unknown,
    presence_on_required_field,
    privilege_unknown_param,
    privilege_without_param,
    resource_type_not_qualified,
    rest_body_unknown_param,
    rest_path_not_ascii,
    service_module_taken,
    set_of_structures,
    struct_contains_itself,
    type_name_not_camel_case,
    type_nests_too_deep,
    union_bad_value,
    union_tag_not_enum,
    unknown_key_typo,
    unknown_presence_rule,
    unknown_resource_type,
    unknown_type,
    url_unclosed_brace,
    url_variable_unbound,
    wrong_value_kind,
    yaml_syntax,
);

#[test]
fn the_list_names_every_fixture_directory() {
    let mut dirs: Vec<String> = std::fs::read_dir(fixtures().join("bad"))
        .unwrap_or_else(|e| panic!("tests/fixtures/bad: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    dirs.sort();
    let mut listed: Vec<&str> = CASES.to_vec();
    listed.sort_unstable();
    assert_eq!(
        dirs, listed,
        "add each directory of tests/fixtures/bad to bad_fixtures! (and remove what is gone)"
    );
}
