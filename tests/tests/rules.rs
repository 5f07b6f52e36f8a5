//! One test row per documented rule that the types cannot express: the discriminated unions
//! (which fields go with which tag value) and the presence rules of the session models (what
//! `create` and `update` need and ignore). Each row breaks one rule and checks that the
//! generated validator reports it, naming the field and the rule.

// Helpers of tests: a panic is a failure with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use vapi_bindings::content::library::StorageBacking;
use vapi_bindings::content::library::item::updatesession::{FileAddSpec, FileInfo, PreviewInfo};
use vapi_bindings::content::library::item::{DownloadSessionModel, UpdateSessionModel};
use vapi_codegen::ir::InputRule;
use vapi_runtime::ValidationError;

fn read<T: DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{v}: {e}"))
}

/// Runs `validate` (or `validate_for_<op>`) of the structure named `ty` on `v`.
fn validate(ty: &str, op: &str, v: &Value) -> Result<(), ValidationError> {
    match (ty, op) {
        ("StorageBacking", "") => read::<StorageBacking>(v).validate(),
        ("UpdateSessionModel", "") => read::<UpdateSessionModel>(v).validate(),
        ("UpdateSessionModel", "create") => read::<UpdateSessionModel>(v).validate_for_create(),
        ("UpdateSessionModel", "update") => read::<UpdateSessionModel>(v).validate_for_update(),
        ("DownloadSessionModel", "") => read::<DownloadSessionModel>(v).validate(),
        ("DownloadSessionModel", "create") => read::<DownloadSessionModel>(v).validate_for_create(),
        ("DownloadSessionModel", "update") => read::<DownloadSessionModel>(v).validate_for_update(),
        ("PreviewInfo", "") => read::<PreviewInfo>(v).validate(),
        ("File.AddSpec", "") => read::<FileAddSpec>(v).validate(),
        ("File.Info", "") => read::<FileInfo>(v).validate(),
        _ => panic!("no validator {ty} {op}"),
    }
}

fn endpoint() -> Value {
    json!({"uri": "https://h/x"})
}

fn cert() -> Value {
    json!({"issuer": "CN=a", "subject": "CN=b", "self_signed": true, "x509": "MIIB"})
}

fn upd_file(source_type: &str) -> Value {
    json!({"name": "a.ovf", "source_type": source_type, "bytes_transferred": 0,
           "status": "WAITING_FOR_TRANSFER"})
}

fn with(mut base: Value, field: &str, value: Value) -> Value {
    base[field] = value;
    base
}

/// Union rows: (structure, value, the offending field or `None` if valid, rule text).
fn union_rows() -> Vec<(&'static str, Value, Option<&'static str>, &'static str)> {
    vec![
        // StorageBacking: `datastore_id` only with DATASTORE, `storage_uri` only with OTHER.
        (
            "StorageBacking",
            json!({"type": "DATASTORE", "datastore_id": "ds-1"}),
            None,
            "",
        ),
        ("StorageBacking", json!({"type": "DATASTORE"}), None, ""),
        (
            "StorageBacking",
            json!({"type": "OTHER", "storage_uri": "nfs://h/e"}),
            None,
            "",
        ),
        (
            "StorageBacking",
            json!({"type": "OTHER", "storage_uri": "nfs://h/e", "datastore_id": "ds-1"}),
            Some("datastore_id"),
            "must not be set when `type` is OTHER (only when it is DATASTORE)",
        ),
        (
            "StorageBacking",
            json!({"type": "DATASTORE", "storage_uri": "nfs://h/e"}),
            Some("storage_uri"),
            "must not be set when `type` is DATASTORE (only when it is OTHER)",
        ),
        (
            "StorageBacking",
            json!({"datastore_id": "ds-1"}),
            Some("datastore_id"),
            "must not be set while `type` is unset (only when it is DATASTORE)",
        ),
        // A tag value of a newer server: its rules are unknown, nothing is refused.
        (
            "StorageBacking",
            json!({"type": "S3", "storage_uri": "s3://b/k"}),
            None,
            "",
        ),
        // UpdateSessionModel: `preview_info` only while ACTIVE.
        ("UpdateSessionModel", json!({"state": "ACTIVE"}), None, ""),
        (
            "UpdateSessionModel",
            json!({"state": "ACTIVE", "preview_info": {"state": "PREPARING"}}),
            None,
            "",
        ),
        (
            "UpdateSessionModel",
            json!({"state": "DONE", "preview_info": {"state": "PREPARING"}}),
            Some("preview_info"),
            "must not be set when `state` is DONE (only when it is ACTIVE)",
        ),
        // PreviewInfo: `warnings` required and `certificate_info` allowed only when AVAILABLE.
        (
            "PreviewInfo",
            json!({"state": "AVAILABLE", "warnings": []}),
            None,
            "",
        ),
        (
            "PreviewInfo",
            json!({"state": "AVAILABLE", "warnings": [], "certificate_info": cert()}),
            None,
            "",
        ),
        (
            "PreviewInfo",
            json!({"state": "AVAILABLE", "certificate_info": cert()}),
            Some("warnings"),
            "must be set when `state` is AVAILABLE",
        ),
        (
            "PreviewInfo",
            json!({"state": "UNAVAILABLE", "warnings": []}),
            Some("warnings"),
            "must not be set when `state` is UNAVAILABLE (only when it is AVAILABLE)",
        ),
        (
            "PreviewInfo",
            json!({"state": "PREPARING", "certificate_info": cert()}),
            Some("certificate_info"),
            "must not be set when `state` is PREPARING (only when it is AVAILABLE)",
        ),
        // The rules of a nested structure, reported with the path from the outer value.
        (
            "UpdateSessionModel",
            json!({"state": "ACTIVE", "preview_info": {"state": "AVAILABLE"}}),
            Some("preview_info.warnings"),
            "must be set when `state` is AVAILABLE",
        ),
        // updatesession File.AddSpec: `source_endpoint` required for PULL, else unset.
        (
            "File.AddSpec",
            json!({"name": "a.ovf", "source_type": "PULL", "source_endpoint": endpoint()}),
            None,
            "",
        ),
        (
            "File.AddSpec",
            json!({"name": "a.ovf", "source_type": "PUSH"}),
            None,
            "",
        ),
        (
            "File.AddSpec",
            json!({"name": "a.ovf", "source_type": "PULL"}),
            Some("source_endpoint"),
            "must be set when `source_type` is PULL",
        ),
        (
            "File.AddSpec",
            json!({"name": "a.ovf", "source_type": "PUSH", "source_endpoint": endpoint()}),
            Some("source_endpoint"),
            "must not be set when `source_type` is PUSH (only when it is PULL)",
        ),
        (
            "File.AddSpec",
            json!({"name": "a.ovf", "source_type": "NONE", "source_endpoint": endpoint()}),
            Some("source_endpoint"),
            "must not be set when `source_type` is NONE (only when it is PULL)",
        ),
        // updatesession File.Info: `source_endpoint` for PULL, `upload_endpoint` for PUSH.
        (
            "File.Info",
            with(upd_file("PULL"), "source_endpoint", endpoint()),
            None,
            "",
        ),
        (
            "File.Info",
            with(upd_file("PUSH"), "upload_endpoint", endpoint()),
            None,
            "",
        ),
        ("File.Info", upd_file("NONE"), None, ""),
        (
            "File.Info",
            upd_file("PULL"),
            Some("source_endpoint"),
            "must be set when `source_type` is PULL",
        ),
        (
            "File.Info",
            upd_file("PUSH"),
            Some("upload_endpoint"),
            "must be set when `source_type` is PUSH",
        ),
        (
            "File.Info",
            with(
                with(upd_file("PULL"), "source_endpoint", endpoint()),
                "upload_endpoint",
                endpoint(),
            ),
            Some("upload_endpoint"),
            "must not be set when `source_type` is PULL (only when it is PUSH)",
        ),
    ]
}

#[test]
fn union_rules_are_enforced_and_named() {
    for (ty, value, field, rule) in union_rows() {
        let result = validate(ty, "", &value);
        match field {
            None => assert_eq!(result, Ok(()), "{ty} {value}"),
            Some(field) => {
                let e = result.expect_err(&format!("{ty} {value} must be refused"));
                assert_eq!(e.field(), field, "{ty} {value}");
                assert_eq!(e.rule(), rule, "{ty} {value}");
            }
        }
    }
}

/// Presence rows: (structure, operation, field, whether the operation requires it; otherwise
/// it ignores it and it must be unset).
const PRESENCE: &[(&str, &str, &str, bool)] = &[
    ("DownloadSessionModel", "create", "id", false),
    ("DownloadSessionModel", "create", "library_item_id", true),
    (
        "DownloadSessionModel",
        "create",
        "library_item_content_version",
        false,
    ),
    ("DownloadSessionModel", "create", "error_message", false),
    ("DownloadSessionModel", "create", "client_progress", false),
    ("DownloadSessionModel", "create", "state", false),
    ("DownloadSessionModel", "create", "expiration_time", false),
    ("DownloadSessionModel", "update", "id", false),
    ("DownloadSessionModel", "update", "library_item_id", false),
    (
        "DownloadSessionModel",
        "update",
        "library_item_content_version",
        false,
    ),
    ("DownloadSessionModel", "update", "error_message", false),
    ("DownloadSessionModel", "update", "state", false),
    ("DownloadSessionModel", "update", "expiration_time", false),
    ("UpdateSessionModel", "create", "id", false),
    ("UpdateSessionModel", "create", "library_item_id", true),
    (
        "UpdateSessionModel",
        "create",
        "library_item_content_version",
        false,
    ),
    ("UpdateSessionModel", "create", "error_message", false),
    ("UpdateSessionModel", "create", "client_progress", false),
    ("UpdateSessionModel", "create", "state", false),
    ("UpdateSessionModel", "create", "expiration_time", false),
    ("UpdateSessionModel", "update", "id", false),
    ("UpdateSessionModel", "update", "library_item_id", false),
    (
        "UpdateSessionModel",
        "update",
        "library_item_content_version",
        false,
    ),
    ("UpdateSessionModel", "update", "error_message", false),
    ("UpdateSessionModel", "update", "client_progress", false),
    ("UpdateSessionModel", "update", "state", false),
    ("UpdateSessionModel", "update", "expiration_time", false),
];

/// A value for a field of the session models.
fn sample(field: &str) -> Value {
    match field {
        "error_message" => json!({"id": "m", "default_message": "d", "args": []}),
        "client_progress" => json!(50),
        "state" => json!("ACTIVE"),
        "expiration_time" => json!("2024-05-01T12:34:56.789Z"),
        other => json!(format!("{other}-1")),
    }
}

/// What each operation accepts: every row's required fields set, nothing else.
fn valid_input(ty: &str, op: &str) -> Value {
    let mut v = json!({});
    for (t, o, field, required) in PRESENCE {
        if *t == ty && *o == op && *required {
            v[*field] = sample(field);
        }
    }
    // Fields the operation may or may not be given.
    if op == "update" && ty == "DownloadSessionModel" {
        v["client_progress"] = sample("client_progress");
    }
    if ty == "UpdateSessionModel" {
        v["warning_behavior"] = json!([{"type": "SELF_SIGNED_CERTIFICATE", "ignored": true}]);
    }
    v
}

#[test]
fn presence_rules_are_enforced_and_named() {
    for (ty, op) in [
        ("DownloadSessionModel", "create"),
        ("DownloadSessionModel", "update"),
        ("UpdateSessionModel", "create"),
        ("UpdateSessionModel", "update"),
    ] {
        assert_eq!(validate(ty, op, &valid_input(ty, op)), Ok(()), "{ty} {op}");
    }
    for (ty, op, field, required) in PRESENCE {
        let mut v = valid_input(ty, op);
        let expected = if *required {
            v.as_object_mut().unwrap().remove(*field);
            format!("must be set for `{op}`")
        } else {
            v[*field] = sample(field);
            format!("must not be set for `{op}`")
        };
        let e = validate(ty, op, &v).expect_err(&format!("{ty} {op} {field}: {v}"));
        assert_eq!(
            (e.field(), e.rule()),
            (*field, expected.as_str()),
            "{ty} {op}"
        );
        assert_eq!(
            e.to_string(),
            format!("`{field}` {expected} (a rule of com.vmware.content.library.item.{ty})")
        );
    }
}

#[test]
fn the_tables_cover_every_rule_of_the_idl() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../idl");
    let (model, _) = vapi_codegen::load::load_dir(&root).unwrap();
    let mut presence = Vec::new();
    let mut union_fields = Vec::new();
    for p in &model.packages {
        for s in &p.structures {
            for f in s.fields.iter().filter(|f| f.ty.is_optional()) {
                let Some(rules) = &f.presence else { continue };
                for (op, rule) in [("create", rules.create), ("update", rules.update)] {
                    if let Some(r @ (InputRule::Required | InputRule::Unused)) = rule {
                        let required = r == InputRule::Required;
                        presence.push((s.name.wire.clone(), op, f.name.wire.clone(), required));
                    }
                }
            }
            for u in &s.unions {
                for c in &u.cases {
                    for f in c.required.iter().chain(&c.optional) {
                        union_fields.push(format!("{}.{f}", s.name.wire));
                    }
                }
            }
        }
    }
    let table: Vec<_> = PRESENCE
        .iter()
        .map(|(t, o, f, r)| ((*t).to_owned(), *o, (*f).to_owned(), *r))
        .collect();
    presence.sort();
    let mut sorted = table.clone();
    sorted.sort();
    assert_eq!(sorted, presence, "PRESENCE vs the IDL");
    // Every union field of the IDL has a row that breaks its rule.
    let broken: Vec<String> = union_rows()
        .into_iter()
        .filter_map(|(ty, _, f, _)| {
            f.map(|f| format!("{ty}.{}", f.rsplit('.').next().unwrap_or(f)))
        })
        .collect();
    for f in &union_fields {
        assert!(broken.contains(f), "no row breaks the rule of {f}");
    }
    assert_eq!(union_fields.len(), 8);
    assert_eq!(PRESENCE.len(), 27);
}
