//! Phase 3b, doc references: the markup of doc text (`idl/README.md`, "Doc markup") checked
//! against the resolved model, then resolved in it.
//!
//! [`check`] runs over the decoded files, which know where each doc was written, and reports
//! every unknown reference, term or tag at its `file:line:col`; [`resolve`] then rewrites the
//! model's doc text so that each `{@link Ref}` names its Rust module and item (`{@rust
//! content::library::item FileInfo::version}`) and each `{@privileges}` holds
//! the operation's privileges. [`crate::docs`] renders what is left for rustdoc. Both passes
//! look references up in one [`Targets`] table, so what the check accepts the rewrite resolves.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::diag::{Diagnostic, Pos, did_you_mean};
use crate::idl::ast;
use crate::idl::load::Source;
use crate::ir::{Model, Operation, Package, PrivilegeScope, Text};

/// The markup tokens `{@…}` of doc text, as the IDL and the `doc_refs` pass write them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Markup<'a> {
    /// `{@link Ref}`: a reference to an IDL element, as written.
    Link(&'a str),
    /// `{@term unset}`, `{@term true}`, `{@term false}`.
    Term(&'a str),
    /// `{@privileges}`: the operation's privileges.
    Privileges,
    /// `{@rust module item}`: a resolved reference (written by the `doc_refs` pass only).
    Rust {
        /// The module of the item, from the bindings' root: `content::library::item`.
        module: &'a str,
        /// The item in it, which the link shows: `FileInfo::version`.
        item: &'a str,
    },
    /// Anything else between `{@` and `}`: the text inside the braces.
    Unknown(&'a str),
}

/// The terms `{@term …}` knows, with their Rust rendering.
pub const TERMS: [(&str, &str); 3] = [
    ("unset", "`None`"),
    ("true", "`true`"),
    ("false", "`false`"),
];

/// Splits `text` at its markup: each `{@…}` token with its byte range. A `{@` with no closing
/// `}` on the same text is not markup.
pub fn markup(text: &str) -> Vec<(std::ops::Range<usize>, Markup<'_>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("{@").map(|i| from + i) {
        let Some(end) = text[start..].find('}').map(|i| start + i + 1) else {
            break;
        };
        let inner = &text[start + 2..end - 1];
        let (tag, arg) = inner
            .split_once(char::is_whitespace)
            .map_or((inner, ""), |(t, a)| (t, a.trim()));
        let token = match tag {
            "link" if !arg.is_empty() && !arg.contains(char::is_whitespace) => Markup::Link(arg),
            "term" if !arg.is_empty() => Markup::Term(arg),
            "privileges" if arg.is_empty() => Markup::Privileges,
            "rust" => match arg.split_once(' ') {
                Some((module, item)) => Markup::Rust { module, item },
                None => Markup::Unknown(inner),
            },
            _ => Markup::Unknown(inner),
        };
        out.push((start..end, token));
        from = end;
    }
    out
}

/// What a reference can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Structure,
    Enumeration,
    Service,
    ResourceType,
}

impl Kind {
    /// What its members are called, for messages.
    fn members(self) -> &'static str {
        match self {
            Kind::Structure => "field",
            Kind::Enumeration => "value",
            Kind::Service => "operation",
            Kind::ResourceType => "member",
        }
    }
}

/// A named element: its Rust module and name, and its members (field, enumeration value,
/// operation) by wire name with their Rust names.
struct Target {
    kind: Kind,
    /// `content::library::item`
    module: String,
    /// `FileInfo`
    rust: String,
    members: BTreeMap<String, String>,
}

/// Every element a doc can reference, by fully qualified wire name.
pub struct Targets {
    by_name: BTreeMap<String, Target>,
}

/// A reference that names nothing: the message and a suggestion.
type Unknown = (String, Option<String>);

impl Targets {
    /// The elements of `model`. Where a service and a resource type share a name (a service's
    /// own resource type), the service wins.
    pub fn new(model: &Model) -> Self {
        let mut by_name = BTreeMap::new();
        for p in &model.packages {
            let module = p.module_path.join("::");
            let mut add = |wire: String, rust: &str, kind, members: BTreeMap<String, String>| {
                by_name.insert(
                    wire,
                    Target {
                        kind,
                        module: module.clone(),
                        rust: rust.to_owned(),
                        members,
                    },
                );
            };
            for rt in &p.resource_types {
                add(
                    rt.name.wire.clone(),
                    &rt.name.rust,
                    Kind::ResourceType,
                    BTreeMap::new(),
                );
            }
            for e in &p.enumerations {
                let values = e
                    .values
                    .iter()
                    .map(|v| (v.name.wire.clone(), v.name.rust.clone()));
                add(
                    format!("{}.{}", p.name, e.name.wire),
                    &e.name.rust,
                    Kind::Enumeration,
                    values.collect(),
                );
            }
            for s in p.structures.iter().chain(&p.errors) {
                let fields = s
                    .fields
                    .iter()
                    .map(|f| (f.name.wire.clone(), f.name.rust.clone()));
                add(
                    format!("{}.{}", p.name, s.name.wire),
                    &s.name.rust,
                    Kind::Structure,
                    fields.collect(),
                );
            }
            for s in &p.services {
                let ops = s
                    .operations
                    .iter()
                    .map(|o| (o.name.wire.clone(), o.name.rust.clone()));
                add(
                    format!("{}.{}", p.name, s.name.wire),
                    &s.name.rust,
                    Kind::Service,
                    ops.collect(),
                );
            }
        }
        Targets { by_name }
    }

    /// Looks `reference` up as written in a doc of `package`: first inside the package, then as
    /// a fully qualified name; an element, or an element's member after its last dot. Gives the
    /// Rust module and the item in it (`FileInfo::version`).
    fn lookup(&self, package: &str, reference: &str) -> Result<(String, String), Unknown> {
        let candidates = [format!("{package}.{reference}"), reference.to_owned()];
        for name in &candidates {
            if let Some(t) = self.by_name.get(name) {
                return Ok((t.module.clone(), t.rust.clone()));
            }
        }
        for name in &candidates {
            let Some((owner, member)) = name.rsplit_once('.') else {
                continue;
            };
            let Some(t) = self.by_name.get(owner) else {
                continue;
            };
            if let Some(rust) = t.members.get(member) {
                let rust = crate::naming::unraw(rust);
                return Ok((t.module.clone(), format!("{}::{rust}", t.rust)));
            }
            let what = t.kind.members();
            let help = did_you_mean(member, t.members.keys().map(String::as_str)).map(|m| {
                format!(
                    "did you mean `{}.{m}`?",
                    &reference[..reference.len() - member.len() - 1]
                )
            });
            return Err((format!("`{owner}` has no {what} `{member}`"), help));
        }
        let local = format!("{package}.");
        let names = self
            .by_name
            .keys()
            .map(|k| k.strip_prefix(&local).unwrap_or(k));
        let help = did_you_mean(reference, names).map(|m| format!("did you mean `{m}`?"));
        Err((format!("unknown reference `{reference}` in doc text"), help))
    }
}

/// Where one doc text sits: its package and, for an error condition, whether the operation
/// declares privileges (`{@privileges}` is allowed in conditions only).
struct Place<'a> {
    file: &'a str,
    source: Option<&'a str>,
    package: &'a str,
    privileges: Option<bool>,
}

/// The doc texts of one decoded file, in the order [`check`] reports on them, each with
/// whether its operation declares privileges (`None` for a doc that is not an error
/// condition): all the doc check reads of the file, so that the decoded files need not be held
/// beside the model and [`Targets`] while it runs.
pub struct FileDocs {
    path: String,
    package: String,
    docs: Vec<(ast::S<Text>, Option<bool>)>,
}

/// The doc texts of each of `files` (see [`FileDocs`]); the texts are shared, not copied.
pub fn docs_of(files: &[ast::File]) -> Vec<FileDocs> {
    files
        .iter()
        .map(|f| {
            let mut docs: Vec<&ast::S<Text>> = vec![&f.doc];
            docs.extend(f.resource_types.iter().map(|r| &r.doc));
            for e in &f.enumerations {
                docs.push(&e.doc);
                docs.extend(e.values.iter().map(|v| &v.doc));
            }
            for s in f.structures.iter().chain(&f.errors) {
                docs.push(&s.doc);
                docs.extend(s.fields.iter().map(|x| &x.doc));
            }
            for s in &f.services {
                docs.push(&s.doc);
                for op in &s.operations {
                    docs.push(&op.doc);
                    docs.extend(op.params.iter().map(|p| &p.doc));
                    docs.extend(op.result.iter().map(|r| &r.doc));
                }
            }
            let mut docs: Vec<(ast::S<Text>, Option<bool>)> =
                docs.into_iter().map(|d| (d.clone(), None)).collect();
            for s in &f.services {
                for op in &s.operations {
                    let privileges = Some(!op.privileges.is_empty());
                    docs.extend(op.errors.iter().map(|e| (e.when.clone(), privileges)));
                }
            }
            docs.shrink_to_fit();
            FileDocs {
                path: f.path.clone(),
                package: f.package.value.clone(),
                docs,
            }
        })
        .collect()
}

/// Checks the markup of every doc text of `files` (see [`docs_of`]) against the elements of
/// the model (`targets`), reporting each mistake at the markup token.
pub fn check(
    files: &[FileDocs],
    sources: &[Source],
    targets: &Targets,
    diags: &mut Vec<Diagnostic>,
) {
    // By path, the first of a path as a scan would find it: one lookup per file instead.
    let mut texts: BTreeMap<&str, &str> = BTreeMap::new();
    for s in sources {
        texts.entry(s.path.as_str()).or_insert(s.text.as_str());
    }
    // File by file on threads, each file's mistakes in the order one thread would find them.
    let found = crate::threads::on_threads(files.len(), &|i| {
        let f = &files[i];
        let mut found = Vec::new();
        let mut place = Place {
            file: &f.path,
            source: texts.get(f.path.as_str()).copied(),
            package: &f.package,
            privileges: None,
        };
        for (doc, privileges) in &f.docs {
            place.privileges = *privileges;
            check_text(targets, &place, doc, &mut found);
        }
        found
    });
    diags.extend(found.into_iter().flatten());
}

fn check_text(
    targets: &Targets,
    place: &Place<'_>,
    doc: &ast::S<Text>,
    diags: &mut Vec<Diagnostic>,
) {
    for (i, (_, token)) in markup(&doc.value).iter().enumerate() {
        let problem: Option<Unknown> = match token {
            Markup::Link(r) => targets.lookup(place.package, r).err(),
            Markup::Term(t) if TERMS.iter().any(|(k, _)| k == t) => None,
            Markup::Term(t) => Some((
                format!("unknown term `{t}` in doc text"),
                Some(format!(
                    "the terms are {}",
                    TERMS
                        .iter()
                        .map(|(k, _)| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            )),
            Markup::Privileges => match place.privileges {
                Some(true) => None,
                Some(false) => Some((
                    "`{@privileges}` in an operation that declares no privileges".to_owned(),
                    None,
                )),
                None => Some((
                    "`{@privileges}` outside an error condition".to_owned(),
                    Some("it stands for the operation's privileges in an error's `when`".into()),
                )),
            },
            Markup::Rust { .. } | Markup::Unknown(_) => {
                let inner = match token {
                    Markup::Unknown(inner) => inner.to_string(),
                    _ => "rust …".to_owned(),
                };
                Some((
                    format!("unknown doc markup `{{@{inner}}}`"),
                    Some(
                        "the markup is `{@link Name}`, `{@term unset}`, `{@term true}`, \
                         `{@term false}` and `{@privileges}`"
                            .to_owned(),
                    ),
                ))
            }
        };
        if let Some((message, help)) = problem {
            let pos = place
                .source
                .and_then(|text| token_pos(text, doc.pos, i))
                .unwrap_or(doc.pos);
            let mut d = Diagnostic::error(place.file, pos, message);
            if let Some(help) = help {
                d = d.with_help(help);
            }
            diags.push(d);
        }
    }
}

/// The position of the `nth` markup token of the scalar that starts at `start` in `text`: the
/// `nth` `{@` from there (YAML writes doc text as it reads, but for escapes in double quotes).
fn token_pos(text: &str, start: Pos, nth: usize) -> Option<Pos> {
    let mut offset = 0;
    for _ in 1..start.line {
        offset += text[offset..].find('\n')? + 1;
    }
    offset += text[offset..]
        .char_indices()
        .nth(start.col.saturating_sub(1) as usize)
        .map_or(0, |(i, _)| i);
    let mut found = offset;
    for k in 0..=nth {
        found = text[found..].find("{@")? + found + usize::from(k < nth) * 2;
    }
    let line_start = text[..found].rfind('\n').map_or(0, |i| i + 1);
    let line = u32::try_from(text[..found].matches('\n').count() + 1).ok()?;
    let col = u32::try_from(text[line_start..found].chars().count() + 1).ok()?;
    Some(Pos { line, col })
}

/// Rewrites the doc text of `model`: each `{@link Ref}` becomes `{@rust module item}`, each
/// `{@privileges}` the operation's privileges. A reference that does not resolve (which
/// [`check`] reports) is left as written. `targets` are the elements of `model`.
pub fn resolve(model: &mut Model, targets: &Targets) {
    // Package by package on threads.
    let packages: Vec<Mutex<&mut Package>> = model.packages.iter_mut().map(Mutex::new).collect();
    crate::threads::on_threads(packages.len(), &|i| {
        let mut p = packages[i].lock().unwrap_or_else(|e| e.into_inner());
        let p = &mut **p;
        let package = p.name.clone();
        // Text without markup stays as it is, shared with whatever else holds it.
        let fix = |text: &mut Text, op: Option<&Operation>| {
            if let Some(new) = rewrite(targets, &package, text, op) {
                *text = new.into();
            }
        };
        fix(&mut p.docs.text, None);
        for rt in &mut p.resource_types {
            fix(&mut rt.docs.text, None);
        }
        for e in &mut p.enumerations {
            fix(&mut e.docs.text, None);
            for v in &mut e.values {
                fix(&mut v.docs.text, None);
            }
        }
        for s in p.structures.iter_mut().chain(&mut p.errors) {
            fix(&mut s.docs.text, None);
            for f in &mut s.fields {
                fix(&mut f.docs.text, None);
            }
        }
        for s in &mut p.services {
            fix(&mut s.docs.text, None);
            for op in &mut s.operations {
                fix(&mut op.docs.text, None);
                for param in &mut op.params {
                    fix(&mut param.docs.text, None);
                }
                if let Some(r) = &mut op.result {
                    fix(&mut r.doc, None);
                }
                let mut errors = std::mem::take(&mut op.errors);
                for e in &mut errors {
                    for c in &mut e.conditions {
                        fix(&mut c.text, Some(op));
                    }
                }
                op.errors = errors;
            }
        }
    });
}

fn rewrite(targets: &Targets, package: &str, text: &str, op: Option<&Operation>) -> Option<String> {
    let tokens = markup(text);
    if tokens.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for (range, token) in tokens {
        out.push_str(&text[at..range.start]);
        at = range.end;
        match token {
            Markup::Link(r) => match targets.lookup(package, r) {
                Ok((module, item)) => out.push_str(&format!("{{@rust {module} {item}}}")),
                Err(_) => out.push_str(&text[range]),
            },
            Markup::Privileges if op.is_some_and(|op| !op.privileges.is_empty()) => {
                out.push_str(&op.map(privileges).unwrap_or_default());
            }
            _ => out.push_str(&text[range]),
        }
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// The privileges of `op` as one phrase: "`System.Read` on the `com.vmware.content.library.Item`
/// referenced by `library_item_id`; `System.Anonymous`".
fn privileges(op: &Operation) -> String {
    op.privileges
        .iter()
        .map(|p| {
            let list = p
                .privileges
                .iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ");
            match &p.scope {
                PrivilegeScope::Operation => list,
                PrivilegeScope::Resource {
                    resource_type,
                    path,
                } => format!(
                    "{list} on the `{resource_type}` referenced by `{}`",
                    path.join(".")
                ),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ERRORS: &str = "package: com.vmware.vapi.std.errors
doc: Errors.
errors:
  - name: Error
    doc: Base.
    fields:
      - { name: messages, type: list<string>, doc: Messages. }
  - { name: Unauthorized, doc: \"Not allowed. See {@link Error.messages}.\", extends: Error }
";

    const SHOP: &str = "package: com.vmware.example.shop
doc: Sells {@link Order.Info} and reads {@link Order.get}.
enumerations:
  - name: Order.State
    doc: A state.
    values: [{ name: OPEN, doc: Open. }]
structures:
  - name: Order.Info
    doc: Is {@link Order.State.OPEN} or {@term unset}; see {@link com.vmware.vapi.std.errors.Error}.
    fields:
      - { name: state, type: optional<Order.State>, doc: The state. }
services:
  - name: Order
    doc: Orders.
    operations:
      - name: get
        doc: Gets it.
        errors:
          - error: com.vmware.vapi.std.errors.Unauthorized
            when: \"without these privileges: {@privileges}.\"
            since: \"9.0\"
        privileges:
          - privileges: [Shop.Read, Shop.Browse]
";

    fn model() -> Model {
        let sources = [
            ("com/vmware/vapi/std/errors.yaml", ERRORS),
            ("com/vmware/example/shop.yaml", SHOP),
        ]
        .map(|(path, text)| Source {
            path: path.into(),
            text: text.into(),
        });
        crate::load::load_sources(&sources).unwrap_or_else(|d| panic!("{d}"))
    }

    #[test]
    fn references_become_rust_items_and_privileges_are_spelled_out() {
        let model = model();
        let shop = model
            .package("com.vmware.example.shop")
            .unwrap_or_else(|| panic!("no shop"));
        assert_eq!(
            shop.docs.text.as_ref(),
            "Sells {@rust example::shop OrderInfo} and reads {@rust example::shop Order::get}."
        );
        assert_eq!(
            shop.structures[0].docs.text.as_ref(),
            "Is {@rust example::shop OrderState::Open} or {@term unset}; see \
             {@rust vapi::std::errors Error}."
        );
        let condition = &shop.services[0].operations[0].errors[0].conditions[0];
        assert_eq!(
            condition.text.as_ref(),
            "without these privileges: `Shop.Read`, `Shop.Browse`."
        );
        assert_eq!(condition.since.as_deref(), Some("9.0"));
        let errors = model
            .package("com.vmware.vapi.std.errors")
            .unwrap_or_else(|| panic!("no errors"));
        assert_eq!(
            errors.errors[1].docs.text.as_ref(),
            "Not allowed. See {@rust vapi::std::errors Error::messages}."
        );
    }

    #[test]
    fn token_pos_finds_the_nth_token_of_a_block_scalar() {
        let text = "a: 1\ndoc: |\n  See {@link X} and\n  {@term unset}.\n";
        let start = Pos { line: 2, col: 6 };
        assert_eq!(token_pos(text, start, 0), Some(Pos { line: 3, col: 7 }));
        assert_eq!(token_pos(text, start, 1), Some(Pos { line: 4, col: 3 }));
        assert_eq!(token_pos(text, start, 2), None);
    }
}
