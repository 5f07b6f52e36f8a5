//! Enumerations, structures and errors (with inherited fields), presence rules and unions.

use std::collections::BTreeSet;

use crate::diag::Diagnostic;
use crate::idl::ast::{self, S};
use crate::ir::{EnumValue, Enumeration, Field, Name, Presence, Structure, Type, Union, UnionCase};
use crate::naming;

use super::{Kind, Resolver, RustNames, docs, loc};

impl<'a> Resolver<'a, '_, '_> {
    pub(super) fn enumeration(
        &mut self,
        file: &ast::File,
        e: &ast::EnumDecl,
        rust: String,
    ) -> Enumeration {
        if e.values.is_empty() {
            self.diags.push(
                Diagnostic::error(
                    &file.path,
                    e.name.pos,
                    format!("the enumeration `{}` has no values", e.name.value),
                )
                .with_help("list its documented values under `values:`"),
            );
        }
        let mut names = RustNames::new("the value");
        let mut values = Vec::with_capacity(e.values.len());
        for v in &e.values {
            if !naming::is_enumeration_value(&v.name.value) {
                self.err(
                    &file.path,
                    v.name.pos,
                    format!(
                        "`{}` is not an enumeration value: use letters, digits and `_`",
                        v.name.value
                    ),
                );
                continue;
            }
            if v.name.value.chars().all(|c| c == '_') {
                self.err(
                    &file.path,
                    v.name.pos,
                    format!(
                        "`{}` is not an enumeration value: it needs a letter or a digit",
                        v.name.value
                    ),
                );
                continue;
            }
            let variant = naming::variant_name(&v.name.value);
            names.add(
                self.diags,
                &v.name.value,
                &variant,
                loc(&file.path, v.name.pos),
            );
            values.push(EnumValue {
                name: Name {
                    wire: v.name.value.clone(),
                    rust: variant,
                },
                docs: docs(&v.doc, &v.since),
            });
        }
        let known: Vec<String> = values.iter().map(|v| v.name.rust.clone()).collect();
        Enumeration {
            name: Name {
                wire: e.name.value.clone(),
                rust,
            },
            docs: docs(&e.doc, &e.since),
            unknown_variant: naming::unknown_variant_name(&known),
            values,
        }
    }

    /// The fields an error inherits through `extends`, outermost ancestor first.
    fn inherited(
        &mut self,
        file: &ast::File,
        s: &'a ast::StructDecl,
    ) -> Vec<(&'a ast::File, &'a ast::FieldDecl)> {
        let mut chain: Vec<(&'a ast::File, &'a ast::StructDecl)> = Vec::new();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut current = s;
        let mut package = file.package.value.clone();
        seen.insert(format!("{package}.{}", s.name.value));
        while let Some(parent) = &current.extends {
            let found = self
                .lookup(&package, &parent.value)
                .map(|(q, sym)| (q, sym.kind, sym.decl, sym.package.to_owned()));
            let Some((qualified, kind, decl, parent_pkg)) = found else {
                if std::ptr::eq(current, s) {
                    let mut d = Diagnostic::error(
                        &file.path,
                        parent.pos,
                        format!("unknown error type `{}`", parent.value),
                    );
                    let errors = self.candidates(&package, &[Kind::Error]);
                    d = d.with_suggestion(&parent.value, errors.iter().map(String::as_str));
                    self.diags.push(d);
                }
                break;
            };
            if kind != Kind::Error {
                if std::ptr::eq(current, s) {
                    self.err(
                        &file.path,
                        parent.pos,
                        format!(
                            "`{}` is {}; an error can only extend an error",
                            parent.value,
                            kind.describe()
                        ),
                    );
                }
                break;
            }
            if !seen.insert(qualified) {
                if std::ptr::eq(current, s) || chain.len() < 64 {
                    self.err(
                        &file.path,
                        s.name.pos,
                        format!("the error `{}` extends itself", s.name.value),
                    );
                }
                break;
            }
            let (Some(decl), Some(parent_file)) =
                (decl, self.tables.packages.get(parent_pkg.as_str()))
            else {
                break;
            };
            chain.push((parent_file, decl));
            current = decl;
            package = parent_pkg;
        }
        chain
            .iter()
            .rev()
            .flat_map(|(f, d)| d.fields.iter().map(move |x| (*f, x)))
            .collect()
    }

    pub(super) fn structure(
        &mut self,
        file: &'a ast::File,
        s: &'a ast::StructDecl,
        rust: String,
    ) -> Structure {
        let path = file.path.as_str();
        let inherited = if s.extends.is_some() {
            self.inherited(file, s)
        } else {
            Vec::new()
        };
        let extends = s.extends.as_ref().and_then(|e| {
            self.lookup(&file.package.value, &e.value)
                .filter(|(_, sym)| sym.kind == Kind::Error)
                .map(|(_, sym)| sym.type_ref.clone())
        });
        let mut names = RustNames::new("the field");
        let mut fields = Vec::with_capacity(inherited.len() + s.fields.len());
        // Inherited fields were checked where they were declared (their types too: see
        // `field_type`).
        for (parent_file, f) in inherited {
            let rust_name = naming::value_name(&f.name.value);
            names.add(
                self.diags,
                &f.name.value,
                &rust_name,
                loc(&parent_file.path, f.name.pos),
            );
            if let Some(ty) = self.field_type(parent_file, f) {
                fields.push(Field {
                    name: Name {
                        wire: f.name.value.clone(),
                        rust: rust_name,
                    },
                    ty,
                    docs: docs(&f.doc, &f.since),
                    presence: None,
                });
            }
        }
        for f in &s.fields {
            let rust_name = naming::value_name(&f.name.value);
            if !naming::is_snake_name(&f.name.value) {
                self.diags.push(
                    Diagnostic::error(
                        path,
                        f.name.pos,
                        format!("`{}` is not a field name", f.name.value),
                    )
                    .with_help(
                        "field names are snake_case wire keys: lower-case letters (of any script, accents precomposed), digits and `_`, starting with a letter or digit",
                    ),
                );
            }
            names.add(self.diags, &f.name.value, &rust_name, loc(path, f.name.pos));
            let ty = self.ty(file, &f.ty, true);
            let presence = f.presence.as_ref().map(|p| self.presence(path, p));
            if let (Some(ty), Some(p)) = (&ty, &f.presence)
                && !ty.is_optional()
            {
                self.diags.push(
                    Diagnostic::error(
                        path,
                        p.pos,
                        format!(
                            "the field `{}` has presence rules but is not optional",
                            f.name.value
                        ),
                    )
                    .with_help("some operation leaves it unset: make its type `optional<…>`"),
                );
            }
            if let Some(ty) = ty {
                fields.push(Field {
                    name: Name {
                        wire: f.name.value.clone(),
                        rust: rust_name,
                    },
                    ty,
                    docs: docs(&f.doc, &f.since),
                    presence,
                });
            }
        }
        let unions = s
            .unions
            .iter()
            .filter_map(|u| self.union(path, s, &fields, u))
            .collect();
        Structure {
            name: Name {
                wire: s.name.value.clone(),
                rust,
            },
            docs: docs(&s.doc, &s.since),
            fields,
            unions,
            extends,
        }
    }

    fn presence(&mut self, path: &str, p: &S<ast::PresenceDecl>) -> Presence {
        let presence = Presence {
            create: p.value.create.as_ref().map(|v| v.value),
            update: p.value.update.as_ref().map(|v| v.value),
            result: p.value.result.as_ref().map(|v| v.value),
        };
        if presence == Presence::default() {
            self.err(
                path,
                p.pos,
                "`presence` states no rule: give `create`, `update` or `result`",
            );
        }
        presence
    }

    fn union(
        &mut self,
        path: &str,
        s: &ast::StructDecl,
        fields: &[Field],
        u: &ast::UnionDecl,
    ) -> Option<Union> {
        let field_names = || fields.iter().map(|f| f.name.wire.as_str());
        let Some(tag) = fields.iter().find(|f| f.name.wire == u.tag.value) else {
            let mut d = Diagnostic::error(
                path,
                u.tag.pos,
                format!("`{}` has no field `{}`", s.name.value, u.tag.value),
            );
            d = d.with_suggestion(&u.tag.value, field_names());
            self.diags.push(d);
            return None;
        };
        let Type::Enumeration(tag_enum) = tag.ty.required() else {
            self.err(
                path,
                u.tag.pos,
                format!(
                    "the union tag `{}` must be a field of enumeration type",
                    u.tag.value
                ),
            );
            return None;
        };
        let qualified = tag_enum.qualified();
        let values: Vec<String> = self
            .tables
            .symbols
            .get(&qualified)
            .and_then(|sym| sym.enumeration)
            .map(|e| e.values.iter().map(|v| v.name.value.clone()).collect())
            .unwrap_or_default();
        let mut ok = true;
        let mut seen_values: BTreeSet<&str> = BTreeSet::new();
        let mut cases = Vec::new();
        for case in &u.cases {
            for v in &case.values {
                if !values.contains(&v.value) {
                    ok = false;
                    let mut d = Diagnostic::error(
                        path,
                        v.pos,
                        format!("`{}` is not a value of `{}`", v.value, tag_enum.name.wire),
                    );
                    d = d.with_suggestion(&v.value, values.iter().map(String::as_str));
                    self.diags.push(d);
                } else if !seen_values.insert(&v.value) {
                    ok = false;
                    self.err(
                        path,
                        v.pos,
                        format!("the value `{}` has two cases in this union", v.value),
                    );
                }
            }
            for f in case.required.iter().chain(&case.optional) {
                match fields.iter().find(|x| x.name.wire == f.value) {
                    None => {
                        ok = false;
                        let mut d = Diagnostic::error(
                            path,
                            f.pos,
                            format!("`{}` has no field `{}`", s.name.value, f.value),
                        );
                        d = d.with_suggestion(&f.value, field_names());
                        self.diags.push(d);
                    }
                    Some(x) if x.name.wire == u.tag.value => {
                        ok = false;
                        self.err(
                            path,
                            f.pos,
                            "a union cannot list its own tag as a case field",
                        );
                    }
                    Some(x) if !x.ty.is_optional() => {
                        ok = false;
                        self.diags.push(
                            Diagnostic::error(
                                path,
                                f.pos,
                                format!(
                                    "the union field `{}` must be optional, since other cases leave it unset",
                                    f.value
                                ),
                            )
                            .with_help("make its type `optional<…>`"),
                        );
                    }
                    Some(_) => {}
                }
            }
            cases.push(UnionCase {
                values: case.values.iter().map(|v| v.value.clone()).collect(),
                required: case.required.iter().map(|v| v.value.clone()).collect(),
                optional: case.optional.iter().map(|v| v.value.clone()).collect(),
            });
        }
        ok.then(|| Union {
            tag: u.tag.value.clone(),
            cases,
        })
    }
}
