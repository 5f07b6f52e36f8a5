//! Phase 3, resolve and validate: every decoded file → one [`Model`], with each reference looked
//! up across files and every rule of `idl/README.md` checked. All errors of the phase are
//! collected; the model is returned only when there are none.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

use crate::diag::{Diagnostic, Loc, Pos};
use crate::idl::ast::{self, S};
use crate::ir::{Docs, Model, Name, Package, ResourceType, Text, TypeRef};
use crate::naming;

mod compact;
mod cycles;
mod data;
mod names;
mod rest;
mod services;
mod symbols;
#[cfg(test)]
mod tests;
mod types;

use names::RustNames;

/// Resolves and validates decoded files. Returns `None` if anything was pushed to `diags`.
pub fn resolve(files: &[ast::File], diags: &mut Vec<Diagnostic>) -> Option<Model> {
    let before = diags.len();
    let tables = Indexer::new(diags).index(files);
    // Before the packages are made: what it builds is not held beside the model.
    tables.resolver(diags).check_cycles(files);
    let foreign_resources = tables.foreign_resources();
    // Each package is resolved on its own, reading only the tables: on several threads, each
    // package's mistakes kept apart and reported in the files' order, as one thread would.
    let made = crate::threads::on_threads(files.len(), &|i| {
        let mut found = Vec::new();
        let mut package = tables
            .resolver(&mut found)
            .package(&files[i], &foreign_resources);
        compact::package(&mut package);
        (package, found)
    });
    let mut packages = Vec::with_capacity(made.len());
    for (package, found) in made {
        diags.extend(found);
        packages.push(package);
    }
    if diags.len() > before {
        return None;
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    Some(Model { packages })
}

/// Package → the services of other packages that declare a resource type of it, in the order
/// of the declaring packages' names.
type ForeignResources<'a> = BTreeMap<&'a str, Vec<(&'a ast::File, &'a ast::ServiceDecl)>>;

/// What a qualified name declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Structure,
    Enumeration,
    Error,
    Service,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::Structure => "a structure",
            Kind::Enumeration => "an enumeration",
            Kind::Error => "an error type",
            Kind::Service => "a service",
        }
    }
}

/// A declared type, service or error, by fully qualified name.
struct Symbol<'a> {
    kind: Kind,
    package: &'a str,
    /// The file that declares it (its place is `loc()`).
    file: &'a str,
    /// Where its name is written.
    pos: Pos,
    /// Structures and errors: their declaration.
    decl: Option<&'a ast::StructDecl>,
    /// Enumerations: their declaration.
    enumeration: Option<&'a ast::EnumDecl>,
    /// What a reference to it is: one for all its references.
    type_ref: Arc<TypeRef>,
}

impl Symbol<'_> {
    /// Where it is declared.
    fn loc(&self) -> Loc {
        loc(self.file, self.pos)
    }
}

/// What pass 1 finds in every file, read by every later pass.
struct Tables<'a> {
    symbols: BTreeMap<String, Symbol<'a>>,
    /// Resource type → where it was declared.
    resources: BTreeMap<String, Loc>,
    /// Package → its file.
    packages: BTreeMap<&'a str, &'a ast::File>,
    /// Package → its name as the model's type references hold it, one copy for them all.
    package_names: BTreeMap<&'a str, Text>,
}

/// Pass 1: builds the [`Tables`] (see `symbols.rs`).
struct Indexer<'a, 'd> {
    diags: &'d mut Vec<Diagnostic>,
    tables: Tables<'a>,
}

/// The later passes: the tables, read only, and where this pass's mistakes go.
struct Resolver<'a, 'd, 't> {
    diags: &'d mut Vec<Diagnostic>,
    tables: &'t Tables<'a>,
}

impl<'a> Tables<'a> {
    fn resolver<'d>(&self, diags: &'d mut Vec<Diagnostic>) -> Resolver<'a, 'd, '_> {
        Resolver {
            diags,
            tables: self,
        }
    }

    /// The services whose resource type belongs to another package, by that package: looked
    /// up for each package instead of each package scanning every other package's services.
    fn foreign_resources(&self) -> ForeignResources<'a> {
        let mut by_owner: ForeignResources<'a> = BTreeMap::new();
        for &f in self.packages.values() {
            for s in &f.services {
                let owner = s
                    .resource_type
                    .as_ref()
                    .and_then(|rt| rt.value.rsplit_once('.'));
                if let Some((owner, _)) = owner
                    && owner != f.package.value
                {
                    by_owner.entry(owner).or_default().push((f, s));
                }
            }
        }
        by_owner
    }
}

fn loc(file: &str, pos: Pos) -> Loc {
    Loc {
        file: file.to_owned(),
        pos,
    }
}

fn docs(doc: &S<Text>, since: &ast::Since) -> Docs {
    Docs {
        text: doc.value.clone(),
        since: since.as_ref().map(|s| s.value.clone()),
    }
}

impl<'a> Resolver<'a, '_, '_> {
    pub(super) fn err(&mut self, file: &str, pos: Pos, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(file, pos, message));
    }

    /// Pass 2: one package.
    fn package(
        &mut self,
        file: &'a ast::File,
        foreign_resources: &ForeignResources<'a>,
    ) -> Package {
        let name = file.package.value.clone();
        let mut types = RustNames::new("the type");
        types.exact = false;
        let mut modules = RustNames::new("the service");
        let mut resource_types = Vec::new();
        for rt in &file.resource_types {
            let wire = format!("{name}.{}", rt.name.value);
            resource_types.push(ResourceType {
                name: Name {
                    rust: naming::id_type_name(&wire),
                    wire,
                },
                docs: docs(&rt.doc, &None),
            });
        }
        for s in &file.services {
            if let Some(rt) = &s.resource_type
                && rt.value.rsplit_once('.').is_some_and(|(p, _)| p == name)
            {
                resource_types.push(ResourceType {
                    name: Name {
                        wire: rt.value.clone(),
                        rust: naming::id_type_name(&rt.value),
                    },
                    docs: Docs {
                        text: format!("The resource type of the `{}` service.", s.name.value)
                            .into(),
                        since: s.since.as_ref().map(|v| v.value.clone()),
                    },
                });
            }
        }
        // Resource types declared by services of other packages but owned by this one.
        let foreign = foreign_resources.get(name.as_str()).into_iter().flatten();
        for &(f, s) in foreign {
            let Some(rt) = &s.resource_type else {
                continue;
            };
            resource_types.push(ResourceType {
                name: Name {
                    wire: rt.value.clone(),
                    rust: naming::id_type_name(&rt.value),
                },
                docs: Docs {
                    text: format!(
                        "The resource type of the `{}.{}` service.",
                        f.package.value, s.name.value
                    )
                    .into(),
                    since: s.since.as_ref().map(|v| v.value.clone()),
                },
            });
        }
        resource_types.sort_by(|a, b| a.name.cmp(&b.name));
        resource_types.dedup_by(|a, b| a.name == b.name);
        for rt in &resource_types {
            let at = self
                .tables
                .resources
                .get(&rt.name.wire)
                .cloned()
                .unwrap_or_else(|| loc(&file.path, file.package.pos));
            types.add(self.diags, &rt.name.wire, &rt.name.rust, at);
        }

        let mut enumerations = Vec::with_capacity(file.enumerations.len());
        for e in &file.enumerations {
            let rust = self.declare_type(file, &mut types, &e.name);
            enumerations.push(self.enumeration(file, e, rust));
        }
        let mut structures = Vec::with_capacity(file.structures.len());
        for s in &file.structures {
            let rust = self.declare_type(file, &mut types, &s.name);
            structures.push(self.structure(file, s, rust));
        }
        let mut errors = Vec::with_capacity(file.errors.len());
        for s in &file.errors {
            let rust = self.declare_type(file, &mut types, &s.name);
            errors.push(self.structure(file, s, rust));
        }
        // The modules below this package's: one per child package, and one per first segment
        // of deeper packages (`a.b.c` without `a.b` still makes the module `a::b`).
        let prefix = format!("{name}.");
        let mut child_modules: BTreeMap<String, (String, Loc)> = BTreeMap::new();
        // The packages below are the names that follow the prefix, in order: a range, not a
        // scan of every package (which made resolving quadratic in the number of packages).
        let below = self
            .tables
            .packages
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded));
        for (p, f) in below {
            let Some(rest) = p.strip_prefix(&prefix) else {
                break;
            };
            let segment = rest.split('.').next().unwrap_or(rest);
            child_modules
                .entry(naming::module_name(segment))
                .or_insert_with(|| ((*p).to_owned(), loc(&f.path, f.package.pos)));
        }
        for (module, (package, at)) in &child_modules {
            modules.reserve(package, module, at.clone());
        }
        let children: Vec<String> = child_modules.into_keys().collect();
        let mut services = Vec::with_capacity(file.services.len());
        for s in &file.services {
            let rust = naming::type_name(&s.name.value);
            let at = loc(&file.path, s.name.pos);
            let module = naming::service_module_name(&s.name.value, &children);
            // Services whose traits clash have clashing modules too: report that once.
            // Modules and types share Rust's type namespace: in a script without case (`名前`)
            // or with digits only (`3D`) a service's module can be spelled like a type.
            if types.add(self.diags, &s.name.value, &rust, at.clone())
                && modules.add(self.diags, &s.name.value, &module, at.clone())
            {
                types.add(self.diags, &s.name.value, &module, at);
            }
            services.push(self.service(file, s, rust, module));
        }
        Package {
            module_path: naming::package_module_path(&name),
            name,
            file: file.path.clone(),
            docs: docs(&file.doc, &file.since),
            resource_types,
            enumerations,
            structures,
            errors,
            services,
        }
    }
}
