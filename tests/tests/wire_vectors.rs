//! The wire vectors of `tests/vectors/wire.json`, read into the generated types and written
//! back: a full (every field set) and a minimal (required fields only) example of every
//! structure of the IDL, and the edge cases of the `/api` JSON contract, each valid one
//! compared as JSON after a round trip, each invalid one checked for its error message.

// Helpers of tests: a panic is a failure with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use vapi_codegen::ir::Structure;
use vapi_runtime::TypeKind;

type RoundTrip = Box<dyn Fn(&str) -> Result<Value, String>>;

/// Every structure and error type of the bindings, by vAPI name, from their registry
/// (`vapi_bindings::TYPES`): reads a JSON text, writes it back and reads that again, giving
/// the value written or the error of the first read.
fn registry() -> BTreeMap<&'static str, RoundTrip> {
    vapi_bindings::TYPES
        .iter()
        .filter(|t| matches!(t.kind(), TypeKind::Structure | TypeKind::Error))
        .map(|t| {
            let read: RoundTrip = Box::new(move |input: &str| {
                let written = t.round_trip(input).map_err(|e| e.to_string())?;
                serde_json::from_str(&written).map_err(|e| e.to_string())
            });
            (t.name(), read)
        })
        .collect()
}

struct Vectors {
    structures: BTreeMap<String, Value>,
    cases: Vec<Value>,
}

fn vectors() -> Vectors {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/wire.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut all: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    let structures = match all.remove("structures") {
        Some(Value::Object(m)) => m.into_iter().collect(),
        other => panic!("`structures` is not an object: {other:?}"),
    };
    let cases = match all.remove("cases") {
        Some(Value::Array(a)) => a,
        other => panic!("`cases` is not an array: {other:?}"),
    };
    Vectors { structures, cases }
}

/// Every structure and error type of `idl/`, by vAPI name.
fn idl_structures() -> BTreeMap<String, Structure> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../idl");
    let (model, _) = vapi_codegen::load::load_dir(&root).unwrap();
    let mut out = BTreeMap::new();
    for p in model.packages {
        for s in p.structures.into_iter().chain(p.errors) {
            out.insert(format!("{}.{}", p.name, s.name.wire), s);
        }
    }
    out
}

#[test]
fn every_structure_has_both_vectors_and_a_type() {
    let idl: BTreeSet<String> = idl_structures().into_keys().collect();
    let vectors: BTreeSet<String> = vectors().structures.into_keys().collect();
    let registered: BTreeSet<String> = registry().keys().map(|k| (*k).to_owned()).collect();
    assert_eq!(vectors, idl, "tests/vectors/wire.json `structures` vs idl/");
    assert_eq!(registered, idl, "the registry of this test vs idl/");
}

#[test]
fn full_vectors_set_every_field_and_minimal_ones_only_the_required() {
    let idl = idl_structures();
    for (name, v) in vectors().structures {
        let s = &idl[&name];
        let keys = |which: &str| -> BTreeSet<String> {
            match &v[which] {
                Value::Object(o) => o.keys().cloned().collect(),
                other => panic!("{name}: `{which}` is not an object: {other}"),
            }
        };
        let all: BTreeSet<String> = s.fields.iter().map(|f| f.name.wire.clone()).collect();
        let required: BTreeSet<String> = s
            .fields
            .iter()
            .filter(|f| !f.ty.is_optional())
            .map(|f| f.name.wire.clone())
            .collect();
        assert_eq!(keys("full"), all, "{name}: full");
        assert_eq!(keys("minimal"), required, "{name}: minimal");
    }
}

#[test]
fn structure_vectors_round_trip() {
    let registry = registry();
    let mut checked = 0;
    for (name, v) in vectors().structures {
        for which in ["full", "minimal"] {
            let input = &v[which];
            match registry[name.as_str()](&input.to_string()) {
                Ok(out) => assert_eq!(&out, input, "{name} {which}"),
                Err(e) => panic!("{name} {which}: {e}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 2 * registry.len());
}

#[test]
fn edge_cases_behave_as_the_contract_says() {
    let registry = registry();
    let cases = vectors().cases;
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let ty = case["type"].as_str().unwrap();
        let read = registry
            .get(ty)
            .unwrap_or_else(|| panic!("{name}: no type {ty}"));
        // `input_text` keeps what a JSON value cannot hold, such as integers past 64 bits.
        let text = match &case.get("input_text") {
            Some(Value::String(text)) => text.clone(),
            _ => case["input"].to_string(),
        };
        let result = read(&text);
        match case.get("error") {
            Some(Value::String(expected)) => match result {
                Ok(out) => panic!("{name}: read as {out}, expected error {expected:?}"),
                Err(e) => assert!(e.contains(expected.as_str()), "{name}: {e}"),
            },
            _ => {
                let expected = case.get("output").unwrap_or(&case["input"]);
                match result {
                    Ok(out) => assert_eq!(&out, expected, "{name}"),
                    Err(e) => panic!("{name}: {e}"),
                }
            }
        }
    }
}

#[test]
fn enum_values_are_case_sensitive_and_unknown_ones_kept() {
    use vapi_bindings::content::library::item::DownloadSessionModelState as State;
    let known: State = serde_json::from_str("\"ACTIVE\"").unwrap();
    assert_eq!(known, State::Active);
    for other in ["active", "Active", "ACTIVE ", "SUSPENDED"] {
        let s: State = serde_json::from_str(&serde_json::to_string(other).unwrap()).unwrap();
        assert!(s.is_unknown(), "{other}");
        assert_eq!(s.as_str(), other);
    }
}
