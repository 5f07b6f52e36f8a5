//! Names that must stay distinct once converted to Rust: types, modules, fields, operations.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Loc};
use crate::naming;

use super::{Indexer, loc};

/// Checks that names stay distinct after conversion to Rust, reporting the second of a pair.
pub(super) struct RustNames {
    what: &'static str,
    /// Whether to report a name declared twice as written; off where the symbol table has
    /// reported it already.
    pub(super) exact: bool,
    seen: BTreeMap<String, (String, Loc)>,
}

impl RustNames {
    pub(super) fn new(what: &'static str) -> Self {
        RustNames {
            what,
            exact: true,
            seen: BTreeMap::new(),
        }
    }

    /// Takes a name without checking it, for names declared elsewhere (the modules of child
    /// packages, which the package check compares among themselves).
    pub(super) fn reserve(&mut self, wire: &str, rust: &str, at: Loc) {
        self.seen
            .entry(naming::unraw(rust).to_owned())
            .or_insert_with(|| (wire.to_owned(), at));
    }

    /// Adds a name, reporting a clash with an earlier one; false if there was one.
    pub(super) fn add(
        &mut self,
        diags: &mut Vec<Diagnostic>,
        wire: &str,
        rust: &str,
        at: Loc,
    ) -> bool {
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

impl Indexer<'_, '_> {
    /// Packages whose Rust module paths are the same (`a.b` and `a.b_`, or `com.vmware.a` and
    /// `a`, since `com.vmware.` is dropped) would be one module.
    pub(super) fn check_package_modules(&mut self) {
        let mut seen: BTreeMap<Vec<String>, (&str, Loc)> = BTreeMap::new();
        for (name, file) in &self.tables.packages {
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
}
