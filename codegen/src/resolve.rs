//! Phase 3, resolve and validate: every decoded file → one [`Model`], with each reference looked
//! up across files and every rule of `idl/README.md` checked. All errors of the phase are
//! collected; the model is returned only when there are none.

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{self, S, TypeExpr};
use crate::diag::{Diagnostic, Loc, Pos, did_you_mean};
use crate::ir::Primitive;
use crate::ir::{
    Body, Condition, Docs, EnumValue, Enumeration, Field, HttpMethod, IdType, InputRule, Model,
    Name, Operation, OperationError, OperationResult, OutputRule, Package, Param, Presence,
    Privilege, PrivilegeScope, ResourceType, Rest, Service, Structure, Type, TypeRef, Union,
    UnionCase,
};
use crate::naming;

/// Resolves and validates decoded files. Returns `None` if anything was pushed to `diags`.
pub fn resolve(files: &[ast::File], diags: &mut Vec<Diagnostic>) -> Option<Model> {
    let before = diags.len();
    let mut r = Resolver {
        diags,
        symbols: BTreeMap::new(),
        resources: BTreeMap::new(),
        packages: BTreeMap::new(),
    };
    r.index(files);
    let mut packages: Vec<Package> = files.iter().map(|f| r.package(f)).collect();
    r.check_cycles(files);
    if r.diags.len() > before {
        return None;
    }
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    Some(Model { packages })
}

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
    /// The name inside its package (`File.Info`).
    local: &'a str,
    loc: Loc,
    /// Structures and errors: their declaration.
    decl: Option<&'a ast::StructDecl>,
    /// Enumerations: their declaration.
    enumeration: Option<&'a ast::EnumDecl>,
}

struct Resolver<'a, 'd> {
    diags: &'d mut Vec<Diagnostic>,
    symbols: BTreeMap<String, Symbol<'a>>,
    /// Resource type → where it was declared.
    resources: BTreeMap<String, Loc>,
    /// Package → its file.
    packages: BTreeMap<&'a str, &'a ast::File>,
}

fn loc(file: &str, pos: Pos) -> Loc {
    Loc {
        file: file.to_owned(),
        pos,
    }
}

fn docs(doc: &S<String>, since: &Option<S<String>>) -> Docs {
    Docs {
        text: doc.value.clone(),
        since: since.as_ref().map(|s| s.value.clone()),
    }
}

/// Checks that names stay distinct after conversion to Rust, reporting the second of a pair.
struct RustNames {
    what: &'static str,
    /// Whether to report a name declared twice as written; off where the symbol table has
    /// reported it already.
    exact: bool,
    seen: BTreeMap<String, (String, Loc)>,
}

impl RustNames {
    fn new(what: &'static str) -> Self {
        RustNames {
            what,
            exact: true,
            seen: BTreeMap::new(),
        }
    }

    /// Takes a name without checking it, for names declared elsewhere (the modules of child
    /// packages, which the package check compares among themselves).
    fn reserve(&mut self, wire: &str, rust: &str, at: Loc) {
        self.seen
            .entry(naming::unraw(rust).to_owned())
            .or_insert_with(|| (wire.to_owned(), at));
    }

    /// Adds a name, reporting a clash with an earlier one; false if there was one.
    fn add(&mut self, diags: &mut Vec<Diagnostic>, wire: &str, rust: &str, at: Loc) -> bool {
        let key = naming::unraw(rust).to_owned();
        match self.seen.get(&key) {
            Some((first, _)) if first == wire && !self.exact => {}
            Some((first, first_at)) if first == wire => diags.push(
                Diagnostic::at(&at, format!("{} `{wire}` is defined twice", self.what))
                    .with_related(first_at.clone(), "first defined here"),
            ),
            Some((first, first_at)) => diags.push(
                Diagnostic::at(
                    &at,
                    format!(
                        "{} `{wire}` and `{first}` both become `{rust}` in Rust",
                        self.what
                    ),
                )
                .with_related(first_at.clone(), format!("`{first}` is defined here"))
                .with_help("rename one of them"),
            ),
            None => {
                self.seen.insert(key, (wire.to_owned(), at));
                return true;
            }
        }
        false
    }
}

impl<'a> Resolver<'a, '_> {
    fn err(&mut self, file: &str, pos: Pos, message: impl Into<String>) {
        self.diags.push(Diagnostic::error(file, pos, message));
    }

    /// Pass 1: packages, named types, services and resource types of every file.
    fn index(&mut self, files: &'a [ast::File]) {
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
            if let Some(first) = self.packages.get(pkg.value.as_str()) {
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
            self.packages.insert(&pkg.value, file);
        }
        self.check_package_modules();
        for file in self.packages.values().copied().collect::<Vec<_>>() {
            self.index_file(file);
        }
        for file in self.packages.values().copied().collect::<Vec<_>>() {
            self.index_resources(file);
        }
    }

    /// Packages whose Rust module paths are the same (`a.b` and `a.b_`, or `com.vmware.a` and
    /// `a`, since `com.vmware.` is dropped) would be one module.
    fn check_package_modules(&mut self) {
        let mut seen: BTreeMap<Vec<String>, (&str, Loc)> = BTreeMap::new();
        for (name, file) in &self.packages {
            let path: Vec<String> = naming::package_module_path(name)
                .iter()
                .map(|m| naming::unraw(m).to_owned())
                .collect();
            let at = loc(&file.path, file.package.pos);
            match seen.get(&path) {
                Some((first, first_at)) => self.diags.push(
                    Diagnostic::at(
                        &at,
                        format!(
                            "the packages `{name}` and `{first}` both become the module `{}` in Rust",
                            path.join("::")
                        ),
                    )
                    .with_related(first_at.clone(), format!("`{first}` is declared here"))
                    .with_help("rename one of them"),
                ),
                None => {
                    seen.insert(path, (name, at));
                }
            }
        }
    }

    fn add_symbol(&mut self, file: &'a ast::File, name: &'a S<String>, sym: Symbol<'a>) {
        let qualified = format!("{}.{}", file.package.value, name.value);
        if let Some(first) = self.symbols.get(&qualified) {
            let first_loc = first.loc.clone();
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
        self.symbols.insert(qualified, sym);
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
                local: &name.value,
                loc: loc(&file.path, name.pos),
                decl,
                enumeration,
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
                local: &s.name.value,
                loc: loc(&file.path, s.name.pos),
                decl: None,
                enumeration: None,
            };
            self.add_symbol(file, &s.name, sym);
        }
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
            if !self.packages.contains_key(owner) {
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
            if let Some(first) = self.resources.get(&name) {
                let first = first.clone();
                self.diags.push(
                    Diagnostic::at(&at, format!("resource type `{name}` is declared twice"))
                        .with_related(first, "first declared here"),
                );
                continue;
            }
            self.resources.insert(name, at);
        }
    }

    /// Looks `name` up from `package`: first in the package, then as a qualified name.
    fn lookup(&self, package: &str, name: &str) -> Option<(String, &Symbol<'a>)> {
        let local = format!("{package}.{name}");
        if let Some(sym) = self.symbols.get(&local) {
            return Some((local, sym));
        }
        self.symbols.get(name).map(|sym| (name.to_owned(), sym))
    }

    /// A did-you-mean for an unknown reference, among names of the wanted kinds.
    fn suggest(&self, package: &str, name: &str, kinds: &[Kind]) -> Option<String> {
        let prefix = format!("{package}.");
        let candidates: Vec<String> = self
            .symbols
            .iter()
            .filter(|(_, s)| kinds.contains(&s.kind))
            .map(|(q, _)| match q.strip_prefix(&prefix) {
                Some(local) => local.to_owned(),
                None => q.clone(),
            })
            .collect();
        did_you_mean(name, candidates.iter().map(String::as_str)).map(str::to_owned)
    }

    fn type_ref(&self, qualified: &str, sym: &Symbol<'_>) -> TypeRef {
        let _ = qualified;
        TypeRef {
            package: sym.package.to_owned(),
            name: Name {
                wire: sym.local.to_owned(),
                rust: naming::type_name(sym.local),
            },
        }
    }

    /// Resolves a type declared elsewhere, whose errors are reported where it is declared.
    fn ty_quiet(&mut self, file: &ast::File, ty: &S<TypeExpr>) -> Option<Type> {
        let before = self.diags.len();
        let resolved = self.ty(file, ty, true);
        self.diags.truncate(before);
        resolved
    }

    /// Resolves a type as written in `file`. `top` is true at the outermost level, the only
    /// place `optional<…>` may appear.
    fn ty(&mut self, file: &ast::File, ty: &S<TypeExpr>, top: bool) -> Option<Type> {
        let path = &file.path;
        match &ty.value {
            TypeExpr::Primitive(p) => Some(Type::Primitive(*p)),
            TypeExpr::Id(resources) => {
                let mut ok = true;
                for rt in resources {
                    if !self.resources.contains_key(&rt.value) {
                        ok = false;
                        let mut d = Diagnostic::error(
                            path,
                            rt.pos,
                            format!("unknown resource type `{}`", rt.value),
                        );
                        d = match did_you_mean(&rt.value, self.resources.keys().map(String::as_str))
                        {
                            Some(best) => d.with_help(format!("did you mean `{best}`?")),
                            None => d.with_help(
                                "declare it as a service's `resource_type` or under `resource_types` of its package",
                            ),
                        };
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
                        Some(Type::Id(IdType::Resource {
                            package: package.to_owned(),
                            name: Name {
                                wire: one.value.clone(),
                                rust: naming::id_type_name(&one.value),
                            },
                        }))
                    }
                    many => Some(Type::Id(IdType::General(
                        many.iter().map(|r| r.value.clone()).collect(),
                    ))),
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
                let Some((qualified, sym)) = self.lookup(package, name) else {
                    let mut d = Diagnostic::error(path, ty.pos, format!("unknown type `{name}`"));
                    let primitive = did_you_mean(name, Primitive::ALL.iter().map(|(n, _)| *n));
                    let suggestion = self
                        .suggest(package, name, &[Kind::Structure, Kind::Enumeration])
                        .or(primitive.map(str::to_owned));
                    d = match suggestion {
                        Some(best) => d.with_help(format!("did you mean `{best}`?")),
                        None => d.with_help(
                            "name a structure or enumeration of this package, or another package's by its full name",
                        ),
                    };
                    self.diags.push(d);
                    return None;
                };
                let r = self.type_ref(&qualified, sym);
                match sym.kind {
                    Kind::Structure => Some(Type::Structure(r)),
                    Kind::Enumeration => Some(Type::Enumeration(r)),
                    kind => {
                        let at = sym.loc.clone();
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

    /// Pass 2: one package.
    fn package(&mut self, file: &'a ast::File) -> Package {
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
                        text: format!("The resource type of the `{}` service.", s.name.value),
                        since: s.since.as_ref().map(|v| v.value.clone()),
                    },
                });
            }
        }
        // Resource types declared by services of other packages but owned by this one.
        for f in self.packages.values() {
            if f.package.value == name {
                continue;
            }
            for s in &f.services {
                if let Some(rt) = &s.resource_type
                    && rt.value.rsplit_once('.').is_some_and(|(p, _)| p == name)
                {
                    resource_types.push(ResourceType {
                        name: Name {
                            wire: rt.value.clone(),
                            rust: naming::id_type_name(&rt.value),
                        },
                        docs: Docs {
                            text: format!(
                                "The resource type of the `{}.{}` service.",
                                f.package.value, s.name.value
                            ),
                            since: s.since.as_ref().map(|v| v.value.clone()),
                        },
                    });
                }
            }
        }
        resource_types.sort_by(|a, b| a.name.cmp(&b.name));
        resource_types.dedup_by(|a, b| a.name == b.name);
        for rt in &resource_types {
            let at = self
                .resources
                .get(&rt.name.wire)
                .cloned()
                .unwrap_or_else(|| loc(&file.path, file.package.pos));
            types.add(self.diags, &rt.name.wire, &rt.name.rust, at);
        }

        let mut enumerations = Vec::new();
        for e in &file.enumerations {
            let rust = naming::type_name(&e.name.value);
            types.add(
                self.diags,
                &e.name.value,
                &rust,
                loc(&file.path, e.name.pos),
            );
            self.check_owner(file, &e.name);
            enumerations.push(self.enumeration(file, e, rust));
        }
        let mut structures = Vec::new();
        for s in &file.structures {
            let rust = naming::type_name(&s.name.value);
            types.add(
                self.diags,
                &s.name.value,
                &rust,
                loc(&file.path, s.name.pos),
            );
            self.check_owner(file, &s.name);
            structures.push(self.structure(file, s, rust));
        }
        let mut errors = Vec::new();
        for s in &file.errors {
            let rust = naming::type_name(&s.name.value);
            types.add(
                self.diags,
                &s.name.value,
                &rust,
                loc(&file.path, s.name.pos),
            );
            self.check_owner(file, &s.name);
            errors.push(self.structure(file, s, rust));
        }
        // The modules below this package's: one per child package, and one per first segment
        // of deeper packages (`a.b.c` without `a.b` still makes the module `a::b`).
        let prefix = format!("{name}.");
        let mut child_modules: BTreeMap<String, (String, Loc)> = BTreeMap::new();
        for (p, f) in &self.packages {
            if let Some(rest) = p.strip_prefix(&prefix) {
                let segment = rest.split('.').next().unwrap_or(rest);
                child_modules
                    .entry(naming::module_name(segment))
                    .or_insert_with(|| ((*p).to_owned(), loc(&f.path, f.package.pos)));
            }
        }
        for (module, (package, at)) in &child_modules {
            modules.reserve(package, module, at.clone());
        }
        let children: Vec<String> = child_modules.into_keys().collect();
        let mut services = Vec::new();
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

    /// A nested type's owner must be a structure, error or service of the same package.
    fn check_owner(&mut self, file: &ast::File, name: &S<String>) {
        let Some((owner, _)) = name.value.rsplit_once('.') else {
            return;
        };
        let qualified = format!("{}.{owner}", file.package.value);
        match self.symbols.get(&qualified) {
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
                if let Some(best) = self.suggest(
                    &file.package.value,
                    owner,
                    &[Kind::Structure, Kind::Error, Kind::Service],
                ) {
                    d = d.with_help(format!("did you mean `{best}`?"));
                }
                self.diags.push(d);
            }
        }
    }

    fn enumeration(&mut self, file: &ast::File, e: &ast::EnumDecl, rust: String) -> Enumeration {
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
        let mut values = Vec::new();
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
                    if let Some(best) = self.suggest(&package, &parent.value, &[Kind::Error]) {
                        d = d.with_help(format!("did you mean `{best}`?"));
                    }
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
            let (Some(decl), Some(parent_file)) = (decl, self.packages.get(parent_pkg.as_str()))
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

    fn structure(&mut self, file: &ast::File, s: &'a ast::StructDecl, rust: String) -> Structure {
        let path = file.path.as_str();
        let inherited = if s.extends.is_some() {
            self.inherited(file, s)
        } else {
            Vec::new()
        };
        let extends = s.extends.as_ref().and_then(|e| {
            self.lookup(&file.package.value, &e.value)
                .filter(|(_, sym)| sym.kind == Kind::Error)
                .map(|(q, sym)| self.type_ref(&q, sym))
        });
        let mut names = RustNames::new("the field");
        let mut fields = Vec::new();
        // Inherited fields were checked where they were declared; resolve them from there.
        for (parent_file, f) in inherited {
            let rust_name = naming::value_name(&f.name.value);
            names.add(
                self.diags,
                &f.name.value,
                &rust_name,
                loc(&parent_file.path, f.name.pos),
            );
            if let Some(ty) = self.ty_quiet(parent_file, &f.ty) {
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
        let input = |v: &Option<S<String>>| {
            v.as_ref().and_then(|v| match v.value.as_str() {
                "required" => Some(InputRule::Required),
                "optional" => Some(InputRule::Optional),
                "unused" => Some(InputRule::Unused),
                _ => None,
            })
        };
        let result = p
            .value
            .result
            .as_ref()
            .and_then(|v| match v.value.as_str() {
                "always" => Some(OutputRule::Always),
                "optional" => Some(OutputRule::Optional),
                "absent" => Some(OutputRule::Absent),
                _ => None,
            });
        let presence = Presence {
            create: input(&p.value.create),
            update: input(&p.value.update),
            result,
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
            if let Some(best) = did_you_mean(&u.tag.value, field_names()) {
                d = d.with_help(format!("did you mean `{best}`?"));
            }
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
                    if let Some(best) = did_you_mean(&v.value, values.iter().map(String::as_str)) {
                        d = d.with_help(format!("did you mean `{best}`?"));
                    }
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
                        if let Some(best) = did_you_mean(&f.value, field_names()) {
                            d = d.with_help(format!("did you mean `{best}`?"));
                        }
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

    fn service(
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
        let mut operations = Vec::new();
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
        let mut params = Vec::new();
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
                d = match self.suggest(&file.package.value, &e.error.value, &[Kind::Error]) {
                    Some(best) => d.with_help(format!("did you mean `{best}`?")),
                    None => d.with_help(
                        "standard errors are named in full: `com.vmware.vapi.std.errors.NotFound`",
                    ),
                };
                self.diags.push(d);
                continue;
            };
            if sym.kind != Kind::Error {
                let at = sym.loc.clone();
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
            let r = self.type_ref(&qualified, sym);
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
        if !self.resources.contains_key(&resource.value) {
            let mut d = Diagnostic::error(
                path,
                resource.pos,
                format!("unknown resource type `{}`", resource.value),
            );
            if let Some(best) =
                did_you_mean(&resource.value, self.resources.keys().map(String::as_str))
            {
                d = d.with_help(format!("did you mean `{best}`?"));
            }
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
            if let Some(best) = did_you_mean(first, op.params.iter().map(|x| x.name.value.as_str()))
            {
                d = d.with_help(format!("did you mean `{best}`?"));
            }
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
            let decl = self.symbols.get(&r.qualified()).and_then(|s| s.decl);
            let Some(field) = decl.and_then(|d| d.fields.iter().find(|f| f.name.value == *seg))
            else {
                let mut d = Diagnostic::error(
                    path,
                    param.pos.shifted(offset),
                    format!("`{}` has no field `{seg}`", r.name.wire),
                );
                if let Some(best) = decl
                    .and_then(|d| did_you_mean(seg, d.fields.iter().map(|f| f.name.value.as_str())))
                {
                    d = d.with_help(format!("did you mean `{best}`?"));
                }
                self.diags.push(d);
                return None;
            };
            let owner = self.symbols.get(&r.qualified())?;
            let owner_file = self.packages.get(owner.package).copied()?;
            ty = self.ty_quiet(owner_file, &field.ty)?;
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

    fn rest(&mut self, path: &str, op: &ast::OperationDecl, r: &ast::RestDecl) -> Option<Rest> {
        let before = self.diags.len();
        let method = match r.method.value.as_str() {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            "PUT" => HttpMethod::Put,
            "PATCH" => HttpMethod::Patch,
            "DELETE" => HttpMethod::Delete,
            // Reported by the decoder.
            _ => return None,
        };
        let param_names = || op.params.iter().map(|p| p.name.value.as_str());
        let mut bound: BTreeMap<String, Pos> = BTreeMap::new();
        let mut bind = |this: &mut Self, name: &S<String>| {
            if !op.params.iter().any(|p| p.name.value == name.value) {
                let mut d = Diagnostic::error(
                    path,
                    name.pos,
                    format!("`{}` has no parameter `{}`", op.name.value, name.value),
                );
                if let Some(best) = did_you_mean(&name.value, param_names()) {
                    d = d.with_help(format!("did you mean `{best}`?"));
                }
                this.diags.push(d);
            } else if let Some(first) = bound.get(name.value.as_str()) {
                this.diags.push(
                    Diagnostic::error(
                        path,
                        name.pos,
                        format!("the parameter `{}` is bound twice", name.value),
                    )
                    .with_related(loc(path, *first), "first bound here"),
                );
            } else {
                bound.insert(name.value.clone(), name.pos);
            }
        };
        // Template variables, in order, with their offsets for locating errors.
        let mut vars: Vec<(String, usize)> = Vec::new();
        let text = &r.path.value;
        let mut rest = text.as_str();
        let mut base = 0;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                self.err(path, r.path.pos.shifted(base + open), "`{` is never closed");
                break;
            };
            let var = &rest[open + 1..open + close];
            if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.err(
                    path,
                    r.path.pos.shifted(base + open),
                    format!("`{{{var}}}` is not a URL variable"),
                );
            } else {
                vars.push((var.to_owned(), base + open + 1));
            }
            base += open + close + 1;
            rest = &rest[open + close + 1..];
        }
        if let Some(stray) = rest.find('}') {
            self.err(
                path,
                r.path.pos.shifted(base + stray),
                "`}` without `{` in the REST path",
            );
        }
        // Outside its variables a path is sent as written, and routers match the encoded form:
        // a character a client would percent-encode (`ö`, a space, `?`) could never match.
        let mut depth = 0usize;
        for (offset, c) in text.chars().enumerate() {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ if depth > 0 => {}
                c if c.is_ascii_alphanumeric() || "/-._~!$&'()*+,;=:@%".contains(c) => {}
                c => {
                    self.diags.push(
                        Diagnostic::error(
                            path,
                            // Past the opening quote, as for the variables above.
                            r.path.pos.shifted(offset + 1),
                            format!("`{c}` cannot be written as is in a REST path"),
                        )
                        .with_help(
                            "write the path in ASCII letters, digits and `/-._~`, percent-encoding anything else",
                        ),
                    );
                    break;
                }
            }
        }
        for (var, offset) in &vars {
            if !r.path_params.iter().any(|(k, _)| k.value == *var) {
                let mut d = Diagnostic::error(
                    path,
                    r.path.pos.shifted(*offset),
                    format!("the URL variable `{{{var}}}` is bound to no parameter"),
                );
                let snake = naming::value_name(var);
                d = match op.params.iter().find(|p| p.name.value == snake) {
                    Some(p) => {
                        d.with_help(format!("add `{var}: {}` under `path_params`", p.name.value))
                    }
                    None => d.with_help("add it under `path_params` with the parameter it carries"),
                };
                self.diags.push(d);
            }
        }
        for (var, param) in &r.path_params {
            if !vars.iter().any(|(v, _)| *v == var.value) {
                self.err(
                    path,
                    var.pos,
                    format!("the path has no variable `{{{}}}`", var.value),
                );
            }
            bind(self, param);
        }
        for (_, param) in r.query.iter().chain(&r.headers) {
            bind(self, param);
        }
        // Header names are HTTP tokens: a client could not send `X-Größe`, nor a router match it.
        for (header, _) in &r.headers {
            let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
            if header.value.is_empty() || !header.value.chars().all(token) {
                self.diags.push(
                    Diagnostic::error(
                        path,
                        header.pos,
                        format!("`{}` is not an HTTP header name", header.value),
                    )
                    .with_help("header names are ASCII letters, digits and ``!#$%&'*+-.^_`|~``"),
                );
            }
        }
        if let Some(body) = &r.body {
            bind(self, body);
            if matches!(method, HttpMethod::Get | HttpMethod::Delete) {
                self.err(
                    path,
                    body.pos,
                    format!("a {} request has no body", method.as_str()),
                );
            }
        }
        // After a binding error, "bound to nothing" would only repeat it in other words.
        let unbound: Vec<String> = if self.diags.len() > before {
            Vec::new()
        } else {
            op.params
                .iter()
                .filter(|p| !bound.contains_key(p.name.value.as_str()))
                .map(|p| p.name.value.clone())
                .collect()
        };
        let body = match (&r.body, method) {
            (Some(b), _) => {
                for p in &unbound {
                    self.diags.push(
                        Diagnostic::error(
                            path,
                            r.pos,
                            format!("the parameter `{p}` is not in the path, query, headers or body"),
                        )
                        .with_help(format!("bind `{p}` under `query` or `headers`, or drop `body` to send the parameters as a JSON object")),
                    );
                }
                Body::Param(b.value.clone())
            }
            (None, HttpMethod::Get | HttpMethod::Delete) => {
                for p in &unbound {
                    self.diags.push(
                        Diagnostic::error(
                            path,
                            r.pos,
                            format!(
                                "the parameter `{p}` of a {} request is bound to nothing",
                                method.as_str()
                            ),
                        )
                        .with_help(format!(
                            "bind `{p}` under `path_params`, `query` or `headers`"
                        )),
                    );
                }
                Body::None
            }
            (None, _) if unbound.is_empty() => Body::None,
            (None, _) => Body::Fields(unbound),
        };
        let pairs = |v: &Vec<(S<String>, S<String>)>| {
            v.iter()
                .map(|(k, p)| (k.value.clone(), p.value.clone()))
                .collect::<Vec<_>>()
        };
        let mut path_params = pairs(&r.path_params);
        path_params.sort_by_key(|(var, _)| vars.iter().position(|(v, _)| v == var));
        (self.diags.len() == before).then(|| Rest {
            method,
            path: r.path.value.clone(),
            action: r.action.as_ref().map(|a| a.value.clone()),
            path_params,
            query: pairs(&r.query),
            headers: pairs(&r.headers),
            body,
        })
    }

    /// Reports structures that contain themselves by value: `A { b: B }`, `B { a: optional<A> }`
    /// would be infinitely large. Lists, sets and maps break a cycle.
    fn check_cycles(&mut self, files: &[ast::File]) {
        // Edges: structure → (field, target structure), for fields held by value.
        let mut edges: BTreeMap<String, Vec<(String, Loc, String)>> = BTreeMap::new();
        for file in files {
            for s in &file.structures {
                let from = format!("{}.{}", file.package.value, s.name.value);
                for f in &s.fields {
                    let target = match &f.ty.value {
                        TypeExpr::Named(n) => Some(n),
                        TypeExpr::Optional(inner) => match &inner.value {
                            TypeExpr::Named(n) => Some(n),
                            _ => None,
                        },
                        _ => None,
                    };
                    let Some(target) = target else { continue };
                    let Some((q, sym)) = self.lookup(&file.package.value, target) else {
                        continue;
                    };
                    if sym.kind == Kind::Structure {
                        edges.entry(from.clone()).or_default().push((
                            f.name.value.clone(),
                            loc(&file.path, f.name.pos),
                            q,
                        ));
                    }
                }
            }
        }
        let mut reported: BTreeSet<String> = BTreeSet::new();
        for start in edges.keys() {
            if reported.contains(start) {
                continue;
            }
            if let Some(cycle) = find_cycle(&edges, start) {
                let (_, at, _) = &cycle[0];
                let mut text = short(start).to_owned();
                for (field, _, to) in &cycle {
                    text.push_str(&format!(".{field} → {}", short(to)));
                }
                self.diags.push(
                    Diagnostic::at(
                        at,
                        format!("the structure `{}` contains itself: {text}", short(start)),
                    )
                    .with_help("an `optional<…>` field still holds its value inline; break the cycle with a `list<…>`, `set<…>` or `map<…>`"),
                );
                for (_, _, to) in cycle {
                    reported.insert(to);
                }
            }
        }
    }
}

/// What tells the requests of two operations of one service apart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Route {
    method: &'static str,
    /// The path with its variables renamed by position: `/a/{x}` and `/a/{y}` are one route.
    pattern: String,
    action: Option<String>,
    /// The names of the query parameters the operation requires.
    required: BTreeSet<String>,
}

/// The last segment of a qualified name, for messages.
fn short(qualified: &str) -> &str {
    qualified.rsplit('.').next().unwrap_or(qualified)
}

/// A path of by-value fields from `start` back to itself, if there is one (breadth first, so the
/// shortest).
fn find_cycle(
    edges: &BTreeMap<String, Vec<(String, Loc, String)>>,
    start: &str,
) -> Option<Vec<(String, Loc, String)>> {
    let mut prev: BTreeMap<String, (String, String, Loc)> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start.to_owned()]);
    let mut visited: BTreeSet<String> = BTreeSet::new();
    while let Some(node) = queue.pop_front() {
        for (field, at, to) in edges.get(&node).into_iter().flatten() {
            if to == start {
                let mut path = vec![(field.clone(), at.clone(), to.clone())];
                let mut cur = node.clone();
                while cur != start {
                    let (from, f, a) = prev.get(&cur)?.clone();
                    path.push((f, a, cur.clone()));
                    cur = from;
                }
                path.reverse();
                return Some(path);
            }
            if visited.insert(to.clone()) {
                prev.insert(to.clone(), (node.clone(), field.clone(), at.clone()));
                queue.push_back(to.clone());
            }
        }
    }
    None
}

/// The element type a privilege path looks through: the value of `optional`, `list` and `set`.
fn element(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Optional(inner) | Type::List(inner) | Type::Set(inner) => element(inner),
        Type::Map(..) => None,
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
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
}
