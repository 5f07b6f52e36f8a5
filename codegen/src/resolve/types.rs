//! Type expressions → [`Type`]: references looked up, and where each constructor may appear.

use std::collections::BTreeSet;

use crate::diag::Diagnostic;
use crate::idl::ast::{self, S, TypeExpr};
use crate::ir::Primitive;
use crate::ir::{IdType, Name, Type};
use crate::naming;

use super::{Kind, Resolver};

impl<'a> Resolver<'a, '_, '_> {
    /// Resolves a type as written in `file`. `top` is true at the outermost level, the only
    /// place `optional<…>` may appear.
    pub(super) fn ty(&mut self, file: &ast::File, ty: &S<TypeExpr>, top: bool) -> Option<Type> {
        let path = &file.path;
        match &ty.value {
            TypeExpr::Primitive(p) => Some(Type::Primitive(*p)),
            TypeExpr::Id(resources) => {
                let mut ok = true;
                for rt in resources {
                    if !self.tables.resources.contains_key(&rt.value) {
                        ok = false;
                        let mut d = Diagnostic::error(
                            path,
                            rt.pos,
                            format!("unknown resource type `{}`", rt.value),
                        );
                        d = d.with_suggestion_or(
                            &rt.value,
                            self.tables.resources.keys().map(String::as_str),
                            "declare it as a service's `resource_type` or under `resource_types` of its package",
                        );
                        self.diags.push(d);
                    }
                }
                if !ok {
                    return None;
                }
                let unique: BTreeSet<&str> = resources.iter().map(|r| r.value.as_str()).collect();
                if unique.len() != resources.len() {
                    self.err(path, ty.pos, "a resource type is listed twice in `id(...)`");
                }
                match resources.as_slice() {
                    [one] => {
                        let (package, _) = one.value.rsplit_once('.').unwrap_or(("", ""));
                        Some(Type::Id(Box::new(IdType::Resource {
                            package: self.tables.package_name(package),
                            name: Name {
                                wire: one.value.clone(),
                                rust: naming::id_type_name(&one.value),
                            },
                        })))
                    }
                    many => Some(Type::Id(Box::new(IdType::General(
                        many.iter().map(|r| r.value.clone()).collect(),
                    )))),
                }
            }
            TypeExpr::Optional(inner) => {
                if !top {
                    self.diags.push(
                        Diagnostic::error(path, ty.pos, "`optional<…>` may only be the outermost type")
                            .with_help("a list, set or map cannot hold unset elements; write `optional<list<T>>` for a list that may be unset"),
                    );
                    return None;
                }
                Some(Type::Optional(Box::new(self.ty(file, inner, false)?)))
            }
            TypeExpr::List(inner) => Some(Type::List(Box::new(self.ty(file, inner, false)?))),
            TypeExpr::Set(inner) => {
                let member = self.ty(file, inner, false)?;
                // Repeats are found by ordering the members, so they need a total order.
                let ok = matches!(
                    member,
                    Type::Primitive(
                        Primitive::String
                            | Primitive::Long
                            | Primitive::Boolean
                            | Primitive::Uri
                            | Primitive::DateTime
                    ) | Type::Id(_)
                        | Type::Enumeration(_)
                );
                if !ok {
                    self.diags.push(
                        Diagnostic::error(
                            path,
                            inner.pos,
                            "a set member must be a string, long, boolean, uri, datetime, id or enumeration",
                        )
                        .with_help("use `list<…>` for members that cannot be compared"),
                    );
                    return None;
                }
                Some(Type::Set(Box::new(member)))
            }
            TypeExpr::Map(k, v) => {
                let key = self.ty(file, k, false);
                let value = self.ty(file, v, false);
                let key = key?;
                let ok = matches!(
                    key,
                    Type::Primitive(Primitive::String) | Type::Id(_) | Type::Enumeration(_)
                );
                if !ok {
                    self.diags.push(
                        Diagnostic::error(
                            path,
                            k.pos,
                            "a map key must be a string, an id or an enumeration",
                        )
                        .with_help("JSON object keys are strings"),
                    );
                    return None;
                }
                Some(Type::Map(Box::new(key), Box::new(value?)))
            }
            TypeExpr::Named(name) => {
                let package = file.package.value.as_str();
                let Some((_, sym)) = self.lookup(package, name) else {
                    let mut d = Diagnostic::error(path, ty.pos, format!("unknown type `{name}`"));
                    // Declared types first: on a tie they win over a primitive.
                    let mut types = self.candidates(package, &[Kind::Structure, Kind::Enumeration]);
                    types.extend(Primitive::spellings().map(str::to_owned));
                    d = d.with_suggestion_or(
                        name,
                        types.iter().map(String::as_str),
                        "name a structure or enumeration of this package, or another package's by its full name",
                    );
                    self.diags.push(d);
                    return None;
                };
                let r = sym.type_ref.clone();
                match sym.kind {
                    Kind::Structure => Some(Type::Structure(r)),
                    Kind::Enumeration => Some(Type::Enumeration(r)),
                    kind => {
                        let at = sym.loc();
                        self.diags.push(
                            Diagnostic::error(
                                path,
                                ty.pos,
                                format!(
                                    "`{name}` is {}, not a structure or enumeration",
                                    kind.describe()
                                ),
                            )
                            .with_related(at, "defined here"),
                        );
                        None
                    }
                }
            }
        }
    }

    /// The type of field `f` declared in `file`, if it resolves, for the errors that inherit
    /// it and the privilege paths through it: its mistakes are reported where it is declared,
    /// so they are dropped here. (Resolving it again costs less than a table of every field's
    /// type, which was held beside the model at the memory peak.)
    pub(super) fn field_type(&self, file: &'a ast::File, f: &ast::FieldDecl) -> Option<Type> {
        self.tables.resolver(&mut Vec::new()).ty(file, &f.ty, true)
    }
}
