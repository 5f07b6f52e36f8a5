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
use std::fmt::Debug;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use vapi_codegen::ir::{Model, Primitive, Structure, Type};
use vapi_runtime::{Binary, DateTime};

fn check<T: DeserializeOwned + Serialize + PartialEq + Debug>(json: &Value) -> Result<(), String> {
    let text = json.to_string();
    let value: T = serde_json::from_str(&text).map_err(|e| format!("read {text}: {e}"))?;
    let written = serde_json::to_string(&value).map_err(|e| e.to_string())?;
    let back: Value = serde_json::from_str(&written).map_err(|e| e.to_string())?;
    if &back != json {
        return Err(format!("wrote {written}\n  for {text}"));
    }
    let again: T = serde_json::from_str(&written).map_err(|e| e.to_string())?;
    if again != value {
        return Err(format!("{written} reads back as {again:?}, not {value:?}"));
    }
    Ok(())
}

type Check = fn(&Value) -> Result<(), String>;

macro_rules! registry {
    ($($name:literal => $ty:ty,)*) => {
        fn registry() -> BTreeMap<&'static str, Check> {
            BTreeMap::from([$(($name, check::<$ty> as Check),)*])
        }
    };
}

registry! {
        "com.vmware.content.library.StorageBacking" => vapi_bindings::content::library::StorageBacking,
        "com.vmware.content.library.item.CertificateVerificationInfo" => vapi_bindings::content::library::item::CertificateVerificationInfo,
        "com.vmware.content.library.item.Changes.Info" => vapi_bindings::content::library::item::ChangesInfo,
        "com.vmware.content.library.item.Changes.Summary" => vapi_bindings::content::library::item::ChangesSummary,
        "com.vmware.content.library.item.DownloadSessionModel" => vapi_bindings::content::library::item::DownloadSessionModel,
        "com.vmware.content.library.item.File.ChecksumInfo" => vapi_bindings::content::library::item::FileChecksumInfo,
        "com.vmware.content.library.item.File.Info" => vapi_bindings::content::library::item::FileInfo,
        "com.vmware.content.library.item.Storage.Info" => vapi_bindings::content::library::item::StorageInfo,
        "com.vmware.content.library.item.TransferEndpoint" => vapi_bindings::content::library::item::TransferEndpoint,
        "com.vmware.content.library.item.UpdateSessionModel" => vapi_bindings::content::library::item::UpdateSessionModel,
        "com.vmware.content.library.item.downloadsession.File.Info" => vapi_bindings::content::library::item::downloadsession::FileInfo,
        "com.vmware.content.library.item.updatesession.CertificateInfo" => vapi_bindings::content::library::item::updatesession::CertificateInfo,
        "com.vmware.content.library.item.updatesession.File.AddSpec" => vapi_bindings::content::library::item::updatesession::FileAddSpec,
        "com.vmware.content.library.item.updatesession.File.Info" => vapi_bindings::content::library::item::updatesession::FileInfo,
        "com.vmware.content.library.item.updatesession.File.ValidationError" => vapi_bindings::content::library::item::updatesession::FileValidationError,
        "com.vmware.content.library.item.updatesession.File.ValidationResult" => vapi_bindings::content::library::item::updatesession::FileValidationResult,
        "com.vmware.content.library.item.updatesession.PreviewInfo" => vapi_bindings::content::library::item::updatesession::PreviewInfo,
        "com.vmware.content.library.item.updatesession.PreviewWarningInfo" => vapi_bindings::content::library::item::updatesession::PreviewWarningInfo,
        "com.vmware.content.library.item.updatesession.WarningBehavior" => vapi_bindings::content::library::item::updatesession::WarningBehavior,
        "com.vmware.vapi.std.AuthenticationScheme" => vapi_bindings::vapi::std::AuthenticationScheme,
        "com.vmware.vapi.std.DynamicID" => vapi_bindings::vapi::std::DynamicId,
        "com.vmware.vapi.std.LocalizableMessage" => vapi_bindings::vapi::std::LocalizableMessage,
        "com.vmware.vapi.std.LocalizationParam" => vapi_bindings::vapi::std::LocalizationParam,
        "com.vmware.vapi.std.NestedLocalizableMessage" => vapi_bindings::vapi::std::NestedLocalizableMessage,
        "com.vmware.vapi.std.errors.AlreadyExists" => vapi_bindings::vapi::std::errors::AlreadyExists,
        "com.vmware.vapi.std.errors.AlreadyInDesiredState" => vapi_bindings::vapi::std::errors::AlreadyInDesiredState,
        "com.vmware.vapi.std.errors.ArgumentLocations" => vapi_bindings::vapi::std::errors::ArgumentLocations,
        "com.vmware.vapi.std.errors.Canceled" => vapi_bindings::vapi::std::errors::Canceled,
        "com.vmware.vapi.std.errors.ConcurrentChange" => vapi_bindings::vapi::std::errors::ConcurrentChange,
        "com.vmware.vapi.std.errors.Error" => vapi_bindings::vapi::std::errors::Error,
        "com.vmware.vapi.std.errors.FeatureInUse" => vapi_bindings::vapi::std::errors::FeatureInUse,
        "com.vmware.vapi.std.errors.FileLocations" => vapi_bindings::vapi::std::errors::FileLocations,
        "com.vmware.vapi.std.errors.InternalServerError" => vapi_bindings::vapi::std::errors::InternalServerError,
        "com.vmware.vapi.std.errors.InvalidArgument" => vapi_bindings::vapi::std::errors::InvalidArgument,
        "com.vmware.vapi.std.errors.InvalidElementConfiguration" => vapi_bindings::vapi::std::errors::InvalidElementConfiguration,
        "com.vmware.vapi.std.errors.InvalidElementType" => vapi_bindings::vapi::std::errors::InvalidElementType,
        "com.vmware.vapi.std.errors.InvalidRequest" => vapi_bindings::vapi::std::errors::InvalidRequest,
        "com.vmware.vapi.std.errors.NotAllowedInCurrentState" => vapi_bindings::vapi::std::errors::NotAllowedInCurrentState,
        "com.vmware.vapi.std.errors.NotFound" => vapi_bindings::vapi::std::errors::NotFound,
        "com.vmware.vapi.std.errors.OperationNotFound" => vapi_bindings::vapi::std::errors::OperationNotFound,
        "com.vmware.vapi.std.errors.ResourceBusy" => vapi_bindings::vapi::std::errors::ResourceBusy,
        "com.vmware.vapi.std.errors.ResourceInUse" => vapi_bindings::vapi::std::errors::ResourceInUse,
        "com.vmware.vapi.std.errors.ResourceInaccessible" => vapi_bindings::vapi::std::errors::ResourceInaccessible,
        "com.vmware.vapi.std.errors.ServiceUnavailable" => vapi_bindings::vapi::std::errors::ServiceUnavailable,
        "com.vmware.vapi.std.errors.TimedOut" => vapi_bindings::vapi::std::errors::TimedOut,
        "com.vmware.vapi.std.errors.TransientIndication" => vapi_bindings::vapi::std::errors::TransientIndication,
        "com.vmware.vapi.std.errors.UnableToAllocateResource" => vapi_bindings::vapi::std::errors::UnableToAllocateResource,
        "com.vmware.vapi.std.errors.Unauthenticated" => vapi_bindings::vapi::std::errors::Unauthenticated,
        "com.vmware.vapi.std.errors.Unauthorized" => vapi_bindings::vapi::std::errors::Unauthorized,
        "com.vmware.vapi.std.errors.UnexpectedInput" => vapi_bindings::vapi::std::errors::UnexpectedInput,
        "com.vmware.vapi.std.errors.Unsupported" => vapi_bindings::vapi::std::errors::Unsupported,
        "com.vmware.vapi.std.errors.UnverifiedPeer" => vapi_bindings::vapi::std::errors::UnverifiedPeer,
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
    for (name, check) in registry {
        let strategy = structure(&idl, name, 3);
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        if let Err(e) = runner.run(&strategy, |v| {
            check(&v).map_err(proptest::test_runner::TestCaseError::fail)
        }) {
            panic!("{name}: {e}");
        }
    }
}
