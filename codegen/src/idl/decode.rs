//! Phase 2, decode: the located YAML tree of one file → its [`super::ast::File`], reporting every unknown
//! key, missing key, duplicate key, wrong kind of value and malformed type expression at once.

use std::collections::BTreeMap;

use super::ast::{
    EnumDecl, EnumValueDecl, ErrorRefDecl, FieldDecl, File, IdlWord, OperationDecl, OperationKind,
    ParamDecl, PresenceDecl, PrivilegeDecl, ResourceTypeDecl, RestDecl, ResultDecl, S, ServiceDecl,
    Since, StructDecl, Text, TypeExpr, UnionCaseDecl, UnionDecl,
};
use super::yaml::{Node, NodeKind};
use crate::diag::{Diagnostic, Pos, did_you_mean};

pub use super::type_expr::parse_type;

/// Decodes one file. Returns `None` when the file is too broken to describe a package (no
/// mapping at the top, no `package:`); all problems found are pushed to `diags` either way.
pub fn decode_file(
    path: &str,
    source: &str,
    root: &Node,
    diags: &mut Vec<Diagnostic>,
) -> Option<File> {
    let mut d = Decoder {
        file: path,
        lines: source.lines().collect(),
        diags,
    };
    d.file_decl(root)
}

struct Decoder<'a> {
    file: &'a str,
    lines: Vec<&'a str>,
    diags: &'a mut Vec<Diagnostic>,
}

/// The keys of one mapping, after unknown and duplicate keys were reported.
struct Keys<'n> {
    pos: Pos,
    what: String,
    entries: BTreeMap<&'n str, &'n Node>,
}

impl<'a> Decoder<'a> {
    fn err(&mut self, pos: Pos, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(self.file, pos, message));
    }

    fn push(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    /// Opens a mapping whose allowed keys are `allowed`, reporting everything else.
    fn keys<'n>(&mut self, node: &'n Node, what: &str, allowed: &[&str]) -> Option<Keys<'n>> {
        let NodeKind::Map(entries) = &node.kind else {
            self.err(
                node.pos,
                format!(
                    "expected {what} as a mapping, found {}",
                    node.kind.describe()
                ),
            );
            return None;
        };
        // Name the element in every message about it when it has a name.
        let named = entries.iter().find_map(|(k, v)| match (&k.kind, &v.kind) {
            (NodeKind::Str(k), NodeKind::Str(v)) if k == "name" => Some(v.as_str()),
            _ => None,
        });
        let what = match (named, what.split_once(' ')) {
            (Some(name), Some((_article, kind))) if allowed.contains(&"name") => {
                format!("{kind} `{name}`")
            }
            _ => what.to_owned(),
        };
        let what = what.as_str();
        let mut out = BTreeMap::new();
        let mut first_pos: BTreeMap<&str, Pos> = BTreeMap::new();
        for (key, value) in entries {
            let NodeKind::Str(name) = &key.kind else {
                self.err(
                    key.pos,
                    format!(
                        "keys in {what} must be strings, found {}",
                        key.kind.describe()
                    ),
                );
                continue;
            };
            if !allowed.contains(&name.as_str()) {
                let mut diag = Diagnostic::error(
                    self.file,
                    key.pos,
                    format!("unknown key `{name}` in {what}"),
                );
                // The commonest habit from other IDLs: a flag instead of a wrapper type.
                let flag = did_you_mean(name, allowed.iter().copied()).is_none()
                    && allowed.contains(&"type")
                    && did_you_mean(name, ["optional"]).is_some();
                diag = if flag {
                    diag.with_help("write an optional type as `type: optional<T>`")
                } else {
                    diag.with_suggestion_or(
                        name,
                        allowed.iter().copied(),
                        format!("expected one of: {}", allowed.join(", ")),
                    )
                };
                self.push(diag);
                continue;
            }
            if let Some(first) = first_pos.get(name.as_str()) {
                let related = crate::diag::Loc {
                    file: self.file.to_owned(),
                    pos: *first,
                };
                self.push(
                    Diagnostic::error(
                        self.file,
                        key.pos,
                        format!("duplicate key `{name}` in {what}"),
                    )
                    .with_related(related, "first given here"),
                );
                continue;
            }
            out.insert(name.as_str(), value);
            first_pos.insert(name.as_str(), key.pos);
        }
        Some(Keys {
            pos: node.pos,
            what: what.to_owned(),
            entries: out,
        })
    }

    fn required<'n>(&mut self, keys: &Keys<'n>, key: &str) -> Option<&'n Node> {
        let found = keys.entries.get(key).copied();
        if found.is_none() {
            self.err(keys.pos, format!("missing key `{key}` in {}", keys.what));
        }
        found
    }

    /// A string scalar. Numbers and booleans are refused rather than converted, because YAML
    /// reads `since: 6.10` as the number 6.1.
    fn string(&mut self, node: &Node, what: &str) -> Option<S<String>> {
        match &node.kind {
            NodeKind::Str(s) => Some(S::new(s.clone(), node.pos)),
            NodeKind::Int(_) | NodeKind::Float(_) | NodeKind::Bool(_) => {
                let text = self.source_text(node.pos);
                self.push(
                    Diagnostic::error(
                        self.file,
                        node.pos,
                        format!(
                            "expected {what} as a string, found {}",
                            node.kind.describe()
                        ),
                    )
                    .with_help(format!("quote it: \"{text}\"")),
                );
                None
            }
            other => {
                self.err(
                    node.pos,
                    format!("expected {what} as a string, found {}", other.describe()),
                );
                None
            }
        }
    }

    /// The plain scalar starting at `pos`, as written (for a quoting hint).
    fn source_text(&self, pos: Pos) -> String {
        let line = self
            .lines
            .get(pos.line.saturating_sub(1) as usize)
            .copied()
            .unwrap_or("");
        let rest: String = line
            .chars()
            .skip(pos.col.saturating_sub(1) as usize)
            .collect();
        rest.split(['#', ',', '}', ']'])
            .next()
            .unwrap_or("")
            .trim()
            .to_owned()
    }

    /// One of the IDL's fixed words (an HTTP method, a presence rule): anything else is
    /// reported as not being `what`, with the closest word or the list of them.
    fn word<T: IdlWord>(&mut self, value: S<String>, what: &str) -> Option<S<T>> {
        if let Some((_, word)) = T::all().iter().find(|(t, _)| *t == value.value) {
            return Some(S::new(*word, value.pos));
        }
        let spellings = || T::all().iter().map(|(t, _)| *t);
        let expected = format!(
            "expected one of: {}",
            spellings().collect::<Vec<_>>().join(", ")
        );
        self.push(
            Diagnostic::error(
                self.file,
                value.pos,
                format!("`{}` is not {what}", value.value),
            )
            .with_suggestion_or(&value.value, spellings(), expected),
        );
        None
    }

    fn req_string(&mut self, keys: &Keys<'_>, key: &str) -> Option<S<String>> {
        let what = format!("`{key}`");
        self.required(keys, key).and_then(|n| self.string(n, &what))
    }

    fn opt_string(&mut self, keys: &Keys<'_>, key: &str) -> Option<S<String>> {
        let what = format!("`{key}`");
        keys.entries.get(key).and_then(|n| self.string(n, &what))
    }

    /// A non-empty documentation string.
    fn doc(&mut self, keys: &Keys<'_>) -> Option<S<Text>> {
        let doc = self.req_string(keys, "doc")?;
        if doc.value.trim().is_empty() {
            self.err(doc.pos, format!("the `doc` of {} is empty", keys.what));
            return None;
        }
        Some(S::new(doc.value.into(), doc.pos))
    }

    fn since(&mut self, keys: &Keys<'_>) -> Since {
        let since = self.opt_string(keys, "since")?;
        let ok = !since.value.is_empty()
            && since
                .value
                .split('.')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            self.push(
                Diagnostic::error(
                    self.file,
                    since.pos,
                    format!(
                        "`since` must be a version such as \"7.0.3.0\", found \"{}\"",
                        since.value
                    ),
                )
                .with_help("write the vSphere API version that added the element"),
            );
        }
        Some(Box::new(since))
    }

    /// A list under `key`, each element decoded by `each`; a missing key is an empty list.
    fn list<T>(
        &mut self,
        keys: &Keys<'_>,
        key: &str,
        mut each: impl FnMut(&mut Self, &Node) -> Option<T>,
    ) -> Vec<T> {
        let Some(node) = keys.entries.get(key).copied() else {
            return Vec::new();
        };
        match &node.kind {
            NodeKind::Seq(items) => {
                let mut list: Vec<T> = items.iter().filter_map(|item| each(self, item)).collect();
                // The decoded files are held whole while they are resolved: no room to spare.
                list.shrink_to_fit();
                list
            }
            // `fields:` with nothing after it is an empty list, not a mistake.
            NodeKind::Null => Vec::new(),
            other => {
                self.err(
                    node.pos,
                    format!(
                        "expected `{key}` in {} as a list, found {}",
                        keys.what,
                        other.describe()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn string_list(&mut self, keys: &Keys<'_>, key: &str) -> Vec<S<String>> {
        let what = format!("an entry of `{key}`");
        self.list(keys, key, |d, n| d.string(n, &what))
    }

    /// A mapping of strings to strings, such as `headers: { Client-Token: client_token }`.
    fn string_map(&mut self, keys: &Keys<'_>, key: &str) -> Vec<(S<String>, S<String>)> {
        let Some(node) = keys.entries.get(key).copied() else {
            return Vec::new();
        };
        let NodeKind::Map(entries) = &node.kind else {
            if node.kind != NodeKind::Null {
                self.err(
                    node.pos,
                    format!(
                        "expected `{key}` as a mapping, found {}",
                        node.kind.describe()
                    ),
                );
            }
            return Vec::new();
        };
        let mut out: Vec<(S<String>, S<String>)> = Vec::new();
        for (k, v) in entries {
            let (Some(k), Some(v)) = (
                self.string(k, &format!("a key of `{key}`")),
                self.string(v, &format!("a value of `{key}`")),
            ) else {
                continue;
            };
            if let Some((first, _)) = out.iter().find(|(f, _)| f.value == k.value) {
                let related = crate::diag::Loc {
                    file: self.file.to_owned(),
                    pos: first.pos,
                };
                self.push(
                    Diagnostic::error(
                        self.file,
                        k.pos,
                        format!("duplicate key `{}` in `{key}`", k.value),
                    )
                    .with_related(related, "first given here"),
                );
                continue;
            }
            out.push((k, v));
        }
        out.shrink_to_fit();
        out
    }

    fn file_decl(&mut self, root: &Node) -> Option<File> {
        let keys = self.keys(
            root,
            "the file",
            &[
                "package",
                "doc",
                "since",
                "resource_types",
                "enumerations",
                "structures",
                "errors",
                "services",
            ],
        )?;
        let package = self.req_string(&keys, "package");
        let doc = self.doc(&keys);
        let since = self.since(&keys);
        let resource_types = self.list(&keys, "resource_types", Self::resource_type);
        let enumerations = self.list(&keys, "enumerations", Self::enumeration);
        let structures = self.list(&keys, "structures", |d, n| d.structure(n, false));
        let errors = self.list(&keys, "errors", |d, n| d.structure(n, true));
        let services = self.list(&keys, "services", Self::service);
        Some(File {
            path: self.file.to_owned(),
            package: package?,
            doc: doc.unwrap_or_else(|| S::new(Text::default(), keys.pos)),
            since,
            resource_types,
            enumerations,
            structures,
            errors,
            services,
        })
    }

    fn name_of(&mut self, keys: &Keys<'_>) -> Option<S<String>> {
        self.req_string(keys, "name")
    }

    fn resource_type(&mut self, node: &Node) -> Option<ResourceTypeDecl> {
        let keys = self.keys(node, "a resource type", &["name", "doc"])?;
        let name = self.name_of(&keys);
        let doc = self.doc(&keys);
        Some(ResourceTypeDecl {
            name: name?,
            doc: doc?,
        })
    }

    fn enumeration(&mut self, node: &Node) -> Option<EnumDecl> {
        let keys = self.keys(node, "an enumeration", &["name", "doc", "since", "values"])?;
        let name = self.name_of(&keys);
        let doc = self.doc(&keys);
        let since = self.since(&keys);
        if !keys.entries.contains_key("values") {
            self.err(keys.pos, format!("missing key `values` in {}", keys.what));
        }
        let values = self.list(&keys, "values", Self::enum_value);
        Some(EnumDecl {
            name: name?,
            doc: doc?,
            since,
            values,
        })
    }

    fn enum_value(&mut self, node: &Node) -> Option<EnumValueDecl> {
        let keys = self.keys(node, "an enumeration value", &["name", "doc", "since"])?;
        let name = self.name_of(&keys);
        let doc = self.doc(&keys);
        let since = self.since(&keys);
        Some(EnumValueDecl {
            name: name?,
            doc: doc?,
            since,
        })
    }

    fn structure(&mut self, node: &Node, is_error: bool) -> Option<StructDecl> {
        let (what, allowed): (&str, &[&str]) = if is_error {
            ("an error", &["name", "doc", "since", "extends", "fields"])
        } else {
            ("a structure", &["name", "doc", "since", "fields", "unions"])
        };
        let keys = self.keys(node, what, allowed)?;
        let name = self.name_of(&keys);
        let doc = self.doc(&keys);
        let since = self.since(&keys);
        let extends = self.opt_string(&keys, "extends");
        let fields = self.list(&keys, "fields", Self::field);
        let unions = self.list(&keys, "unions", Self::union);
        Some(StructDecl {
            name: name?,
            doc: doc?,
            since,
            extends,
            fields,
            unions,
        })
    }

    fn field(&mut self, node: &Node) -> Option<FieldDecl> {
        let keys = self.keys(
            node,
            "a field",
            &["name", "type", "doc", "since", "presence"],
        )?;
        let name = self.name_of(&keys);
        let ty = self.type_key(&keys);
        let doc = self.doc(&keys);
        let since = self.since(&keys);
        let presence = keys.entries.get("presence").and_then(|n| self.presence(n));
        Some(FieldDecl {
            name: name?,
            ty: ty?,
            doc: doc?,
            since,
            presence,
        })
    }

    fn presence(&mut self, node: &Node) -> Option<Box<S<PresenceDecl>>> {
        let keys = self.keys(node, "`presence`", &["create", "update", "result"])?;
        let input = |d: &mut Self, key: &str| {
            let value = d.opt_string(&keys, key)?;
            d.word(value, &format!("a presence rule for `{key}`"))
        };
        let presence = PresenceDecl {
            create: input(self, "create"),
            update: input(self, "update"),
            result: self
                .opt_string(&keys, "result")
                .and_then(|v| self.word(v, "a presence rule for `result`")),
        };
        Some(Box::new(S::new(presence, node.pos)))
    }

    fn union(&mut self, node: &Node) -> Option<UnionDecl> {
        let keys = self.keys(node, "a union", &["tag", "cases"])?;
        let tag = self.req_string(&keys, "tag");
        if !keys.entries.contains_key("cases") {
            self.err(keys.pos, "missing key `cases` in a union");
        }
        let cases = self.list(&keys, "cases", Self::union_case);
        Some(UnionDecl {
            tag: tag?,
            cases,
            pos: node.pos,
        })
    }

    fn union_case(&mut self, node: &Node) -> Option<UnionCaseDecl> {
        let keys = self.keys(node, "a union case", &["values", "required", "optional"])?;
        if !keys.entries.contains_key("values") {
            self.err(keys.pos, "missing key `values` in a union case");
        }
        Some(UnionCaseDecl {
            values: self.string_list(&keys, "values"),
            required: self.string_list(&keys, "required"),
            optional: self.string_list(&keys, "optional"),
        })
    }

    fn service(&mut self, node: &Node) -> Option<ServiceDecl> {
        let keys = self.keys(
            node,
            "a service",
            &["name", "doc", "since", "resource_type", "operations"],
        )?;
        let name = self.name_of(&keys);
        let doc = self.doc(&keys);
        let since = self.since(&keys);
        let resource_type = self.opt_string(&keys, "resource_type");
        let operations = self.list(&keys, "operations", Self::operation);
        Some(ServiceDecl {
            name: name?,
            doc: doc?,
            since,
            resource_type,
            operations,
        })
    }

    fn operation(&mut self, node: &Node) -> Option<OperationDecl> {
        let keys = self.keys(
            node,
            "an operation",
            &[
                "name",
                "doc",
                "since",
                "params",
                "result",
                "errors",
                "privileges",
                "rest",
            ],
        )?;
        let name = self.name_of(&keys);
        let doc = self.doc(&keys);
        let since = self.since(&keys);
        let params = self.list(&keys, "params", Self::param);
        let result = keys.entries.get("result").and_then(|n| self.result(n));
        let errors = self.list(&keys, "errors", Self::error_ref);
        let privileges = self.list(&keys, "privileges", Self::privilege);
        let rest = keys.entries.get("rest").and_then(|n| self.rest(n));
        let kind = name
            .as_ref()
            .and_then(|n| OperationKind::from_idl(&n.value));
        Some(OperationDecl {
            name: name?,
            kind,
            doc: doc?,
            since,
            params,
            result,
            errors,
            privileges,
            rest,
        })
    }

    fn param(&mut self, node: &Node) -> Option<ParamDecl> {
        let keys = self.keys(node, "a parameter", &["name", "type", "doc", "since"])?;
        let name = self.name_of(&keys);
        let ty = self.type_key(&keys);
        let doc = self.doc(&keys);
        let since = self.since(&keys);
        Some(ParamDecl {
            name: name?,
            ty: ty?,
            doc: doc?,
            since,
        })
    }

    fn result(&mut self, node: &Node) -> Option<ResultDecl> {
        let keys = self.keys(node, "`result`", &["type", "doc"])?;
        let ty = self.type_key(&keys);
        let doc = self.doc(&keys);
        Some(ResultDecl { ty: ty?, doc: doc? })
    }

    fn error_ref(&mut self, node: &Node) -> Option<ErrorRefDecl> {
        let keys = self.keys(node, "an error entry", &["error", "when", "since"])?;
        let error = self.req_string(&keys, "error");
        let when = self
            .req_string(&keys, "when")
            .map(|w| S::new(Text::from(w.value), w.pos));
        let since = self.since(&keys);
        Some(ErrorRefDecl {
            error: error?,
            when: when?,
            since,
        })
    }

    fn privilege(&mut self, node: &Node) -> Option<PrivilegeDecl> {
        let keys = self.keys(
            node,
            "a privilege entry",
            &["privileges", "resource", "param"],
        )?;
        if !keys.entries.contains_key("privileges") {
            self.err(keys.pos, "missing key `privileges` in a privilege entry");
        }
        let privileges = self.string_list(&keys, "privileges");
        let resource = self.opt_string(&keys, "resource");
        let param = self.opt_string(&keys, "param");
        match (&resource, &param) {
            (Some(_), None) => self.err(
                keys.pos,
                "a privilege entry with `resource` needs `param`: the parameter that references the resource",
            ),
            (None, Some(_)) => self.err(
                keys.pos,
                "a privilege entry with `param` needs `resource`: the resource type the parameter references",
            ),
            _ => {}
        }
        Some(PrivilegeDecl {
            privileges,
            resource,
            param,
            pos: node.pos,
        })
    }

    fn rest(&mut self, node: &Node) -> Option<RestDecl> {
        let keys = self.keys(
            node,
            "`rest`",
            &[
                "method",
                "path",
                "action",
                "path_params",
                "query",
                "headers",
                "body",
            ],
        )?;
        let method = self
            .req_string(&keys, "method")
            .and_then(|m| self.word(m, "an HTTP method"));
        let path = self.req_string(&keys, "path");
        if let Some(p) = &path
            && (!p.value.starts_with('/') || p.value.contains('?'))
        {
            self.push(
                Diagnostic::error(
                    self.file,
                    p.pos,
                    format!("the REST path `{}` is not a path", p.value),
                )
                .with_help(
                    "write the path below /api, starting with `/`; put `?action=` in `action`",
                ),
            );
        }
        Some(RestDecl {
            method: method?,
            path: path?,
            action: self.opt_string(&keys, "action"),
            path_params: self.string_map(&keys, "path_params"),
            query: self.string_map(&keys, "query"),
            headers: self.string_map(&keys, "headers"),
            body: self.opt_string(&keys, "body"),
            pos: node.pos,
        })
    }

    fn type_key(&mut self, keys: &Keys<'_>) -> Option<S<TypeExpr>> {
        let text = self.req_string(keys, "type")?;
        // Positions inside the expression are offsets from its first character, which sits one
        // column further right when the scalar is quoted.
        let quoted = self
            .lines
            .get(text.pos.line.saturating_sub(1) as usize)
            .and_then(|line| line.chars().nth(text.pos.col.saturating_sub(1) as usize))
            .is_some_and(|c| c == '"' || c == '\'');
        let start = if quoted {
            text.pos.shifted(1)
        } else {
            text.pos
        };
        match parse_type(&text.value, start) {
            Ok(ty) => Some(ty),
            Err(diag) => {
                self.push(Diagnostic {
                    file: self.file.to_owned(),
                    ..diag
                });
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idl::yaml;

    fn decode(text: &str) -> (Option<File>, Vec<String>) {
        let node = yaml::parse("x.yaml", text).expect("valid YAML");
        let mut diags = Vec::new();
        let file = decode_file("x.yaml", text, &node, &mut diags);
        let diags = crate::diag::Diagnostics::sorted(diags);
        (file, diags.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn reports_every_mistake_of_a_file_at_once() {
        let text = "package: a.b\ndoc: A.\nstructures:\n  - name: S\n    doc: S.\n    fields:\n      - name: f\n        type: string\n        optinal: true\n        doc: F.\n      - name: g\n        doc: G.\n    since: 6.0\n";
        let (_, diags) = decode(text);
        assert_eq!(
            diags,
            [
                "x.yaml:9:9: error: unknown key `optinal` in field `f`\n  = help: write an optional type as `type: optional<T>`",
                "x.yaml:11:9: error: missing key `type` in field `g`",
                "x.yaml:13:12: error: expected `since` as a string, found a number\n  = help: quote it: \"6.0\"",
            ]
        );
    }

    #[test]
    fn duplicate_keys_name_both_places() {
        let (_, diags) = decode("package: a.b\ndoc: A.\ndoc: B.\n");
        assert_eq!(
            diags,
            [
                "x.yaml:3:1: error: duplicate key `doc` in the file\n  --> x.yaml:2:1: note: first given here"
            ]
        );
    }
}
