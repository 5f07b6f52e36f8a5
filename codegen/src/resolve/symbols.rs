//! Pass 1: the symbol table. Packages, named types, services and resource types of every file,
//! each declared once, and the lookups (with their did-you-mean) later passes use.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diag::{Diagnostic, Loc, Pos};
use crate::idl::ast::{self, S};
use crate::ir::{Name, Text, TypeRef};
use crate::naming;

use super::names::RustNames;
use super::{Indexer, Kind, Resolver, Symbol, Tables, loc};

impl<'a, 'd> Indexer<'a, 'd> {
    pub(super) fn new(diags: &'d mut Vec<Diagnostic>) -> Self {
        Indexer {
            diags,
            tables: Tables {
                symbols: BTreeMap::new(),
                resources: BTreeMap::new(),
                packages: BTreeMap::new(),
                package_names: BTreeMap::new(),
            },
        }
    }

    fn err(&mut self, file: &str, pos: Pos, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(file, pos, message));
    }

    /// Pass 1: packages, named types, services and resource types of every file.
    pub(super) fn index(mut self, files: &'a [ast::File]) -> Tables<'a> {
        for file in files {
            let pkg = &file.package;
            let valid = !pkg.value.is_empty()
                && pkg.value.split('.').all(|seg| {
                    seg.starts_with(|c: char| c.is_ascii_lowercase())
                        && seg
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                });
            if !valid {
                self.err(
                    &file.path,
                    pkg.pos,
                    format!(
                        "`{}` is not a package name: use lowercase segments separated by dots",
                        pkg.value
                    ),
                );
            }
            let expected = format!("{}.yaml", pkg.value.replace('.', "/"));
            if valid && file.path != expected {
                self.diags.push(
                    Diagnostic::error(
                        &file.path,
                        pkg.pos,
                        format!(
                            "package `{}` must live in `{expected}`, not in `{}`",
                            pkg.value, file.path
                        ),
                    )
                    .with_help("move the file or change `package:` so that they agree"),
                );
            }
            if let Some(first) = self.tables.packages.get(pkg.value.as_str()) {
                let first = loc(&first.path, first.package.pos);
                self.diags.push(
                    Diagnostic::error(
                        &file.path,
                        pkg.pos,
                        format!("package `{}` is declared twice", pkg.value),
                    )
                    .with_related(first, "first declared here"),
                );
                continue;
            }
            self.tables.packages.insert(&pkg.value, file);
            self.tables
                .package_names
                .insert(&pkg.value, Text::from(pkg.value.as_str()));
        }
        self.check_package_modules();
        for file in self.tables.packages.values().copied().collect::<Vec<_>>() {
            self.index_file(file);
        }
        for file in self.tables.packages.values().copied().collect::<Vec<_>>() {
            self.index_resources(file);
        }
        self.tables
    }

    fn add_symbol(&mut self, file: &'a ast::File, name: &'a S<String>, sym: Symbol<'a>) {
        let qualified = format!("{}.{}", file.package.value, name.value);
        if let Some(first) = self.tables.symbols.get(&qualified) {
            let first_loc = first.loc();
            let what = first.kind.describe();
            self.diags.push(
                Diagnostic::error(
                    &file.path,
                    name.pos,
                    format!("`{}` is already defined as {what}", name.value),
                )
                .with_related(first_loc, "first defined here"),
            );
            return;
        }
        self.tables.symbols.insert(qualified, sym);
    }

    fn index_file(&mut self, file: &'a ast::File) {
        let package = file.package.value.as_str();
        let mut names = Vec::new();
        for s in &file.structures {
            names.push((&s.name, Kind::Structure, Some(s), None));
        }
        for e in &file.errors {
            names.push((&e.name, Kind::Error, Some(e), None));
        }
        for e in &file.enumerations {
            names.push((&e.name, Kind::Enumeration, None, Some(e)));
        }
        for (name, kind, decl, enumeration) in names {
            if !self.check_type_name(file, name) {
                continue;
            }
            let sym = Symbol {
                kind,
                package,
                file: &file.path,
                pos: name.pos,
                decl,
                enumeration,
                type_ref: self.type_ref(package, &name.value),
            };
            self.add_symbol(file, name, sym);
        }
        for s in &file.services {
            if !self.check_type_name(file, &s.name) {
                continue;
            }
            if s.name.value.contains('.') {
                self.err(
                    &file.path,
                    s.name.pos,
                    format!("a service name cannot be dotted: `{}`", s.name.value),
                );
                continue;
            }
            let sym = Symbol {
                kind: Kind::Service,
                package,
                file: &file.path,
                pos: s.name.pos,
                decl: None,
                enumeration: None,
                type_ref: self.type_ref(package, &s.name.value),
            };
            self.add_symbol(file, &s.name, sym);
        }
    }

    /// What a reference to the type (or service) `local` of `package` is. A service gets one
    /// too, never read (a type reference naming a service is a mistake), so that every symbol
    /// has one and references need no `Option`.
    fn type_ref(&self, package: &str, local: &str) -> Arc<TypeRef> {
        Arc::new(TypeRef {
            package: self.tables.package_name(package),
            name: Name {
                wire: local.to_owned(),
                rust: naming::type_name(local),
            },
        })
    }

    /// Type names are UpperCamelCase segments joined by dots.
    fn check_type_name(&mut self, file: &ast::File, name: &S<String>) -> bool {
        let ok = name.value.split('.').all(naming::is_type_segment);
        if !ok {
            self.diags.push(
                Diagnostic::error(
                    &file.path,
                    name.pos,
                    format!("`{}` is not a type name", name.value),
                )
                .with_help("type names are UpperCamelCase letters (of any script, accents precomposed) and digits, with `.` between a nested type and its owner: `File.Info`"),
            );
        }
        ok
    }

    fn index_resources(&mut self, file: &'a ast::File) {
        let mut declared: Vec<(String, Loc)> = Vec::new();
        for rt in &file.resource_types {
            if rt.name.value.contains('.') || !self.check_type_name(file, &rt.name) {
                self.err(
                    &file.path,
                    rt.name.pos,
                    format!(
                        "a resource type of `resource_types` is a simple UpperCamelCase name, found `{}`",
                        rt.name.value
                    ),
                );
                continue;
            }
            declared.push((
                format!("{}.{}", file.package.value, rt.name.value),
                loc(&file.path, rt.name.pos),
            ));
        }
        for s in &file.services {
            let Some(rt) = &s.resource_type else { continue };
            let Some((owner, simple)) = rt.value.rsplit_once('.') else {
                self.diags.push(
                    Diagnostic::error(
                        &file.path,
                        rt.pos,
                        format!("the resource type `{}` is not fully qualified", rt.value),
                    )
                    .with_help(format!("write `{}.{}`", file.package.value, rt.value)),
                );
                continue;
            };
            if !self.tables.packages.contains_key(owner) {
                self.err(
                    &file.path,
                    rt.pos,
                    format!(
                        "the resource type `{}` belongs to package `{owner}`, which no IDL file declares",
                        rt.value
                    ),
                );
                continue;
            }
            if !naming::is_type_segment(simple) {
                self.err(
                    &file.path,
                    rt.pos,
                    format!(
                        "the resource type `{}` must end in an UpperCamelCase name",
                        rt.value
                    ),
                );
                continue;
            }
            declared.push((rt.value.clone(), loc(&file.path, rt.pos)));
        }
        for (name, at) in declared {
            if let Some(first) = self.tables.resources.get(&name) {
                let first = first.clone();
                self.diags.push(
                    Diagnostic::at(&at, format!("resource type `{name}` is declared twice"))
                        .with_related(first, "first declared here"),
                );
                continue;
            }
            self.tables.resources.insert(name, at);
        }
    }
}

impl<'a> Resolver<'a, '_, '_> {
    /// The Rust name of a type this package declares, taken in the package's type names (a
    /// clash is reported there) after its owner is checked.
    pub(super) fn declare_type(
        &mut self,
        file: &ast::File,
        types: &mut RustNames,
        name: &S<String>,
    ) -> String {
        let rust = naming::type_name(&name.value);
        types.add(self.diags, &name.value, &rust, loc(&file.path, name.pos));
        self.check_owner(file, name);
        rust
    }

    /// A nested type's owner must be a structure, error or service of the same package.
    pub(super) fn check_owner(&mut self, file: &ast::File, name: &S<String>) {
        let Some((owner, _)) = name.value.rsplit_once('.') else {
            return;
        };
        let qualified = format!("{}.{owner}", file.package.value);
        match self.tables.symbols.get(&qualified) {
            Some(sym) if sym.kind != Kind::Enumeration => {}
            Some(_) => self.err(
                &file.path,
                name.pos,
                format!("`{}` is nested in `{owner}`, an enumeration; only structures, errors and services can own types", name.value),
            ),
            None => {
                let mut d = Diagnostic::error(
                    &file.path,
                    name.pos,
                    format!(
                        "`{}` is nested in `{owner}`, which this package does not define",
                        name.value
                    ),
                );
                let owners = self.candidates(
                    &file.package.value,
                    &[Kind::Structure, Kind::Error, Kind::Service],
                );
                d = d.with_suggestion(owner, owners.iter().map(String::as_str));
                self.diags.push(d);
            }
        }
    }

    /// Looks `name` up from `package`: first in the package, then as a qualified name.
    pub(super) fn lookup(&self, package: &str, name: &str) -> Option<(String, &Symbol<'a>)> {
        let local = format!("{package}.{name}");
        if let Some(sym) = self.tables.symbols.get(&local) {
            return Some((local, sym));
        }
        self.tables
            .symbols
            .get(name)
            .map(|sym| (name.to_owned(), sym))
    }

    /// The names of the wanted kinds as written from `package` (local names unqualified), for
    /// a did-you-mean on an unknown reference.
    pub(super) fn candidates(&self, package: &str, kinds: &[Kind]) -> Vec<String> {
        let prefix = format!("{package}.");
        self.tables
            .symbols
            .iter()
            .filter(|(_, s)| kinds.contains(&s.kind))
            .map(|(q, _)| match q.strip_prefix(&prefix) {
                Some(local) => local.to_owned(),
                None => q.clone(),
            })
            .collect()
    }
}

impl Tables<'_> {
    /// The shared name of `package` (see `Tables::package_names`).
    pub(super) fn package_name(&self, package: &str) -> Text {
        self.package_names
            .get(package)
            .cloned()
            .unwrap_or_else(|| package.into())
    }
}
