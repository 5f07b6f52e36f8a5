//! Services and their operations: parameters, results, errors, privileges, and routes that
//! must stay apart.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Loc};
use crate::idl::ast::{self};
use crate::ir::{
    Condition, Name, Operation, OperationError, OperationResult, Param, Privilege, PrivilegeScope,
    Rest, Service, Type,
};
use crate::naming;

use super::{Kind, Resolver, RustNames, docs, loc};

impl<'a> Resolver<'a, '_, '_> {
    pub(super) fn service(
        &mut self,
        file: &'a ast::File,
        s: &'a ast::ServiceDecl,
        rust: String,
        module: String,
    ) -> Service {
        let path = file.path.as_str();
        let mut names = RustNames::new("the operation");
        // Names derived from an operation's, in the service module: its error type (`a1b` and
        // `a_1b` are both `A1bError`) and its descriptor constant.
        let mut error_types = RustNames::new("the operation");
        let mut descriptors = RustNames::new("the operation");
        let mut routes: BTreeMap<Route, (String, Loc)> = BTreeMap::new();
        let mut operations = Vec::with_capacity(s.operations.len());
        for op in &s.operations {
            let rust_name = naming::value_name(&op.name.value);
            if !naming::is_snake_name(&op.name.value) {
                self.diags.push(
                    Diagnostic::error(
                        path,
                        op.name.pos,
                        format!("`{}` is not an operation name", op.name.value),
                    )
                    .with_help("operation names are snake_case: lower-case letters (of any script, accents precomposed), digits and `_`, starting with a letter or digit"),
                );
            }
            let at = loc(path, op.name.pos);
            if names.add(self.diags, &op.name.value, &rust_name, at.clone()) {
                let error_type = naming::operation_error_name(&op.name.value);
                let descriptor = naming::descriptor_name(&op.name.value);
                if error_types.add(self.diags, &op.name.value, &error_type, at.clone()) {
                    descriptors.add(self.diags, &op.name.value, &descriptor, at);
                }
            }
            if let Some(resolved) = self.operation(file, op, rust_name) {
                if let (Some(rest), Some(decl)) = (&resolved.rest, &op.rest) {
                    let at = loc(path, decl.path.pos);
                    self.check_route(&mut routes, &resolved, rest, at);
                }
                operations.push(resolved);
            }
        }
        Service {
            name: Name {
                wire: s.name.value.clone(),
                rust,
            },
            module,
            docs: docs(&s.doc, &s.since),
            resource_type: s.resource_type.as_ref().map(|r| r.value.clone()),
            operations,
        }
    }

    /// Two operations of a service that a request cannot tell apart (same method, path pattern
    /// and action, and the same required query parameters) would make one of them unreachable.
    fn check_route(
        &mut self,
        routes: &mut BTreeMap<Route, (String, Loc)>,
        op: &Operation,
        rest: &Rest,
        at: Loc,
    ) {
        let required: BTreeSet<String> =
            op.required_query().into_iter().map(str::to_owned).collect();
        let route = Route {
            method: rest.method.as_str(),
            pattern: naming::route_pattern(&rest.path).0,
            action: rest.action.clone(),
            required,
        };
        if let Some((first, first_at)) = routes.get(&route) {
            let action = route
                .action
                .as_ref()
                .map(|a| format!("?action={a}"))
                .unwrap_or_default();
            self.diags.push(
                Diagnostic::at(
                    &at,
                    format!(
                        "the operations `{}` and `{first}` both answer {} {}{action}",
                        op.name.wire, route.method, rest.path
                    ),
                )
                .with_related(first_at.clone(), format!("`{first}` is mapped here"))
                .with_help(
                    "give one of them another path or action, or a required query parameter",
                ),
            );
            return;
        }
        routes.insert(route, (op.name.wire.clone(), at));
    }

    fn operation(
        &mut self,
        file: &'a ast::File,
        op: &'a ast::OperationDecl,
        rust: String,
    ) -> Option<Operation> {
        let path = file.path.as_str();
        let mut names = RustNames::new("the parameter");
        let mut params = Vec::with_capacity(op.params.len());
        for p in &op.params {
            let rust_name = naming::value_name(&p.name.value);
            if !naming::is_snake_name(&p.name.value) {
                self.diags.push(
                    Diagnostic::error(
                        path,
                        p.name.pos,
                        format!("`{}` is not a parameter name", p.name.value),
                    )
                    .with_help("parameter names are snake_case: lower-case letters (of any script, accents precomposed), digits and `_`, starting with a letter or digit"),
                );
            }
            names.add(self.diags, &p.name.value, &rust_name, loc(path, p.name.pos));
            if let Some(ty) = self.ty(file, &p.ty, true) {
                params.push(Param {
                    name: Name {
                        wire: p.name.value.clone(),
                        rust: rust_name,
                    },
                    ty,
                    docs: docs(&p.doc, &p.since),
                });
            }
        }
        let result = op.result.as_ref().and_then(|r| {
            Some(OperationResult {
                ty: self.ty(file, &r.ty, true)?,
                doc: r.doc.value.clone(),
            })
        });
        let errors = self.operation_errors(file, op);
        let taken: Vec<String> = errors.iter().map(|e| e.variant.clone()).collect();
        let privileges = op
            .privileges
            .iter()
            .filter_map(|p| self.privilege(file, op, &params, p))
            .collect();
        let rest = op.rest.as_ref().and_then(|r| self.rest(path, op, r));
        Some(Operation {
            error_type: naming::operation_error_name(&op.name.value),
            unhandled_variant: naming::unhandled_variant_name(&taken),
            descriptor: naming::descriptor_name(&op.name.value),
            name: Name {
                wire: op.name.value.clone(),
                rust,
            },
            kind: op.kind,
            docs: docs(&op.doc, &op.since),
            params,
            result,
            errors,
            privileges,
            rest,
        })
    }

    fn operation_errors(
        &mut self,
        file: &ast::File,
        op: &ast::OperationDecl,
    ) -> Vec<OperationError> {
        let path = file.path.as_str();
        let mut errors: Vec<OperationError> = Vec::new();
        let mut variants = RustNames::new("the error variant");
        for e in &op.errors {
            let Some((qualified, sym)) = self.lookup(&file.package.value, &e.error.value) else {
                let mut d = Diagnostic::error(
                    path,
                    e.error.pos,
                    format!("unknown error type `{}`", e.error.value),
                );
                let errors = self.candidates(&file.package.value, &[Kind::Error]);
                d = d.with_suggestion_or(
                    &e.error.value,
                    errors.iter().map(String::as_str),
                    "standard errors are named in full: `com.vmware.vapi.std.errors.NotFound`",
                );
                self.diags.push(d);
                continue;
            };
            if sym.kind != Kind::Error {
                let at = sym.loc();
                let what = sym.kind.describe();
                self.diags.push(
                    Diagnostic::error(
                        path,
                        e.error.pos,
                        format!("`{}` is {what}, not an error type", e.error.value),
                    )
                    .with_related(at, "defined here")
                    .with_help("operations can only report types declared under `errors:`"),
                );
                continue;
            }
            let r = sym.type_ref.clone();
            let condition = Condition {
                text: e.when.value.clone(),
                since: e.since.as_ref().map(|s| s.value.clone()),
            };
            if let Some(existing) = errors.iter_mut().find(|x| x.error == r) {
                existing.conditions.push(condition);
                continue;
            }
            let variant = r.name.rust.clone();
            variants.add(self.diags, &qualified, &variant, loc(path, e.error.pos));
            errors.push(OperationError {
                error: r,
                variant,
                conditions: vec![condition],
            });
        }
        errors
    }

    fn privilege(
        &mut self,
        file: &ast::File,
        op: &ast::OperationDecl,
        params: &[Param],
        p: &ast::PrivilegeDecl,
    ) -> Option<Privilege> {
        let path = file.path.as_str();
        if p.privileges.is_empty() {
            self.err(path, p.pos, "a privilege entry lists no privileges");
        }
        let privileges = p.privileges.iter().map(|v| v.value.clone()).collect();
        let (Some(resource), Some(param)) = (&p.resource, &p.param) else {
            return Some(Privilege {
                privileges,
                scope: PrivilegeScope::Operation,
            });
        };
        if !self.tables.resources.contains_key(&resource.value) {
            let mut d = Diagnostic::error(
                path,
                resource.pos,
                format!("unknown resource type `{}`", resource.value),
            );
            d = d.with_suggestion(
                &resource.value,
                self.tables.resources.keys().map(String::as_str),
            );
            self.diags.push(d);
            return None;
        }
        let segments: Vec<&str> = param.value.split('.').collect();
        let first = segments.first().copied().unwrap_or_default();
        let Some(decl) = op.params.iter().find(|x| x.name.value == first) else {
            let mut d = Diagnostic::error(
                path,
                param.pos,
                format!("`{}` has no parameter `{first}`", op.name.value),
            );
            d = d.with_suggestion(first, op.params.iter().map(|x| x.name.value.as_str()));
            self.diags.push(d);
            return None;
        };
        // Walk into structure fields for `param.field`.
        let mut ty = params
            .iter()
            .find(|x| x.name.wire == decl.name.value)
            .map(|x| x.ty.clone())?;
        let mut offset = first.chars().count() + 1;
        for seg in segments.iter().skip(1) {
            let Some(inner) = element(&ty) else {
                self.err(
                    path,
                    param.pos.shifted(offset),
                    format!(
                        "`{}` is not a structure, so it has no field `{seg}`",
                        param.value
                    ),
                );
                return None;
            };
            let Type::Structure(r) = inner else {
                self.err(
                    path,
                    param.pos.shifted(offset),
                    format!("cannot reach `{seg}`: what precedes it is not a structure"),
                );
                return None;
            };
            let decl = self.tables.symbols.get(&r.qualified()).and_then(|s| s.decl);
            let Some(field) = decl.and_then(|d| d.fields.iter().find(|f| f.name.value == *seg))
            else {
                let mut d = Diagnostic::error(
                    path,
                    param.pos.shifted(offset),
                    format!("`{}` has no field `{seg}`", r.name.wire),
                );
                if let Some(decl) = decl {
                    d = d.with_suggestion(seg, decl.fields.iter().map(|f| f.name.value.as_str()));
                }
                self.diags.push(d);
                return None;
            };
            let owner = self.tables.symbols.get(&r.qualified())?;
            let owner_file = self.tables.packages.get(owner.package).copied()?;
            ty = self.field_type(owner_file, field)?;
            offset += seg.chars().count() + 1;
        }
        if !matches!(element(&ty), Some(Type::Id(_))) {
            self.diags.push(
                Diagnostic::error(
                    path,
                    param.pos,
                    format!("`{}` is not an identifier, so it references no resource", param.value),
                )
                .with_help("name the parameter (or `parameter.field`) whose `id(...)` value the privilege applies to"),
            );
            return None;
        }
        Some(Privilege {
            privileges,
            scope: PrivilegeScope::Resource {
                resource_type: resource.value.clone(),
                path: segments.iter().map(|s| (*s).to_owned()).collect(),
            },
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Route {
    method: &'static str,
    /// The path with its variables renamed by position: `/a/{x}` and `/a/{y}` are one route.
    pattern: String,
    action: Option<String>,
    /// The names of the query parameters the operation requires.
    required: BTreeSet<String>,
}

/// The element type a privilege path looks through: the value of `optional`, `list` and `set`.
fn element(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Optional(inner) | Type::List(inner) | Type::Set(inner) => element(inner),
        Type::Map(..) => None,
        other => Some(other),
    }
}
