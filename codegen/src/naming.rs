//! Every Rust name the generator makes comes from here: case conversion, keywords, leading
//! digits, and the names derived from others (`DownloadSessionId`, `CancelError`).

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Strict and reserved keywords of Rust 2024, which need `r#` (or more) to be identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];

/// Makes `name` a valid identifier: digits first get a leading `_`, keywords become raw
/// identifiers (`r#type`) or, where that is not allowed, get a trailing `_` (`self_`).
fn escape(name: String) -> String {
    let name = if name.is_empty() {
        "_empty".to_owned()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    };
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// A type name: each dotted part in UpperCamelCase, then joined (`File.Info` → `FileInfo`).
pub fn type_name(dotted: &str) -> String {
    escape(
        dotted
            .split('.')
            .map(|part| part.to_upper_camel_case())
            .collect(),
    )
}

/// A field, parameter, method or module name in snake_case (`libraryItemId` → `library_item_id`).
pub fn value_name(wire: &str) -> String {
    escape(wire.to_snake_case())
}

/// A module name for one segment of a package (`downloadsession`), kept as written but lowercased
/// so that `content.library` stays `content::library`.
pub fn module_name(segment: &str) -> String {
    escape(segment.to_snake_case())
}

/// A constant name (`keep_alive` → `KEEP_ALIVE`).
pub fn const_name(wire: &str) -> String {
    escape(wire.to_shouty_snake_case())
}

/// The constants a service module defines besides one descriptor per operation.
const SERVICE_CONSTANTS: &[&str] = &["SERVICE_ID", "RESOURCE_TYPE", "OPERATIONS"];

/// The descriptor constant of an operation (`keep_alive` → `KEEP_ALIVE`), in its service's
/// module beside `SERVICE_ID`, `RESOURCE_TYPE` and `OPERATIONS`: an operation named like one
/// of those gets `_OPERATION` (`service_id` → `SERVICE_ID_OPERATION`).
pub fn descriptor_name(operation: &str) -> String {
    let name = const_name(operation);
    if SERVICE_CONSTANTS.contains(&name.as_str()) {
        format!("{name}_OPERATION")
    } else {
        name
    }
}

/// An enumeration variant (`SHA256` → `Sha256`, `NOT_ALLOWED` → `NotAllowed`).
pub fn variant_name(wire: &str) -> String {
    escape(wire.to_lowercase().to_upper_camel_case())
}

/// The catch-all variant of an open enumeration: `Unknown`, unless a documented value already
/// took that name, in which case the documented value keeps it and the catch-all moves aside to
/// `Unrecognized`, then `Other`, then `Unrecognized2`, … (a trailing `_` would trip
/// `non_camel_case_types`).
pub fn unknown_variant_name(known: &[String]) -> String {
    free_name(&["Unknown", "Unrecognized", "Other"], "Unrecognized", known)
}

/// The variant of a per-operation error enum that carries every error the operation does not
/// document: `Unhandled`, as in the AWS SDK, unless an error type took the name.
pub fn unhandled_variant_name(taken: &[String]) -> String {
    free_name(&["Unhandled", "Other"], "Unhandled", taken)
}

/// The first of `preferred` not in `taken`, or `fallback` with the smallest free number.
fn free_name(preferred: &[&str], fallback: &str, taken: &[String]) -> String {
    let free = |name: &str| !taken.iter().any(|t| t == name);
    if let Some(name) = preferred.iter().find(|n| free(n)) {
        return (*name).to_owned();
    }
    (2..)
        .map(|n| format!("{fallback}{n}"))
        .find(|name| free(name))
        .unwrap_or_else(|| fallback.to_owned())
}

/// The newtype of identifiers of a resource type (`com.vmware.content.library.Item` → `ItemId`).
pub fn id_type_name(resource_type: &str) -> String {
    let simple = resource_type.rsplit('.').next().unwrap_or(resource_type);
    type_name(&format!("{}Id", simple.to_upper_camel_case()))
}

/// The error type of one operation, in its service's module (`cancel` → `CancelError`).
pub fn operation_error_name(operation: &str) -> String {
    type_name(&format!("{}Error", operation.to_upper_camel_case()))
}

/// The module holding a service's metadata and error types (`DownloadSession` →
/// `download_session`). vAPI lets a service and a sub-package share a name (the service
/// `com.vmware.content.library.Item` beside the package `com.vmware.content.library.item`), so
/// when `taken` (the package's child modules) holds the name, the service's gets `_service`.
pub fn service_module_name(service: &str, taken: &[String]) -> String {
    let name = value_name(service);
    if taken.iter().any(|t| unraw(t) == unraw(&name)) {
        format!("{}_service", unraw(&name))
    } else {
        name
    }
}

/// The Rust module path of a vAPI package: its name without the `com.vmware` prefix, in segments.
pub fn package_module_path(package: &str) -> Vec<String> {
    let rest = package.strip_prefix("com.vmware.").unwrap_or(package);
    rest.split('.').map(module_name).collect()
}

/// The name without a raw-identifier prefix, for comparing names and for text.
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// The `error_type` a standard error carries on the wire: `NotAllowedInCurrentState` →
/// `NOT_ALLOWED_IN_CURRENT_STATE`.
pub fn error_type_value(error: &str) -> String {
    error.to_shouty_snake_case()
}

/// The route pattern of a URL template, its variables renamed by position (`{v0}`, `{v1}`, …):
/// routers refuse two routes that name the variable of one segment differently, as
/// `/item/{item}/changes` and `/item/{libraryItemId}/file` do.
pub fn route_pattern(template: &str) -> (String, Vec<(String, String)>) {
    let mut pattern = String::new();
    let mut vars = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        pattern.push_str(&rest[..open]);
        let position = format!("v{}", vars.len());
        pattern.push_str(&format!("{{{position}}}"));
        vars.push((rest[open + 1..open + close].to_owned(), position));
        rest = &rest[open + close + 1..];
    }
    pattern.push_str(rest);
    (pattern, vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        let table = [
            ("DownloadSessionModel", "DownloadSessionModel"),
            ("File.Info", "FileInfo"),
            ("DownloadSessionModel.State", "DownloadSessionModelState"),
            ("Self", "Self_"),
            ("3DModel", "_3dModel"),
            ("Result", "Result"),
            ("preview_info", "PreviewInfo"),
            // Std and prelude names stay: the generated code names std by full path.
            ("Option", "Option"),
            ("Box", "Box"),
            ("Vec", "Vec"),
            ("Default", "Default"),
            ("Send", "Send"),
            ("Some", "Some"),
            ("T", "T"),
            ("Self.Kind", "SelfKind"),
            ("Type", "Type"),
            ("Self_", "Self_"),
        ];
        for (input, expected) in table {
            assert_eq!(type_name(input), expected, "{input}");
        }
    }

    #[test]
    fn value_names() {
        let table = [
            ("library_item_id", "library_item_id"),
            ("libraryItemId", "library_item_id"),
            ("type", "r#type"),
            ("self", "self_"),
            ("super", "super_"),
            ("crate", "crate_"),
            ("gen", "r#gen"),
            ("async", "r#async"),
            ("try", "r#try"),
            ("ref", "r#ref"),
            ("2fa", "_2fa"),
            ("größe", "größe"),
            ("名前", "名前"),
            ("await", "r#await"),
            ("dyn", "r#dyn"),
            ("abstract", "r#abstract"),
            ("macro_rules", "macro_rules"),
            ("union", "union"),
            ("safe", "safe"),
            ("raw", "raw"),
            ("self_", "self_"),
            ("type_", "r#type"),
            ("a1_b", "a1_b"),
        ];
        for (input, expected) in table {
            assert_eq!(value_name(input), expected, "{input}");
        }
    }

    #[test]
    fn variant_names() {
        let table = [
            ("ACTIVE", "Active"),
            ("WAITING_FOR_TRANSFER", "WaitingForTransfer"),
            ("SHA256", "Sha256"),
            ("MD5", "Md5"),
            ("UNKNOWN", "Unknown"),
            ("SELF", "Self_"),
            ("1ST", "_1st"),
            ("Unknown", "Unknown"),
            ("KNOWN", "Known"),
            ("ERR", "Err"),
            ("_2", "_2"),
            ("3D", "_3d"),
            ("TYPE", "Type"),
            ("SUPER", "Super"),
        ];
        for (input, expected) in table {
            assert_eq!(variant_name(input), expected, "{input}");
        }
    }

    #[test]
    fn catch_all_steps_aside_for_a_documented_unknown() {
        assert_eq!(unknown_variant_name(&["Active".into()]), "Unknown");
        assert_eq!(unknown_variant_name(&["Unknown".into()]), "Unrecognized");
        let taken = ["Unknown".into(), "Unrecognized".into(), "Other".into()];
        assert_eq!(unknown_variant_name(&taken), "Unrecognized2");
        assert_eq!(unhandled_variant_name(&["NotFound".into()]), "Unhandled");
        assert_eq!(unhandled_variant_name(&["Unhandled".into()]), "Other");
    }

    #[test]
    fn derived_names() {
        assert_eq!(
            id_type_name("com.vmware.content.library.item.DownloadSession"),
            "DownloadSessionId"
        );
        assert_eq!(id_type_name("com.vmware.content.library.Item"), "ItemId");
        assert_eq!(operation_error_name("keep_alive"), "KeepAliveError");
        assert_eq!(
            service_module_name("DownloadSession", &[]),
            "download_session"
        );
        assert_eq!(
            service_module_name("Item", &["item".into()]),
            "item_service"
        );
        assert_eq!(const_name("keep_alive"), "KEEP_ALIVE");
        assert_eq!(descriptor_name("keep_alive"), "KEEP_ALIVE");
        assert_eq!(descriptor_name("service_id"), "SERVICE_ID_OPERATION");
        assert_eq!(descriptor_name("resource_type"), "RESOURCE_TYPE_OPERATION");
        assert_eq!(descriptor_name("operations"), "OPERATIONS_OPERATION");
        assert_eq!(
            package_module_path("com.vmware.content.library.item"),
            ["content", "library", "item"]
        );
        assert_eq!(
            package_module_path("com.vmware.vapi.std.errors"),
            ["vapi", "std", "errors"]
        );
        assert_eq!(
            package_module_path("org.example.type"),
            ["org", "example", "r#type"]
        );
        assert_eq!(
            package_module_path("com.vmware.hostile.type.self.super.crate.gen.async.try"),
            [
                "hostile", "r#type", "self_", "super_", "crate_", "r#gen", "r#async", "r#try"
            ]
        );
        assert_eq!(
            service_module_name("Type", &["r#type".into()]),
            "type_service"
        );
        assert_eq!(service_module_name("Self", &[]), "self_");
        assert_eq!(id_type_name("com.vmware.hostile.Self"), "SelfId");
        assert_eq!(operation_error_name("match"), "MatchError");
    }
}
