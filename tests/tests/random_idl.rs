//! Property tests of the generator on random valid IDL (issue 6): any package drawn here loads
//! without a diagnostic, and every file generated from it (with a client and a server per
//! service) parses with `syn`; the same IDL always gives the same bytes. A sample of packages
//! drawn with fixed seeds, with the fixtures of `tests/fixtures/base`, is written as a crate and
//! checked with `cargo clippy -- -D warnings` (`cargo check` without clippy) under
//! `#![deny(warnings)]`.
//!
//! Packages hold enumerations (nested or not), structures and errors with fields of every type
//! constructor (`optional`, `list`, `set`, `map`, `id(...)`, references), resource types, and
//! services whose operations have parameters, results, errors, privileges and REST mappings
//! (path variables, query, headers, a body parameter or body fields, actions). Names come from
//! pools of hostile names (keywords, std and prelude items, the generated code's own locals and
//! generics) and random ones; names that would clash after conversion to Rust are dropped
//! while drawing, since the loader rightly refuses them. `PROPTEST_CASES` sets the number of
//! cases (64 by default).

// Helpers of tests: a panic is a failure with a message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use vapi_codegen::__private::{self, Ends, Source, load_sources};
use vapi_codegen::Layout;

const TYPES: &[&str] = &[
    "Result",
    "Option",
    "String",
    "Box",
    "Vec",
    "Default",
    "Send",
    "Sync",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
    "T",
    "S",
    "D",
    "Client",
    "Validate",
    "Type",
    "Error",
    "Future",
    "Sized",
    "Unknown",
    "Unhandled",
    "Other",
    "Iterator",
    "Fn",
    "Drop",
    "Copy",
    "From",
    "Into",
    "Größe",
    "名前",
    "3DModel",
    "4xx",
];

const SNAKE: &[&str] = &[
    "type",
    "ref",
    "self",
    "super",
    "crate",
    "gen",
    "async",
    "try",
    "await",
    "dyn",
    "fn",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "return",
    "static",
    "struct",
    "trait",
    "true",
    "false",
    "use",
    "where",
    "while",
    "yield",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "let",
    "loop",
    "in",
    "impl",
    "if",
    "for",
    "extern",
    "enum",
    "else",
    "continue",
    "const",
    "break",
    "as",
    "union",
    "safe",
    "raw",
    "macro_rules",
    "request",
    "response",
    "call",
    "service",
    "fields",
    "value",
    "e",
    "u",
    "v",
    "t",
    "f",
    "s",
    "wire",
    "tag",
    "other",
    "deserializer",
    "serializer",
    "connection",
    "a",
    "a_text",
    "type_text",
    "body",
    "new",
    "validate",
    "clone",
    "into",
    "fmt",
    "from_str",
    "into_inner",
    "to_string",
    "router",
    "client",
    "operations",
    "service_id",
    "resource_type",
    "known",
    "error_type",
    "id",
    "a1_b",
    "x1",
    "größe",
    "名前",
    "2fa",
    "1st",
];

const VALUES: &[&str] = &[
    "UNKNOWN",
    "Unknown",
    "UNRECOGNIZED",
    "OTHER",
    "OK",
    "ERR",
    "SOME",
    "NONE",
    "SELF",
    "TYPE",
    "KNOWN",
    "3D",
    "1ST",
    "_2",
    "A",
    "ACTIVE_NOW",
    "SHA256",
    "lower",
    "GRÖSSE",
    "名前",
    "4K",
];

const SEGMENTS: &[&str] = &[
    "type",
    "self",
    "super",
    "crate",
    "gen",
    "async",
    "try",
    "std",
    "serde",
    "core",
    "vapi_runtime",
    "item",
    "a1",
    "x_y",
    "r",
];

const DOCS: &[&str] = &[
    "Plain.",
    "A block comment end */ and start /*.",
    "`*/` in code, a lone ` backtick, ``double `backtick` spans``.",
    "[brackets], [a](https://example.com/a_b?c=1&d=2), [x]: https://example.com/y, [^1].",
    "A bare URL https://example.com/x_y. and (http://example.com/p), <https://example.com/q>.",
    "HTML <b>bold</b> <script>alert(\"x\")</script> <!-- c --> &amp; list<T> {braces} \\ %s.",
    "Non-ASCII: größe 名前 🦀 — \"quotes\" 'apostrophes': colons # and hashes.",
    "First line.\n\n# Not a heading\n1. not a list\n* not a bullet\n> not a quote",
    "Code:\n\n    indented code that must not run\n    fn main() { panic!() }",
    "Fenced:\n\n```rust\nfn main() { panic!(\"must not run\") }\n```\n\n~~~\ncompile_error!(\"no\");\n~~~",
    "An unclosed fence:\n```\nfn f() {}",
];

const STD_ERRORS: &[&str] = &[
    "com.vmware.vapi.std.errors.NotFound",
    "com.vmware.vapi.std.errors.InvalidArgument",
];

/// The raw material of one package: names and a stream of choices, which [`build`] turns into
/// IDL. Shrinking shortens the lists, so a failure comes down to a small package.
#[derive(Debug, Clone)]
struct Plan {
    segment: String,
    types: Vec<String>,
    snakes: Vec<String>,
    values: Vec<String>,
    choices: Vec<u32>,
}

fn random_type_name() -> impl Strategy<Value = String> {
    (
        prop::sample::select(('A'..='Z').collect::<Vec<_>>()),
        prop::collection::vec(
            prop::sample::select(('a'..='z').chain('0'..='9').collect::<Vec<_>>()),
            0..5,
        ),
    )
        .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect())
}

fn random_snake_name() -> impl Strategy<Value = String> {
    (
        prop::sample::select(('a'..='z').collect::<Vec<_>>()),
        prop::collection::vec(
            prop::sample::select(
                ('a'..='z')
                    .chain('0'..='9')
                    .chain(['_'])
                    .collect::<Vec<_>>(),
            ),
            0..6,
        ),
    )
        .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect())
}

fn random_value_name() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(
            ('A'..='Z')
                .chain('0'..='9')
                .chain(['_'])
                .collect::<Vec<_>>(),
        ),
        1..6,
    )
    .prop_map(|chars| {
        let mut name: String = chars.into_iter().collect();
        if !name.chars().any(|c| c.is_ascii_alphanumeric()) {
            name.push('X');
        }
        name
    })
}

fn pooled(
    pool: &'static [&'static str],
    random: impl Strategy<Value = String>,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(pool).prop_map(str::to_owned),
            1 => random,
        ],
        len,
    )
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        prop::sample::select(SEGMENTS),
        pooled(TYPES, random_type_name(), 2..14),
        pooled(SNAKE, random_snake_name(), 4..40),
        pooled(VALUES, random_value_name(), 1..12),
        prop::collection::vec(any::<u32>(), 64..256),
    )
        .prop_map(|(segment, types, snakes, values, choices)| Plan {
            segment: segment.to_owned(),
            types,
            snakes,
            values,
            choices,
        })
}

/// A conservative key for "would these two names clash in Rust": case and `_` ignored.
fn key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '.')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `name` with its non-ASCII bytes percent-encoded, for a REST path.
fn encoded(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Choices drawn from the plan's stream; zeros once it runs out.
struct Draw<'a> {
    choices: &'a [u32],
    at: usize,
}

impl Draw<'_> {
    fn below(&mut self, n: usize) -> usize {
        let value = self.choices.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        if n == 0 { 0 } else { value as usize % n }
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'p, T>(&mut self, items: &'p [T]) -> &'p T {
        &items[self.below(items.len())]
    }
}

/// Names of one namespace, kept apart by [`key`].
struct Names {
    pool: Vec<String>,
    next: usize,
    taken: BTreeSet<String>,
}

impl Names {
    fn new(pool: &[String]) -> Self {
        Names {
            pool: pool.to_vec(),
            next: 0,
            taken: BTreeSet::new(),
        }
    }

    /// The next name of the pool whose key is free in `scope` (and here), if any is left.
    fn take(&mut self, scope: &mut BTreeSet<String>) -> Option<String> {
        while self.next < self.pool.len() {
            let name = self.pool[self.next].clone();
            self.next += 1;
            let k = key(&name);
            if !scope.contains(&k) && !self.taken.contains(&k) {
                scope.insert(k);
                return Some(name);
            }
        }
        None
    }

    fn reserve(&mut self, name: &str) -> bool {
        self.taken.insert(key(name))
    }
}

fn q(text: &str) -> String {
    // JSON strings are YAML double-quoted scalars.
    serde_json::to_string(text).unwrap()
}

/// The IDL types a field or parameter can have, built from what the package declares.
struct Scope {
    package: String,
    resources: Vec<String>,
    enums: Vec<String>,
    structs: Vec<String>,
}

impl Scope {
    fn scalar(&self, d: &mut Draw<'_>) -> String {
        let mut options = vec!["string".to_owned(), "long".to_owned(), "boolean".to_owned()];
        options.push("id".to_owned());
        for r in &self.resources {
            options.push(format!("id({r})"));
        }
        options.extend(self.enums.iter().cloned());
        d.pick(&options).clone()
    }

    fn set_member(&self, d: &mut Draw<'_>) -> String {
        let mut options: Vec<String> = ["string", "long", "boolean", "uri", "datetime", "id"]
            .map(str::to_owned)
            .to_vec();
        options.extend(self.resources.iter().map(|r| format!("id({r})")));
        options.extend(self.enums.iter().cloned());
        d.pick(&options).clone()
    }

    fn map_key(&self, d: &mut Draw<'_>) -> String {
        let mut options = vec!["string".to_owned(), "id".to_owned()];
        options.extend(self.resources.iter().map(|r| format!("id({r})")));
        options.extend(self.enums.iter().cloned());
        d.pick(&options).clone()
    }

    /// Any type but `optional`; structures only among `structs_below` (those declared before,
    /// so that no structure holds itself by value).
    fn any(&self, d: &mut Draw<'_>, depth: usize, structs_below: usize) -> String {
        let compound = if depth < 2 { d.below(10) } else { 9 };
        match compound {
            0 => format!("list<{}>", self.any(d, depth + 1, self.structs.len())),
            1 => format!("set<{}>", self.set_member(d)),
            2 => format!(
                "map<{}, {}>",
                self.map_key(d),
                self.any(d, depth + 1, self.structs.len())
            ),
            _ => {
                let mut options: Vec<String> = [
                    "string",
                    "long",
                    "double",
                    "boolean",
                    "datetime",
                    "uri",
                    "binary",
                    "secret",
                    "dynamic_structure",
                    "id",
                ]
                .map(str::to_owned)
                .to_vec();
                options.extend(self.resources.iter().map(|r| format!("id({r})")));
                if self.resources.len() >= 2 {
                    options.push(format!("id({}, {})", self.resources[0], self.resources[1]));
                }
                options.extend(self.enums.iter().cloned());
                options.extend(self.structs[..structs_below].iter().cloned());
                if structs_below > 0 && d.chance(20) {
                    // A structure by its full name, as other packages write it.
                    let s = &self.structs[d.below(structs_below)];
                    return format!("{}.{s}", self.package);
                }
                d.pick(&options).clone()
            }
        }
    }

    fn top(&self, d: &mut Draw<'_>, structs_below: usize) -> String {
        let ty = self.any(d, 0, structs_below);
        if d.chance(40) {
            format!("optional<{ty}>")
        } else {
            ty
        }
    }
}

/// One package of IDL (YAML text) from a plan, valid by construction.
fn build(plan: &Plan) -> (String, String) {
    let mut d = Draw {
        choices: &plan.choices,
        at: 0,
    };
    let package = format!("com.vmware.prop.{}", plan.segment);
    let mut types = Names::new(&plan.types);
    let mut type_keys: BTreeSet<String> = BTreeSet::new();
    let doc = |d: &mut Draw<'_>| q(d.pick::<&str>(DOCS));
    let mut y = String::new();
    writeln!(y, "package: {}", q(&package)).unwrap();
    writeln!(y, "doc: {}", doc(&mut d)).unwrap();

    // Declarations first, so that their names are known to the types that follow.
    let mut structs = Vec::new();
    for _ in 0..1 + d.below(4) {
        if let Some(name) = types.take(&mut type_keys) {
            structs.push(name);
        }
    }
    let mut errors = Vec::new();
    for _ in 0..d.below(3) {
        if let Some(name) = types.take(&mut type_keys) {
            errors.push(name);
        }
    }
    let mut services = Vec::new();
    for _ in 0..d.below(3) {
        if let Some(name) = types.take(&mut type_keys) {
            // The service's id type `<Name>Id` is a type too.
            if type_keys.insert(key(&format!("{name}Id"))) {
                services.push((name, d.chance(60)));
            }
        }
    }
    let mut resources = Vec::new();
    let mut owned = Vec::new();
    for _ in 0..d.below(3) {
        if let Some(name) = types.take(&mut type_keys)
            && type_keys.insert(key(&format!("{name}Id")))
        {
            resources.push(format!("{package}.{name}"));
            owned.push(name);
        }
    }
    for (name, has_resource) in &services {
        if *has_resource {
            resources.push(format!("{package}.{name}"));
        }
    }
    let mut enums = Vec::new();
    for _ in 0..d.below(4) {
        let Some(leaf) = types.take(&mut type_keys) else {
            break;
        };
        // Some enumerations are nested in a structure or service: `Owner.Leaf`.
        let owners: Vec<&String> = structs
            .iter()
            .chain(services.iter().map(|(n, _)| n))
            .collect();
        if d.chance(40) && !owners.is_empty() {
            let owner = (*d.pick(&owners)).clone();
            let nested = format!("{owner}.{leaf}");
            if type_keys.insert(key(&nested)) {
                enums.push(nested);
                continue;
            }
        }
        enums.push(leaf);
    }
    let scope = Scope {
        package: package.clone(),
        resources,
        enums: enums.clone(),
        structs: structs.clone(),
    };

    let snakes = &plan.snakes;
    let mut values = Names::new(&plan.values);

    if !owned.is_empty() {
        writeln!(y, "resource_types:").unwrap();
        for name in &owned {
            writeln!(y, "  - {{ name: {}, doc: {} }}", q(name), doc(&mut d)).unwrap();
        }
    }
    if !enums.is_empty() {
        writeln!(y, "enumerations:").unwrap();
        for e in &enums {
            writeln!(
                y,
                "  - name: {}\n    doc: {}\n    values:",
                q(e),
                doc(&mut d)
            )
            .unwrap();
            let mut keys = BTreeSet::new();
            values.next = d.below(values.pool.len());
            values.taken.clear();
            let mut any = false;
            for _ in 0..1 + d.below(5) {
                if let Some(v) = values.take(&mut keys) {
                    writeln!(y, "      - {{ name: {}, doc: {} }}", q(&v), doc(&mut d)).unwrap();
                    any = true;
                }
            }
            if !any {
                writeln!(y, "      - {{ name: \"FALLBACK\", doc: \"F.\" }}").unwrap();
            }
        }
    }
    let fields = |d: &mut Draw<'_>, y: &mut String, reserved: &[&str], below: usize| {
        let mut names = Names::new(snakes);
        names.next = d.below(snakes.len());
        for r in reserved {
            names.reserve(r);
        }
        let mut keys = BTreeSet::new();
        let count = d.below(7);
        if count == 0 {
            writeln!(y, "    fields: []").unwrap();
            return;
        }
        writeln!(y, "    fields:").unwrap();
        for _ in 0..count {
            if let Some(f) = names.take(&mut keys) {
                let ty = scope.top(d, below);
                writeln!(
                    y,
                    "      - {{ name: {}, type: {}, doc: {} }}",
                    q(&f),
                    q(&ty),
                    doc(d)
                )
                .unwrap();
            }
        }
    };
    writeln!(y, "structures:").unwrap();
    for (i, s) in structs.iter().enumerate() {
        writeln!(y, "  - name: {}\n    doc: {}", q(s), doc(&mut d)).unwrap();
        fields(&mut d, &mut y, &[], i);
    }
    if !errors.is_empty() {
        writeln!(y, "errors:").unwrap();
        for e in &errors {
            writeln!(y, "  - name: {}\n    doc: {}", q(e), doc(&mut d)).unwrap();
            if d.chance(50) {
                writeln!(y, "    extends: \"com.vmware.vapi.std.errors.Error\"").unwrap();
                fields(&mut d, &mut y, &["messages", "data"], structs.len());
            } else {
                fields(&mut d, &mut y, &[], structs.len());
            }
        }
    }
    if !services.is_empty() {
        writeln!(y, "services:").unwrap();
    }
    for (s, has_resource) in &services {
        writeln!(y, "  - name: {}\n    doc: {}", q(s), doc(&mut d)).unwrap();
        if *has_resource {
            writeln!(y, "    resource_type: {}", q(&format!("{package}.{s}"))).unwrap();
        }
        let mut ops = Names::new(snakes);
        ops.next = d.below(snakes.len());
        let mut op_keys = BTreeSet::new();
        let count = d.below(5);
        if count == 0 {
            writeln!(y, "    operations: []").unwrap();
            continue;
        }
        writeln!(y, "    operations:").unwrap();
        for _ in 0..count {
            let Some(op) = ops.take(&mut op_keys) else {
                break;
            };
            // `SERVICE_ID` and `SERVICE_ID_OPERATION` would both be taken.
            if op.ends_with("_operation") {
                continue;
            }
            operation(&mut d, &mut y, &scope, snakes, &errors, s, &op, doc);
        }
    }
    let path = format!("com/vmware/prop/{}.yaml", plan.segment);
    (path, y)
}

#[allow(clippy::too_many_arguments)]
fn operation(
    d: &mut Draw<'_>,
    y: &mut String,
    scope: &Scope,
    snakes: &[String],
    errors: &[String],
    service: &str,
    op: &str,
    doc: impl Fn(&mut Draw<'_>) -> String,
) {
    writeln!(y, "      - name: {}\n        doc: {}", q(op), doc(d)).unwrap();
    let rest = d.chance(85);
    let method = *d.pick(&["GET", "POST", "PUT", "PATCH", "DELETE"]);
    let bodiless = matches!(method, "GET" | "DELETE");
    let mut names = Names::new(snakes);
    names.next = d.below(snakes.len());
    let mut keys = BTreeSet::new();
    // (name, type, scalar)
    let mut params: Vec<(String, String, bool)> = Vec::new();
    for _ in 0..d.below(5) {
        let Some(p) = names.take(&mut keys) else {
            break;
        };
        let scalar = bodiless || d.chance(40);
        let ty = if scalar {
            let t = scope.scalar(d);
            if d.chance(30) {
                format!("optional<{t}>")
            } else {
                t
            }
        } else {
            scope.top(d, scope.structs.len())
        };
        params.push((p, ty, scalar));
    }
    if !params.is_empty() {
        writeln!(y, "        params:").unwrap();
        for (p, ty, _) in &params {
            writeln!(
                y,
                "          - {{ name: {}, type: {}, doc: {} }}",
                q(p),
                q(ty),
                doc(d)
            )
            .unwrap();
        }
    }
    if d.chance(60) {
        let ty = scope.top(d, scope.structs.len());
        writeln!(y, "        result: {{ type: {}, doc: {} }}", q(&ty), doc(d)).unwrap();
    }
    let mut listed: Vec<String> = Vec::new();
    for _ in 0..d.below(4) {
        let mut all: Vec<String> = errors.to_vec();
        all.extend(STD_ERRORS.iter().map(|s| (*s).to_owned()));
        let e = d.pick(&all).clone();
        if !listed.contains(&e) {
            listed.push(e);
        }
    }
    if !listed.is_empty() {
        writeln!(y, "        errors:").unwrap();
        for e in &listed {
            writeln!(y, "          - {{ error: {}, when: {} }}", q(e), doc(d)).unwrap();
        }
    }
    if d.chance(30) {
        writeln!(
            y,
            "        privileges:\n          - {{ privileges: [System.Read] }}"
        )
        .unwrap();
    }
    if !rest {
        return;
    }
    // REST paths are ASCII: a non-ASCII name is percent-encoded in them.
    let mut path = format!("/prop/{}/{}", encoded(&key(service)), encoded(op));
    let mut path_params = Vec::new();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut rest_params = Vec::new();
    for (p, ty, scalar) in &params {
        let required = !ty.starts_with("optional<");
        if *scalar && required && d.chance(40) {
            let var = format!("v{}", path_params.len());
            path.push_str(&format!("/{{{var}}}"));
            path_params.push((var, p.clone()));
        } else if *scalar && (bodiless || d.chance(50)) {
            if d.chance(70) || !p.is_ascii() {
                let name = if d.chance(10) {
                    format!("grö ße&{p}=1")
                } else {
                    p.clone()
                };
                query.push((name, p.clone()));
            } else {
                headers.push((format!("X-{p}"), p.clone()));
            }
        } else {
            rest_params.push(p.clone());
        }
    }
    let pairs = |list: &[(String, String)]| {
        list.iter()
            .map(|(k, v)| format!("{}: {}", q(k), q(v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    write!(y, "        rest: {{ method: {method}, path: {}", q(&path)).unwrap();
    if !path_params.is_empty() {
        write!(y, ", path_params: {{ {} }}", pairs(&path_params)).unwrap();
    }
    if !query.is_empty() {
        write!(y, ", query: {{ {} }}", pairs(&query)).unwrap();
    }
    if !headers.is_empty() {
        write!(y, ", headers: {{ {} }}", pairs(&headers)).unwrap();
    }
    if rest_params.len() == 1 && d.chance(50) {
        write!(y, ", body: {}", q(&rest_params[0])).unwrap();
    }
    if d.chance(30) {
        write!(
            y,
            ", action: {}",
            q(d.pick::<&str>(&["match", "keep-alive", "a_b"]))
        )
        .unwrap();
    }
    writeln!(y, " }}").unwrap();
}

fn std_errors() -> Source {
    let path = "com/vmware/vapi/std/errors.yaml";
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/base")
        .join(path);
    Source {
        path: path.to_owned(),
        text: std::fs::read_to_string(file).unwrap(),
    }
}

const ENDS: Ends = Ends {
    client: true,
    server: true,
    feature_gates: false,
};

/// Loads the package, generates it with both ends and parses every file.
fn check_plan(plan: &Plan) -> Result<(), TestCaseError> {
    let (path, text) = build(plan);
    let sources = [
        std_errors(),
        Source {
            path: path.clone(),
            text: text.clone(),
        },
    ];
    let model = load_sources(&sources)
        .map_err(|d| TestCaseError::fail(format!("{d}\nin the drawn IDL {path}:\n{text}")))?;
    let generate = || {
        __private::files(
            &model,
            &[],
            &Layout::ModulePerFile,
            ENDS,
            "// @generated",
            true,
        )
    };
    let files = generate().map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    for (name, code) in &files {
        if let Err(e) = syn::parse_file(code) {
            return Err(TestCaseError::fail(format!(
                "{name} does not parse: {e}\n{code}\nfrom:\n{text}"
            )));
        }
    }
    let again = generate().map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&files, &again, "the same IDL gave other bytes");
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn random_valid_idl_loads_and_generates_rust_that_parses(plan in plan()) {
        check_plan(&plan)?;
    }
}

/// The plan drawn for a fixed seed.
fn seeded_plan(seed: u8) -> Plan {
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    plan().new_tree(&mut runner).unwrap().current()
}

#[test]
fn seeded_plans_are_reproducible_and_load() {
    for seed in 0..8 {
        let plan = seeded_plan(seed);
        assert_eq!(build(&plan), build(&seeded_plan(seed)), "seed {seed}");
        check_plan(&plan).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

/// The seeds of the packages compiled by [`a_sample_compiles`]: their segments differ.
fn sample_plans() -> Vec<Plan> {
    let mut plans: Vec<Plan> = Vec::new();
    for seed in 0..=u8::MAX {
        let plan = seeded_plan(seed);
        if plans.iter().all(|p| p.segment != plan.segment) {
            plans.push(plan);
        }
        if plans.len() == 6 {
            break;
        }
    }
    plans
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A sample compiles: six packages drawn with fixed seeds and the fixtures of
/// `tests/fixtures/base` (hostile names included), generated as `cargo run -p vapi-codegen`
/// generates `vapi-bindings` (a file per module, client and server behind features), are a
/// crate that `cargo clippy -- -D warnings` (or `cargo check`, without clippy) accepts under
/// `#![deny(warnings)]`. The crate shares the
/// workspace's target directory and lock file, so that only the generated code is compiled.
#[test]
fn a_sample_compiles() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("random-idl-sample");
    let _ = std::fs::remove_dir_all(&tmp);
    let idl = tmp.join("idl");
    copy_dir(&workspace.join("tests/fixtures/base"), &idl);
    for plan in sample_plans() {
        let (path, text) = build(&plan);
        let file = idl.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    let mut config = vapi_codegen::Config::checked_in();
    config.idl_dir(&idl).out_dir(tmp.join("src"));
    config.write().unwrap_or_else(|e| panic!("{e}"));
    let lib = tmp.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();
    let text = text.replacen(
        "#![deny(missing_docs)]",
        "#![deny(missing_docs)]\n#![deny(warnings)]",
        1,
    );
    assert!(text.contains("#![deny(warnings)]"), "{text}");
    std::fs::write(&lib, text).unwrap();
    let runtime = workspace.join("runtime").canonicalize().unwrap();
    let manifest = format!(
        r#"[package]
name = "vapi-random-idl-sample"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
serde = {{ version = "1", features = ["derive"] }}
vapi-runtime = {{ path = {runtime:?} }}

# Features the workspace turns on in these shared dependencies (through its other crates and
# their dev-dependencies): with them, the check reuses the dependencies the workspace has
# compiled instead of building second copies (about ten small ones are built all the same). If
# they drift, the test only gets slower.
tokio = {{ version = "1", default-features = false, features = ["rt-multi-thread", "signal"] }}
futures-util = {{ version = "0.3", default-features = false, features = ["std"] }}
reqwest = {{ version = "0.12", default-features = false, features = ["json"] }}
bitflags = {{ version = "2", features = ["std"] }}

[features]
client = ["vapi-runtime/client"]
server = ["vapi-runtime/server"]

[workspace]
"#,
        runtime = runtime.display().to_string()
    );
    std::fs::write(tmp.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(workspace.join("Cargo.lock"), tmp.join("Cargo.lock")).unwrap();
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_owned();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Clippy where it is installed (CI installs it), as for the checked-in bindings: a name can
    // trip a lint as well as the compiler. Its dependencies are checked as `cargo check` would.
    let clippy = Command::new(&cargo)
        .args(["clippy", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let mut args = vec![
        if clippy { "clippy" } else { "check" },
        "--offline",
        "--quiet",
        "--all-features",
        "--lib",
    ];
    if clippy {
        args.extend(["--", "-D", "warnings"]);
    }
    let output = Command::new(&cargo)
        .args(&args)
        .current_dir(&tmp)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the sample crate in {} does not compile:\n{stderr}",
        tmp.display()
    );
}
