//! The fuzz targets' checks (`vapi_tests::fuzzing`) under `cargo test`: over every input a
//! fuzzer found (`tests/fuzz-regressions/<target>/`), over the seeds (`fuzz/seeds/<target>/`),
//! and over inputs made to break each invariant, so that the checks are known to fail when
//! they should.

// Helpers of tests: a panic is a failure with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use vapi_runtime::{TypeInfo, TypeKind, round_trip};
use vapi_tests::fuzzing::{self, TARGETS, idl, json, server};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files of `dir`, by name; none if it does not exist.
fn inputs(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// Runs the check of every target over the files of `<base>/<target>/`, naming every input
/// that fails; returns how many ran.
fn run_all(base: &Path) -> usize {
    let mut failed = Vec::new();
    let mut ran = 0;
    for (target, check) in TARGETS {
        for (name, data) in inputs(&base.join(target)) {
            ran += 1;
            if catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
                failed.push(format!("{target}/{name}"));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "failing inputs in {}: {failed:?}",
        base.display()
    );
    ran
}

#[test]
fn every_fuzz_regression_passes() {
    run_all(&root().join("tests/fuzz-regressions"));
}

#[test]
fn every_seed_passes() {
    let ran = run_all(&root().join("fuzz/seeds"));
    assert!(ran >= 20, "only {ran} seeds ran");
}

#[test]
fn every_check_has_a_fuzz_target_and_the_other_way_round() {
    let dir = root().join("fuzz/fuzz_targets");
    let files: BTreeSet<String> = inputs(&dir)
        .into_keys()
        .filter_map(|f| f.strip_suffix(".rs").map(str::to_owned))
        .collect();
    let checks: BTreeSet<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(files, checks);
    for name in &checks {
        let text = std::fs::read_to_string(dir.join(format!("{name}.rs"))).unwrap();
        assert!(
            text.contains(&format!("::{name}(data)")),
            "{name}.rs: {text}"
        );
        assert!(fuzzing::target(name).is_some());
    }
}

// idl_bytes and idl_mutate

#[test]
fn the_unchanged_idl_generates_the_files_of_generated() {
    let settings = idl::Settings {
        single_file: false,
        ends: true,
        feature_gates: true,
    };
    let idl::Outcome::Generated(files) =
        idl::generate(&idl::mutated(&idl::Plan::default()), settings)
    else {
        panic!("the IDL of idl/ is rejected");
    };
    let mut checked_in = BTreeSet::new();
    let src = root().join("generated/src");
    let mut dirs = vec![src.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                let rel = p.strip_prefix(&src).unwrap().to_string_lossy();
                checked_in.insert(rel.replace('\\', "/"));
            }
        }
    }
    let generated: BTreeSet<String> = files.keys().cloned().collect();
    assert_eq!(generated, checked_in);
    // Same code as the checked-in bindings, but for the header line.
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let body = |t: &str| t.split_once('\n').map(|(_, b)| b.to_owned()).unwrap();
    assert_eq!(body(&files["lib.rs"]), body(&lib));
}

#[test]
fn a_rejected_idl_comes_with_located_diagnostics() {
    let sources = [vapi_codegen::load::Source {
        path: "com/vmware/a.yaml".into(),
        text: "package: com.vmware.a\ndoc: A.\nstructures: 3\n".into(),
    }];
    match idl::generate(&sources, idl::Settings::default()) {
        idl::Outcome::Rejected(text) => assert!(text.contains("com/vmware/a.yaml:3:"), "{text}"),
        idl::Outcome::Generated(_) => panic!("accepted"),
    }
}

#[test]
fn idl_bytes_reaches_generation_for_a_valid_file() {
    let text = std::fs::read(root().join("fuzz/seeds/idl_bytes/shop.yaml")).unwrap();
    let text = String::from_utf8(text).unwrap();
    let sources = [
        vapi_codegen::load::Source {
            path: "com/vmware/vapi/std/errors.yaml".into(),
            text: idl::STD_ERRORS.into(),
        },
        vapi_codegen::load::Source {
            path: "com/vmware/example/shop.yaml".into(),
            text,
        },
    ];
    let outcome = idl::generate(&sources, idl::Settings::default());
    assert!(
        matches!(&outcome, idl::Outcome::Generated(f) if f.len() > 3),
        "{outcome:?}"
    );
}

#[test]
#[should_panic(expected = "generated `a.rs` does not parse")]
fn a_generated_file_that_does_not_parse_fails_the_check() {
    let files = BTreeMap::from([("a.rs".to_owned(), "pub struct r#crate;".to_owned())]);
    idl::parse_all(&files, &BTreeMap::new());
}

/// `idl_mutate` emits only the modules a change can reach (`__private::changed_files`): every
/// file the whole generator would make differently must be among them, with the same text.
#[test]
fn the_modules_a_mutation_reaches_are_all_the_files_it_changes() {
    use vapi_codegen::__private::{self, Ends, Preloaded};
    let ends = Ends {
        client: true,
        server: true,
        feature_gates: false,
    };
    let layout = vapi_codegen::Layout::ModulePerFile;
    let all = |model: &__private::Model| {
        __private::files(model, &[], &layout, ends, "//", false).unwrap()
    };
    let base_sources = idl::mutated(&idl::Plan::default());
    let preloaded = Preloaded::new(&base_sources).unwrap();
    let base = preloaded.load(&base_sources).unwrap();
    let base_files = all(&base);
    let (mut changed_models, mut partial) = (0, 0);
    for i in 0..48u16 {
        let file = u8::try_from(i % 8).unwrap();
        let token = idl::Token::Text(format!("Zz{i}"));
        let mutation = match i % 3 {
            0 => idl::Mutation::Word {
                file,
                nth: i * 37,
                token,
            },
            1 => idl::Mutation::Scalar {
                file,
                nth: i * 11,
                token,
            },
            _ => idl::Mutation::DeleteLine { file, line: i * 53 },
        };
        let plan = idl::Plan {
            settings: idl::Settings::default(),
            mutations: vec![mutation],
        };
        let Ok(model) = preloaded.load(&idl::mutated(&plan)) else {
            continue;
        };
        let changed = __private::changed_files(&model, &base, ends, "//").unwrap();
        let full = all(&model);
        for (name, text) in &full {
            if base_files.get(name) != Some(text) {
                assert_eq!(changed.get(name), Some(text), "{name} after {plan:?}");
            }
        }
        for (name, text) in &changed {
            assert_eq!(full.get(name), Some(text), "{name} after {plan:?}");
        }
        if model != base {
            changed_models += 1;
            partial += usize::from(changed.len() < full.len());
        }
    }
    assert!(
        changed_models > 20 && partial > 10,
        "{changed_models} / {partial}"
    );
}

#[test]
fn mutations_change_the_idl() {
    let plan = idl::Plan {
        settings: idl::Settings::default(),
        // The second `: ` of vcenter.yaml (the first is in a comment) is its `package:`.
        mutations: vec![idl::Mutation::Scalar {
            file: 7,
            nth: 1,
            token: idl::Token::Text("kaputt".into()),
        }],
    };
    let sources = idl::mutated(&plan);
    let (path, original) = idl::IDL[7];
    assert_eq!(sources[7].path, path);
    assert_ne!(sources[7].text, original);
    assert!(
        sources[7].text.contains("package: kaputt\n"),
        "{}",
        sources[7].text
    );
    match idl::generate(&sources, plan.settings) {
        idl::Outcome::Rejected(text) => assert!(text.contains("`kaputt`"), "{text}"),
        idl::Outcome::Generated(_) => panic!("accepted"),
    }
}

// json_types

/// A type that loses information on the way out: its check must fail.
#[derive(Debug, PartialEq, Deserialize)]
struct Lossy(u8);

impl Serialize for Lossy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0 / 2)
    }
}

#[test]
#[should_panic(expected = "reads back as")]
fn a_type_that_changes_on_the_wire_fails_the_check() {
    let info = TypeInfo::new("lossy", TypeKind::Structure, round_trip::<Lossy>);
    json::check(&info, b"3");
}

#[test]
fn json_types_has_every_structure_error_enumeration_and_id_of_the_idl() {
    let (model, _) = vapi_codegen::load::load_dir(&root().join("idl")).unwrap();
    let mut idl = BTreeSet::new();
    for p in &model.packages {
        let names = p
            .structures
            .iter()
            .chain(&p.errors)
            .map(|s| format!("{}.{}", p.name, s.name.wire))
            .chain(
                p.enumerations
                    .iter()
                    .map(|e| format!("{}.{}", p.name, e.name.wire)),
            )
            .chain(p.resource_types.iter().map(|r| r.name.wire.clone()));
        idl.extend(names);
    }
    let listed: Vec<&str> = json::TYPES.iter().map(TypeInfo::name).collect();
    let unique: BTreeSet<String> = listed.iter().map(|p| (*p).to_owned()).collect();
    assert_eq!(unique.len(), listed.len(), "a type is listed twice");
    assert_eq!(unique, idl);
    assert!(
        json::TYPES.len() <= 256,
        "the first byte no longer reaches every type"
    );
}

#[test]
fn json_types_reads_through_the_selected_type() {
    let s = json::selector("com.vmware.content.library.item.TransferEndpoint").unwrap();
    let info = &json::TYPES[usize::from(s)];
    assert_eq!(info.kind(), TypeKind::Structure);
    let mut input = vec![s];
    input.extend_from_slice(br#"{"uri":"https://example.com/x"}"#);
    fuzzing::json::json_types(&input);
    assert_eq!(
        json::check(info, &input[1..]).as_deref(),
        Some(r#"{"uri":"https://example.com/x"}"#)
    );
    // Not the type's JSON, and not JSON at all: refused, not a finding.
    assert_eq!(json::check(info, br#"{"uri":7}"#), None);
    assert_eq!(json::check(info, b"\xff"), None);
}

// server_request

fn answer(status: u16, body: &str) -> server::Answer {
    server::Answer {
        status: status.try_into().unwrap(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
#[should_panic(expected = "answered 500")]
fn a_500_fails_the_check() {
    let body = r#"{"error_type":"INTERNAL_SERVER_ERROR","messages":[]}"#;
    server::check_answer("GET /api/x", "/api/x", false, &answer(500, body));
}

#[test]
#[should_panic(expected = "without a vAPI error body")]
fn an_error_without_a_vapi_body_fails_the_check() {
    server::check_answer("PATCH /api/x", "/api/x", false, &answer(405, ""));
}

#[test]
fn vapi_errors_and_json_results_pass_the_check() {
    let body = r#"{"error_type":"NOT_FOUND","messages":[]}"#;
    server::check_answer("GET /api/x", "/api/x", false, &answer(404, body));
    server::check_answer("GET /api/x", "/api/x", false, &answer(200, "[]"));
    server::check_answer("DELETE /api/x", "/api/x", false, &answer(204, ""));
    server::check_answer(
        "GET /sim-transfer/x",
        "/sim-transfer/x",
        false,
        &answer(404, "no"),
    );
}

/// The first finding of `server_request`, as a structure: a method that no operation of a
/// path has got axum's empty 405 instead of a vAPI error.
#[test]
fn a_method_no_operation_has_is_answered_with_a_vapi_error() {
    for (session, path) in [
        (
            server::Session::Valid,
            "/api/content/library/item/download-session",
        ),
        (server::Session::Missing, "/api/session"),
    ] {
        server::exchange(&[server::Request {
            method: server::Method::Patch,
            target: server::Target::Raw(path.into()),
            query: Vec::new(),
            raw_query: None,
            session,
            headers: Vec::new(),
            body: server::RequestBody::Empty,
        }]);
    }
}
