//! Every Rust name the generator makes comes from here: case conversion, keywords, leading
//! digits, and the names derived from others (`DownloadSessionId`, `CancelError`).
//!
//! The IDL's names are wire names and stay as written on the wire; the Rust name is derived
//! from them. A name may use any letter or digit Rust accepts in identifiers (Unicode's
//! `XID_Continue` that is also alphabetic or numeric, so `größe` and `名前` stay as they are)
//! and `_`. Case conversion is heck's (`GRÖSSE` → `Grösse`), and a name that cannot start an
//! identifier after it (one that starts with a digit) gets one leading `_`: `2fa` → `_2fa`,
//! `3DModel` → `_3dModel`, `1st` → `_1st`, `1ST` → `_1st`. rustc's case lints ignore leading
//! underscores, so these stay warning-free. Anything else (`-`, spaces, emoji, punctuation, a
//! combining mark written apart from its letter instead of precomposed, NFC) is refused by
//! the resolver with the predicates below, rather than silently turned into another name.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use unicode_ident::{is_xid_continue, is_xid_start};

/// A character a name may hold anywhere: `_`, or a letter or digit that Rust identifiers may
/// contain. Heck splits words at any other character, so the resolver refuses those.
fn is_name_char(c: char) -> bool {
    c == '_' || (is_xid_continue(c) && c.is_alphanumeric())
}

/// A character a name may start with: a letter that can start an identifier, or an ASCII digit
/// (which gets a leading `_` in Rust).
fn is_name_start(c: char) -> bool {
    c.is_ascii_digit() || (is_xid_start(c) && is_name_char(c))
}

/// A field, operation or parameter name: snake_case in any script (`library_item_id`,
/// `größe`, `名前`, `2fa`): no upper-case letter, and it starts with a letter or a digit.
pub fn is_snake_name(name: &str) -> bool {
    name.starts_with(|c: char| is_name_start(c) && !c.is_uppercase())
        && name.chars().all(|c| is_name_char(c) && !c.is_uppercase())
}

/// One segment of a type name: UpperCamelCase in any script (`FileInfo`, `Größe`, `名前`,
/// `3DModel`): it starts with a letter that is not lower case, or with a digit.
pub fn is_type_segment(segment: &str) -> bool {
    segment.starts_with(|c: char| is_name_start(c) && !c.is_lowercase())
        && segment.chars().all(is_name_char)
}

/// An enumeration value, the wire string of a variant (`SHA256`, `3D`, `_2`, `GRÖSSE`): letters,
/// digits and `_` (the resolver also wants one letter or digit: `_` alone names no variant).
pub fn is_enumeration_value(value: &str) -> bool {
    !value.is_empty() && value.chars().all(is_name_char)
}

/// Whether `name` (raw or not) is a Rust identifier: what every name made here must be.
pub fn is_identifier(name: &str) -> bool {
    let name = unraw(name);
    let mut chars = name.chars();
    match chars.next() {
        Some('_') => name.len() > 1 && chars.all(is_xid_continue),
        Some(first) => is_xid_start(first) && chars.all(is_xid_continue),
        None => false,
    }
}

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

/// Makes `name` a valid identifier: a name that cannot start one (digits first) gets a leading
/// `_`, keywords become raw identifiers (`r#type`) or, where that is not allowed, get a
/// trailing `_` (`self_`).
fn escape(name: String) -> String {
    let name = if name.is_empty() {
        "_empty".to_owned()
    } else if !name.starts_with(|c: char| c == '_' || is_xid_start(c)) {
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
/// of those gets `_OPERATION` (`service_id` → `SERVICE_ID_OPERATION`). So does one whose name
/// has no upper case (`名前`, `2`): the constant would be spelled like a parameter or local of
/// the module's client and router, and a `let` of that name would match the constant instead
/// of binding (`名前` → `名前_OPERATION`).
pub fn descriptor_name(operation: &str) -> String {
    let name = const_name(operation);
    if SERVICE_CONSTANTS.contains(&name.as_str()) || !name.chars().any(char::is_uppercase) {
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
    free_name(&["Unknown", "Unrecognized", "Other"], "Unrecognized", |n| {
        known.iter().any(|k| k == n)
    })
}

/// The variant of a per-operation error enum that carries every error the operation does not
/// document: `Unhandled`, as in the AWS SDK, unless an error type took the name.
pub fn unhandled_variant_name(taken: &[String]) -> String {
    free_name(&["Unhandled", "Other"], "Unhandled", |n| {
        taken.iter().any(|t| t == n)
    })
}

/// The first of `preferred` not `taken`, or `fallback` with the smallest free number.
fn free_name(preferred: &[&str], fallback: &str, taken: impl Fn(&str) -> bool) -> String {
    let free = |name: &str| !taken(name);
    if let Some(name) = preferred.iter().find(|n| free(n)) {
        return (*name).to_owned();
    }
    (2..)
        .map(|n| format!("{fallback}{n}"))
        .find(|name| free(name))
        .unwrap_or_else(|| fallback.to_owned())
}

/// The router's handler of one operation, from the operation's Rust name: `serve_keep_alive`,
/// `serve_match` for `r#match`, `serve_1st` for `_1st` (`serve__1st` would trip
/// `non_snake_case`; operation names never start with `_`, so no two handlers meet).
pub fn serve_fn_name(operation_rust: &str) -> String {
    let name = unraw(operation_rust);
    format!("serve_{}", name.strip_prefix('_').unwrap_or(name))
}

/// The newtype of identifiers of a resource type (`com.vmware.content.library.Item` → `ItemId`).
pub fn id_type_name(resource_type: &str) -> String {
    let simple = resource_type.rsplit('.').next().unwrap_or(resource_type);
    // Not case-converted again: heck would read `名前Id` as one word (`名前id`).
    escape(format!("{}Id", simple.to_upper_camel_case()))
}

/// The error type of one operation, in its service's module (`cancel` → `CancelError`).
pub fn operation_error_name(operation: &str) -> String {
    escape(format!("{}Error", operation.to_upper_camel_case()))
}

/// The request builder of an operation with optional parameters, in its service's module
/// (`create` → `CreateRequest`): it cannot meet an error type, which ends in `Error`.
pub fn request_type_name(operation: &str) -> String {
    escape(format!("{}Request", operation.to_upper_camel_case()))
}

/// The builder of a structure, beside it (`FileInfo` → `FileInfoBuilder`, `Self_` →
/// `SelfBuilder`: `Self_Builder` would trip `non_camel_case_types`).
pub fn builder_type_name(structure: &str) -> String {
    escape(format!("{}Builder", unraw(structure).trim_end_matches('_')))
}

/// The method that finishes a structure's builder: `build`, unless a field (whose setter has
/// the field's name) took it (`build2`, …).
pub fn build_method_name(fields: &[String]) -> String {
    free_name(&["build"], "build", |n| {
        fields.iter().any(|f| unraw(f) == n)
    })
}

/// Methods of the bindings' `Api` that are not services, and the methods of `Clone` and `Debug`
/// it has: a service spelled like one gets `_service`.
const HANDLE_METHODS: &[&str] = &["new", "connection", "clone", "clone_from", "fmt"];

/// The methods of the bindings' `Api` that hand out each service, given as (package, service)
/// in IR order: the service's name in snake_case, prefixed by as many package segments as make
/// it unique (`com.vmware.content.library.item.File` → `item_file` beside the sessions'
/// `File`s, `….DownloadSession` → `download_session`). A package segment spelled like a
/// service of its parent package without underscores reads as that service
/// (`….item.downloadsession.File` → `download_session_file`), as vAPI names the package of a
/// service's sub-services after it.
pub fn handle_method_names(services: &[(&str, &str)]) -> Vec<String> {
    // Every lookup below is by key, not by a scan of all services: the root's `Api` names
    // every service of the IDL, so scans made this quadratic in the size of the IDL.
    let squash = |s: &str| s.replace('_', "");
    // Package → its services in snake_case, each with its spelling without underscores, in
    // IR order (the first that matches a segment wins).
    let mut by_package: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for (package, service) in services {
        let snake = service.to_snake_case();
        let squashed = squash(&snake);
        by_package
            .entry(package)
            .or_default()
            .push((snake, squashed));
    }
    let segments: Vec<Vec<String>> = services
        .iter()
        .map(|(package, service)| {
            let parts: Vec<&str> = package.split('.').collect();
            let skip = usize::from(package.starts_with("com.vmware.")) * 2;
            let mut out: Vec<String> = (skip..parts.len())
                .map(|i| {
                    let parent = parts[..i].join(".");
                    let segment = parts[i].to_snake_case();
                    let squashed = squash(&segment);
                    by_package
                        .get(parent.as_str())
                        .into_iter()
                        .flatten()
                        .find(|(_, s)| *s == squashed)
                        .map_or(segment, |(snake, _)| snake.clone())
                })
                .collect();
            out.push(service.to_snake_case());
            out
        })
        .collect();
    // How many services end with each suffix of segments: a service's name is its shortest
    // suffix that no other service ends with.
    let mut ends_with: BTreeMap<&[String], usize> = BTreeMap::new();
    for own in &segments {
        for k in 1..=own.len() {
            *ends_with.entry(&own[own.len() - k..]).or_default() += 1;
        }
    }
    let mut names: Vec<String> = Vec::with_capacity(segments.len());
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for own in &segments {
        let unique = (1..=own.len()).find(|&k| ends_with.get(&own[own.len() - k..]) == Some(&1));
        let name = own[own.len() - unique.unwrap_or(own.len())..].join("_");
        let name = if HANDLE_METHODS.contains(&name.as_str()) {
            format!("{name}_service")
        } else {
            name
        };
        let name = escape(free_name(&[name.as_str()], &name, |n| taken.contains(n)));
        taken.insert(unraw(&name).to_owned());
        names.push(name);
    }
    names
}

/// The module holding a service's metadata and error types (`DownloadSession` →
/// `download_session`). vAPI lets a service and a sub-package share a name (the service
/// `com.vmware.content.library.Item` beside the package `com.vmware.content.library.item`), so
/// when `taken` (the package's child modules) holds the name, the service's gets `_service`; so
/// does a module spelled like the service's own trait, which a name without case gives
/// (`名前` → `名前_service` beside the trait `名前`, `3D` → `_3d_service` beside `_3d`).
pub fn service_module_name(service: &str, taken: &[String]) -> String {
    let name = value_name(service);
    if taken.iter().any(|t| unraw(t) == unraw(&name)) || unraw(&name) == unraw(&type_name(service))
    {
        format!("{}_service", unraw(&name))
    } else {
        name
    }
}

/// The vAPI identifier of a service, a wire value: its package and its name in snake_case,
/// not escaped for Rust (`com.vmware.content.library.item.download_session`, `….type`,
/// `….3d_drucker`).
pub fn service_id(package: &str, service: &str) -> String {
    format!("{package}.{}", service.to_snake_case())
}

/// The Rust module path of a vAPI package: its name without the `com.vmware` prefix, in segments.
pub fn package_module_path(package: &str) -> Vec<String> {
    thread_local! {
        /// The paths made on this thread: every reference to a type asks for the path of its
        /// package, and the case conversion costs more than the lookup.
        static PATHS: std::cell::RefCell<std::collections::BTreeMap<String, Vec<String>>> =
            const { std::cell::RefCell::new(std::collections::BTreeMap::new()) };
    }
    if let Some(path) = PATHS.with(|paths| paths.borrow().get(package).cloned()) {
        return path;
    }
    let rest = package.strip_prefix("com.vmware.").unwrap_or(package);
    let path: Vec<String> = rest.split('.').map(module_name).collect();
    PATHS.with(|paths| {
        let mut paths = paths.borrow_mut();
        // Bounded, for a process that generates from many IDLs (a fuzzer).
        if paths.len() >= 1 << 14 {
            paths.clear();
        }
        paths.insert(package.to_owned(), path.clone());
    });
    path
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
    fn handle_method_names_are_the_shortest_unique_suffix() {
        let services = [
            ("com.vmware.content.library.item", "Changes"),
            ("com.vmware.content.library.item", "DownloadSession"),
            ("com.vmware.content.library.item", "File"),
            ("com.vmware.content.library.item.downloadsession", "File"),
            ("com.vmware.content.library.item.updatesession", "File"),
            ("com.vmware.content.library.item", "UpdateSession"),
            ("com.vmware.content", "Library"),
            ("org.example", "New"),
            ("org.example", "Type"),
            ("org.other", "Type"),
            ("org.x", "FileInfo"),
            ("org.file", "Info"),
            ("org.y", "Info"),
        ];
        assert_eq!(
            handle_method_names(&services),
            [
                "changes",
                "download_session",
                "item_file",
                "download_session_file",
                "update_session_file",
                "update_session",
                "library",
                "new_service",
                "example_type",
                "other_type",
                "file_info",
                "file_info2",
                "y_info",
            ]
        );
        assert_eq!(handle_method_names(&[("a", "Type")]), ["r#type"]);
    }

    #[test]
    fn builder_names() {
        assert_eq!(request_type_name("keep_alive"), "KeepAliveRequest");
        assert_eq!(builder_type_name("FileInfo"), "FileInfoBuilder");
        assert_eq!(builder_type_name("Self_"), "SelfBuilder");
        let fields = |f: &[&str]| f.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(build_method_name(&fields(&["name", "size"])), "build");
        assert_eq!(build_method_name(&fields(&["build", "build2"])), "build3");
    }

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
            ("Größe", "Größe"),
            ("Größe.Info", "GrößeInfo"),
            ("名前", "名前"),
            ("Ölfeld3D", "Ölfeld3D"),
            ("4xx", "_4xx"),
        ];
        for (input, expected) in table {
            assert_eq!(type_name(input), expected, "{input}");
            assert!(is_identifier(expected), "{expected}");
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
            ("1st", "_1st"),
            ("größe_2", "größe_2"),
            ("名前_id", "名前_id"),
            ("çà_va", "çà_va"),
        ];
        for (input, expected) in table {
            assert_eq!(value_name(input), expected, "{input}");
            assert!(is_identifier(expected), "{expected}");
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
            ("GRÖSSE", "Grösse"),
            ("ÜBER_ALLES", "ÜberAlles"),
            ("名前", "名前"),
            ("2FA_CODE", "_2faCode"),
        ];
        for (input, expected) in table {
            assert_eq!(variant_name(input), expected, "{input}");
            assert!(is_identifier(expected), "{expected}");
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

    #[test]
    fn derived_names_of_non_ascii_and_digit_first_names() {
        let table = [
            (operation_error_name("größe"), "GrößeError"),
            (operation_error_name("名前"), "名前Error"),
            (operation_error_name("1st"), "_1stError"),
            (descriptor_name("größe"), "GRÖSSE"),
            (descriptor_name("名前"), "名前_OPERATION"),
            (descriptor_name("2"), "_2_OPERATION"),
            (descriptor_name("1st"), "_1ST"),
            (serve_fn_name("_1st"), "serve_1st"),
            (serve_fn_name("r#match"), "serve_match"),
            (serve_fn_name("miss_größe"), "serve_miss_größe"),
            (service_id("p", "3DDrucker"), "p.3d_drucker"),
            (service_id("p", "Größenmesser"), "p.größenmesser"),
            (service_id("p", "Type"), "p.type"),
            (service_id("p", "DownloadSession"), "p.download_session"),
            (service_module_name("Größe", &[]), "größe"),
            (service_module_name("名前", &[]), "名前_service"),
            (service_module_name("3D", &[]), "_3d_service"),
            (service_module_name("名前Dienst", &[]), "名前dienst_service"),
            (service_module_name("3DPrinter", &[]), "_3d_printer"),
            (id_type_name("com.vmware.x.Größe"), "GrößeId"),
            (id_type_name("com.vmware.x.3DPrinter"), "_3dPrinterId"),
            (error_type_value("Größenfehler"), "GRÖSSENFEHLER"),
            (error_type_value("404NotFound"), "404NOT_FOUND"),
        ];
        for (got, expected) in table {
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn which_wire_names_can_become_identifiers() {
        for name in ["größe", "名前", "2fa", "a1_b", "çà_va", "x_"] {
            assert!(is_snake_name(name), "{name}");
        }
        for name in [
            "Größe",
            "a-b",
            "a b",
            "🦀",
            "a🦀",
            "_a",
            "",
            "gro\u{308}sse",
            "a.b",
            "a²",
        ] {
            assert!(!is_snake_name(name), "{name}");
        }
        for name in ["Größe", "名前", "3DModel", "Ölfeld", "A_b"] {
            assert!(is_type_segment(name), "{name}");
        }
        for name in ["größe", "Grö-ße", "Crab🦀", "_A", "", "A b", "A\u{308}"] {
            assert!(!is_type_segment(name), "{name}");
        }
        for name in ["GRÖSSE", "3D", "_2", "名前"] {
            assert!(is_enumeration_value(name), "{name}");
        }
        for name in ["", "A-B", "A B", "🦀", "A\u{308}"] {
            assert!(!is_enumeration_value(name), "{name}");
        }
        for name in ["_2", "größe", "r#type", "名前"] {
            assert!(is_identifier(name), "{name}");
        }
        for name in ["_", "", "2fa", "a-b"] {
            assert!(!is_identifier(name), "{name}");
        }
    }
}
