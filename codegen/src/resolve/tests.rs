//! Resolver tests that need several files or several places in one diagnostic.

use crate::diag::Diagnostic;
use crate::load::{Source, load_sources};

fn diagnostics(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let sources: Vec<Source> = files
        .iter()
        .map(|(path, text)| Source {
            path: (*path).to_owned(),
            text: (*text).to_owned(),
        })
        .collect();
    match load_sources(&sources) {
        Ok(_) => Vec::new(),
        Err(d) => d.into_vec(),
    }
}

/// Asserts that one diagnostic is at `at`, points at `first` and names both `names`.
fn assert_clash(diags: &[Diagnostic], at: &str, first: &str, names: [&str; 2]) {
    let found = diags.iter().find(|d| d.loc().to_string() == at);
    let Some(d) = found else {
        panic!("no diagnostic at {at}: {diags:#?}");
    };
    let related = d.related.as_ref().map(|r| r.0.to_string());
    assert_eq!(related.as_deref(), Some(first), "{d}");
    for name in names {
        assert!(d.message.contains(&format!("`{name}`")), "{name}: {d}");
    }
}

const HEAD: &str = "package: com.vmware.a\ndoc: A.\n";

#[test]
fn names_that_clash_in_rust_name_both_places() {
    let text = format!(
        "{HEAD}enumerations:
  - name: Mode
    doc: Modes.
    values:
      - {{ name: UNKNOWN, doc: U. }}
      - {{ name: Unknown, doc: Mixed case. }}
structures:
  - name: Self
    doc: S.
    fields:
      - {{ name: self, type: string, doc: S. }}
      - {{ name: self_, type: string, doc: Also self_. }}
  - name: Self_
    doc: Also Self_.
    fields: []
services:
  - name: Svc
    doc: S.
    operations:
      - name: a1b
        doc: A.
        params:
          - {{ name: x, type: string, doc: X. }}
          - {{ name: x_, type: string, doc: Also x. }}
      - name: a_1b
        doc: Both are A1bError.
      - name: service_id
        doc: Its constant moves to SERVICE_ID_OPERATION.
      - name: service_id_operation
        doc: Which this one has.
"
    );
    let diags = diagnostics(&[("com/vmware/a.yaml", &text)]);
    let f = "com/vmware/a.yaml";
    assert_clash(
        &diags,
        &format!("{f}:8:17"),
        &format!("{f}:7:17"),
        ["Unknown", "UNKNOWN"],
    );
    assert_clash(
        &diags,
        &format!("{f}:14:17"),
        &format!("{f}:13:17"),
        ["self_", "self"],
    );
    assert_clash(
        &diags,
        &format!("{f}:15:11"),
        &format!("{f}:10:11"),
        ["Self_", "Self"],
    );
    assert_clash(
        &diags,
        &format!("{f}:26:21"),
        &format!("{f}:25:21"),
        ["x_", "x"],
    );
    assert_clash(
        &diags,
        &format!("{f}:27:15"),
        &format!("{f}:22:15"),
        ["a_1b", "a1b"],
    );
    assert_clash(
        &diags,
        &format!("{f}:31:15"),
        &format!("{f}:29:15"),
        ["service_id_operation", "service_id"],
    );
    assert_eq!(diags.len(), 6, "{diags:#?}");
}

#[test]
fn services_and_packages_that_share_a_module_name_both_places() {
    let parent = format!(
        "{HEAD}services:
  - name: Item
    doc: Its module would be `item`, a package's; `item_service` is taken too.
    operations: []
  - name: ItemService2
    doc: I.
    operations: []
  - name: Item_Service2
    doc: Both are `item_service2`.
    operations: []
"
    );
    let child = "package: com.vmware.a.item\ndoc: C.\n";
    let taken = "package: com.vmware.a.item_service\ndoc: T.\n";
    let twin = "package: com.vmware.a.item_service_\ndoc: The module of item_service.\n";
    let short = "package: a\ndoc: The module of com.vmware.a.\n";
    let diags = diagnostics(&[
        ("com/vmware/a.yaml", &parent),
        ("com/vmware/a/item.yaml", child),
        ("com/vmware/a/item_service.yaml", taken),
        ("com/vmware/a/item_service_.yaml", twin),
        ("a.yaml", short),
    ]);
    let f = "com/vmware/a.yaml";
    assert_clash(
        &diags,
        &format!("{f}:4:11"),
        "com/vmware/a/item_service.yaml:1:10",
        ["Item", "com.vmware.a.item_service"],
    );
    assert_clash(
        &diags,
        &format!("{f}:10:11"),
        &format!("{f}:7:11"),
        ["Item_Service2", "ItemService2"],
    );
    assert_clash(
        &diags,
        "com/vmware/a/item_service_.yaml:1:10",
        "com/vmware/a/item_service.yaml:1:10",
        ["com.vmware.a.item_service_", "com.vmware.a.item_service"],
    );
    assert_clash(
        &diags,
        "com/vmware/a.yaml:1:10",
        "a.yaml:1:10",
        ["com.vmware.a", "a"],
    );
    assert_eq!(diags.len(), 4, "{diags:#?}");
}

#[test]
fn a_service_beside_a_deeper_package_moves_aside() {
    let parent = format!(
        "{HEAD}services:
  - name: B
    doc: Beside the module `b` that `a.b.c` makes.
    operations: []
"
    );
    let deep = "package: com.vmware.a.b.c\ndoc: C.\n";
    let sources = [
        ("com/vmware/a.yaml", parent.as_str()),
        ("com/vmware/a/b/c.yaml", deep),
    ];
    let sources: Vec<Source> = sources
        .iter()
        .map(|(p, t)| Source {
            path: (*p).to_owned(),
            text: (*t).to_owned(),
        })
        .collect();
    let model = load_sources(&sources).unwrap_or_else(|e| panic!("{e}"));
    let a = model
        .package("com.vmware.a")
        .unwrap_or_else(|| panic!("no a"));
    assert_eq!(a.services[0].module, "b_service");
}

#[test]
fn operations_a_request_cannot_tell_apart_name_both_places() {
    let text = format!(
            "{HEAD}services:
  - name: Svc
    doc: S.
    operations:
      - name: list
        doc: L.
        rest: {{ method: GET, path: '/a/{{x}}', path_params: {{ x: x }} }}
        params: [{{ name: x, type: string, doc: X. }}]
      - name: get
        doc: A required query parameter tells it apart.
        rest: {{ method: GET, path: '/a/{{y}}', path_params: {{ y: y }}, query: {{ name: name }} }}
        params: [{{ name: y, type: string, doc: Y. }}, {{ name: name, type: string, doc: N. }}]
      - name: find
        doc: An optional one does not.
        rest: {{ method: GET, path: '/a/{{z}}', path_params: {{ z: z }}, query: {{ q: q }} }}
        params: [{{ name: z, type: string, doc: Z. }}, {{ name: q, type: optional<string>, doc: Q. }}]
      - name: post
        doc: Another method is another route.
        rest: {{ method: POST, path: '/a/{{z}}', path_params: {{ z: z }} }}
        params: [{{ name: z, type: string, doc: Z. }}]
"
        );
    let diags = diagnostics(&[("com/vmware/a.yaml", &text)]);
    let f = "com/vmware/a.yaml";
    assert_clash(
        &diags,
        &format!("{f}:17:36"),
        &format!("{f}:9:36"),
        ["find", "list"],
    );
    assert_eq!(diags.len(), 1, "{diags:#?}");
}

#[test]
fn a_rest_path_is_written_as_it_is_sent() {
    let text = format!(
        "{HEAD}services:
  - name: Svc
    doc: S.
    operations:
      - name: get
        doc: G.
        params: [{{ name: x, type: string, doc: X. }}]
        rest: {{ method: GET, path: '/a/{{x}}/größe', path_params: {{ x: x }} }}
      - name: find
        doc: F.
        rest: {{ method: GET, path: '/a/two words' }}
      - name: list
        doc: Percent-encoded is fine.
        rest: {{ method: GET, path: '/a/gr%C3%B6%C3%9Fe' }}
"
    );
    let diags = diagnostics(&[("com/vmware/a.yaml", &text)]);
    let f = "com/vmware/a.yaml";
    let at: Vec<String> = diags
        .iter()
        .map(|d| format!("{}: {}", d.loc(), d.message))
        .collect();
    assert!(
        at.contains(&format!(
            "{f}:10:46: `ö` cannot be written as is in a REST path"
        )),
        "{at:#?}"
    );
    assert!(
        at.contains(&format!(
            "{f}:13:43: ` ` cannot be written as is in a REST path"
        )),
        "{at:#?}"
    );
    assert_eq!(
        at.iter().filter(|a| a.contains("REST path")).count(),
        2,
        "{at:#?}"
    );
}

/// Non-ASCII names and names starting with a digit are wire names like any other: the wire
/// keeps them as written and the Rust name is derived (`größe`, `_2fa`, `_3dModel`).
#[test]
fn non_ascii_and_digit_first_names_load() {
    let text = format!(
            "{HEAD}resource_types:
  - {{ name: 3DDrucker, doc: D. }}
structures:
  - {{ name: Größe, doc: G., fields: [] }}
  - name: 3DModel
    doc: M.
    fields:
      - {{ name: größe, type: string, doc: G. }}
      - {{ name: 2fa, type: string, doc: T. }}
      - {{ name: 名前, type: optional<Mode>, doc: N. }}
errors:
  - {{ name: Größenfehler, doc: G., fields: [] }}
services:
  - name: 名前Dienst
    doc: S.
    resource_type: com.vmware.a.Ölfeld
    operations:
      - name: 名前
        doc: N.
        params: [{{ name: ä, type: string, doc: A. }}, {{ name: größe, type: long, doc: G. }}]
        errors: [{{ error: Größenfehler, when: G. }}]
        rest: {{ method: GET, path: \"/x/{{a}}\", path_params: {{ a: ä }}, query: {{ größe: größe }} }}
      - {{ name: 1st, doc: F., params: [{{ name: 2nd, type: string, doc: S. }}] }}
enumerations:
  - name: Mode
    doc: M.
    values: [{{ name: GRÖSSE, doc: G. }}, {{ name: 3D, doc: D. }}, {{ name: 名前, doc: N. }}]
"
        );
    let diags = diagnostics(&[("com/vmware/a.yaml", &text)]);
    assert!(diags.is_empty(), "{diags:#?}");
}

/// Names that no case conversion makes an identifier (`-`, spaces, emoji, punctuation, a
/// combining mark apart from its letter) are refused where they are written, and names
/// that only differ before conversion clash.
#[test]
fn names_that_cannot_be_identifiers_are_located_errors() {
    let text = format!(
        "{HEAD}structures:
  - {{ name: Grö-ße, doc: G., fields: [] }}
  - name: Crab
    doc: C.
    fields:
      - {{ name: \"a b\", type: string, doc: A. }}
      - {{ name: krabbe🦀, type: string, doc: K. }}
      - {{ name: \"gro\\u0308sse\", type: string, doc: NFD. }}
      - {{ name: größe, type: string, doc: G. }}
      - {{ name: größe_, type: string, doc: Clashes with größe. }}
services:
  - name: Svc
    doc: S.
    operations:
      - name: na.me
        doc: N.
        params: [{{ name: _2, type: string, doc: A. }}]
enumerations:
  - name: Mode
    doc: M.
    values: [{{ name: GRÖ-SSE, doc: G. }}, {{ name: 🦀, doc: C. }}]
"
    );
    let diags = diagnostics(&[("com/vmware/a.yaml", &text)]);
    let at: Vec<String> = diags
        .iter()
        .map(|d| format!("{}: {}", d.loc(), d.message))
        .collect();
    let f = "com/vmware/a.yaml";
    for expected in [
        format!("{f}:4:13: `Grö-ße` is not a type name"),
        format!("{f}:8:17: `a b` is not a field name"),
        format!("{f}:9:17: `krabbe🦀` is not a field name"),
        format!("{f}:10:17: `gro\u{308}sse` is not a field name"),
        format!("{f}:17:15: `na.me` is not an operation name"),
        format!("{f}:19:26: `_2` is not a parameter name"),
    ] {
        assert!(at.contains(&expected), "{expected}: {at:#?}");
    }
    assert_clash(
        &diags,
        &format!("{f}:12:17"),
        &format!("{f}:11:17"),
        ["größe_", "größe"],
    );
    for value in ["`GRÖ-SSE`", "`🦀`"] {
        assert!(
            at.iter()
                .any(|a| a.contains(value) && a.contains("is not an enumeration value")),
            "{value}: {at:#?}"
        );
    }
    assert_eq!(at.len(), 9, "{at:#?}");
}

#[test]
fn a_header_name_is_an_http_token() {
    let text = format!(
        "{HEAD}services:
  - name: Svc
    doc: S.
    operations:
      - name: größe
        doc: G.
        params: [{{ name: größe, type: string, doc: G. }}, {{ name: b, type: string, doc: B. }}]
        rest: {{ method: GET, path: /g, headers: {{ X-Größe: größe, X-B: b }} }}
"
    );
    let diags = diagnostics(&[("com/vmware/a.yaml", &text)]);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].loc().to_string(), "com/vmware/a.yaml:10:51");
    assert!(diags[0].message.contains("`X-Größe`"), "{}", diags[0]);
}

#[test]
fn an_enumeration_value_needs_a_letter_or_a_digit() {
    let text = format!(
        "{HEAD}enumerations:
  - name: Mode
    doc: Modes.
    values:
      - {{ name: _, doc: Nothing to name a variant by. }}
      - {{ name: _1, doc: Fine. }}
"
    );
    let diags = diagnostics(&[("com/vmware/a.yaml", &text)]);
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].loc().to_string(), "com/vmware/a.yaml:7:17");
    assert!(
        diags[0].message.contains("needs a letter or a digit"),
        "{}",
        diags[0]
    );
}
