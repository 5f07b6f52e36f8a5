//! Property tests: any value of each generated structure survives write → read unchanged.
//!
//! Values are drawn as their JSON from the IDL's own description of each structure (random
//! strings, 64-bit numbers, exact doubles, datetimes anywhere in 0000–9999, unknown enum
//! values, unset optionals, nested structures), read into the generated type, written back,
//! and compared with what was drawn; the value read back from that must equal the first.
//! `PROPTEST_CASES` raises the number of cases (64 per structure by default).

// Helpers of tests: a panic is a failure with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use vapi_codegen::ir::{Model, Primitive, Structure, Type};
use vapi_runtime::{Binary, DateTime, TypeInfo, TypeKind};

/// Reads the JSON `json` into the type `info` names, writes it back (then reads and writes it
/// again, which must give the same value and bytes: `TypeInfo::round_trip`), and compares what
/// was written with what was drawn.
fn check(info: &TypeInfo, json: &Value) -> Result<(), String> {
    let text = json.to_string();
    let written = info
        .round_trip(&text)
        .map_err(|e| format!("read {text}: {e}"))?;
    let back: Value = serde_json::from_str(&written).map_err(|e| e.to_string())?;
    if &back != json {
        return Err(format!("wrote {written}\n  for {text}"));
    }
    Ok(())
}

/// Every structure and error type of the bindings, by vAPI name (`vapi_bindings::TYPES`).
fn registry() -> BTreeMap<&'static str, &'static TypeInfo> {
    vapi_bindings::TYPES
        .iter()
        .filter(|t| matches!(t.kind(), TypeKind::Structure | TypeKind::Error))
        .map(|t| (t.name(), t))
        .collect()
}

struct Idl {
    structures: BTreeMap<String, Structure>,
    enums: BTreeMap<String, Vec<String>>,
}

fn idl() -> Idl {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../idl");
    let (model, _): (Model, _) = vapi_codegen::load::load_dir(&root).unwrap();
    let mut idl = Idl {
        structures: BTreeMap::new(),
        enums: BTreeMap::new(),
    };
    for p in model.packages {
        for e in p.enumerations {
            let values = e.values.into_iter().map(|v| v.name.wire).collect();
            idl.enums
                .insert(format!("{}.{}", p.name, e.name.wire), values);
        }
        for s in p.structures.into_iter().chain(p.errors) {
            idl.structures
                .insert(format!("{}.{}", p.name, s.name.wire), s);
        }
    }
    idl
}

fn primitive(p: Primitive) -> BoxedStrategy<Value> {
    match p {
        Primitive::String | Primitive::Secret => any::<String>().prop_map(Value::from).boxed(),
        Primitive::Long => any::<i64>().prop_map(Value::from).boxed(),
        Primitive::Double => any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |d| d.is_finite())
            .prop_map(Value::from)
            .boxed(),
        Primitive::Boolean => any::<bool>().prop_map(Value::from).boxed(),
        Primitive::DateTime => (DateTime::MIN.unix_millis()..=DateTime::MAX.unix_millis())
            .prop_map(|ms| match DateTime::from_unix_millis(ms) {
                Some(t) => Value::from(t.to_string()),
                None => Value::Null,
            })
            .boxed(),
        Primitive::Uri => {
            "[a-z][a-z0-9+.-]{0,6}:[A-Za-z0-9._~:/?#@!$&'()*+,;=-]{0,24}(%[0-9A-F]{2})?"
                .prop_map(Value::from)
                .boxed()
        }
        Primitive::Binary => proptest::collection::vec(any::<u8>(), 0..24)
            .prop_map(|b| serde_json::to_value(Binary::new(b)).unwrap_or(Value::Null))
            .boxed(),
        Primitive::DynamicStructure => {
            proptest::collection::btree_map("[a-z_]{1,8}", any::<i64>(), 0..3)
                .prop_map(|m| json!(m))
                .boxed()
        }
    }
}

/// The JSON of any value of `ty`; structures nest at most `depth` levels further.
fn value(idl: &Idl, ty: &Type, depth: u32) -> BoxedStrategy<Value> {
    let n = if depth == 0 { 0..1 } else { 0..3 };
    match ty {
        Type::Primitive(p) => primitive(*p),
        Type::Id(_) => any::<String>().prop_map(Value::from).boxed(),
        // The caller leaves unset optionals out.
        Type::Optional(inner) => value(idl, inner, depth),
        Type::List(inner) => proptest::collection::vec(value(idl, inner, depth), n)
            .prop_map(Value::from)
            .boxed(),
        Type::Set(inner) => proptest::collection::vec(value(idl, inner, depth), n)
            .prop_map(|members| {
                let mut distinct: Vec<Value> = Vec::new();
                for m in members {
                    if !distinct.contains(&m) {
                        distinct.push(m);
                    }
                }
                Value::from(distinct)
            })
            .boxed(),
        Type::Map(_, v) => {
            proptest::collection::btree_map(any::<String>(), value(idl, v, depth), n)
                .prop_map(|m| json!(m))
                .boxed()
        }
        Type::Enumeration(r) => {
            let known = idl.enums[&r.qualified()].clone();
            prop_oneof![
                3 => proptest::sample::select(known).prop_map(Value::from),
                1 => "[A-Z_]{1,12}|.*".prop_map(Value::from),
            ]
            .boxed()
        }
        Type::Structure(r) => structure(idl, &r.qualified(), depth.saturating_sub(1)),
    }
}

fn holds_structure(ty: &Type) -> bool {
    match ty {
        Type::Structure(_) => true,
        Type::Optional(t) | Type::List(t) | Type::Set(t) | Type::Map(_, t) => holds_structure(t),
        _ => false,
    }
}

fn structure(idl: &Idl, name: &str, depth: u32) -> BoxedStrategy<Value> {
    let s = &idl.structures[name];
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    for f in &s.fields {
        // Deep optional fields that hold structures are left out, so that recursive types end.
        if f.ty.is_optional() && depth == 0 && holds_structure(&f.ty) {
            continue;
        }
        let wire = f.name.wire.clone();
        let v = value(idl, &f.ty, depth).prop_map(move |v| Some((wire.clone(), v)));
        fields.push(if f.ty.is_optional() {
            prop_oneof![Just(None), v].boxed()
        } else {
            v.boxed()
        });
    }
    fields
        .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect()))
        .boxed()
}

#[test]
fn every_structure_survives_write_then_read() {
    let idl = idl();
    let registry = registry();
    assert_eq!(registry.len(), idl.structures.len(), "the registry vs idl/");
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    for (name, info) in registry {
        let strategy = structure(&idl, name, 3);
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        if let Err(e) = runner.run(&strategy, |v| {
            check(info, &v).map_err(proptest::test_runner::TestCaseError::fail)
        }) {
            panic!("{name}: {e}");
        }
    }
}
