//! `vapi-codegen` turns a YAML description of VMware vAPI interfaces (the IDL in `idl/`, see
//! its README) into Rust: structures with serde, open enumerations, typed identifiers, and one
//! trait per service with a typed error per operation and its metadata as constants.
//!
//! It runs in phases, each reporting all of its errors ([`diag`]) before the next starts. The
//! front end, `idl`: `idl::yaml` parses each file into a located tree and `idl::decode`
//! checks its keys into the `idl::ast`; `resolve` ties references across files into the
//! `ir` and validates it, and `doc_refs` checks the references in doc text against it and
//! resolves them (`load` chains these); `emit` turns the IR into tokens,
//! `render` formats them, and `writer` is the only code that touches the file system.
//! `pipeline` runs emit, render and write module by module; `threads` spreads the phases that
//! are independent per file or package over threads. [`Config`] drives the whole and is
//! what build scripts and the command line use; its errors and the [`diag`]nostics are the
//! rest of the API.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), vapi_codegen::Error> {
//!     vapi_codegen::Config::new().idl_dir("idl").compile()
//! }
//! ```

mod config;
pub mod diag;
mod doc_refs;
#[doc(hidden)]
pub mod docs;
mod emit;
#[doc(hidden)]
pub mod idl;
#[doc(hidden)]
pub mod ir;
#[doc(hidden)]
pub mod load;
#[doc(hidden)]
pub mod naming;
mod pipeline;
mod render;
#[doc(hidden)]
pub mod resolve;
mod threads;
#[doc(hidden)]
pub mod writer;

// The old module paths, kept while other branches merge the move.
#[doc(hidden)]
pub use idl::{ast, decode, yaml};

pub use config::{Config, Error, Layout};
pub use load::LoadError;
pub use render::RenderError;
pub use writer::{Stale, Staleness, WriteError};

/// The one entry point of the benches, fuzzers and property tests below the public API: the
/// pipeline `Config` runs, from a model they load (or make) themselves. Not an API.
#[doc(hidden)]
pub mod __private {
    use std::collections::{BTreeMap, BTreeSet};

    pub use crate::ir::Model;
    pub use crate::load::{Preloaded, Source, load_dir, load_sources, read_dir};

    use crate::{Error, Layout};

    /// Which ends of each service to emit, and whether behind cargo features.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Ends {
        /// A `Client` per service.
        pub client: bool,
        /// A `router` per service.
        pub server: bool,
        /// `#[cfg(feature = "client")]` / `"server"` on them.
        pub feature_gates: bool,
    }

    /// Every file of `model` in `layout`, formatted (`pretty`) or as the compiler reads it,
    /// exactly as `Config` makes them.
    ///
    /// # Errors
    ///
    /// [`Error::Render`] if the generated tokens are not valid Rust.
    pub fn files(
        model: &Model,
        packages: &[String],
        layout: &Layout,
        ends: Ends,
        header: &str,
        pretty: bool,
    ) -> Result<BTreeMap<String, String>, Error> {
        let output = crate::pipeline::Output {
            packages,
            ends: crate::emit::rest::Options {
                client: ends.client,
                server: ends.server,
                feature_gates: ends.feature_gates,
            },
            header,
            layout,
            pretty,
        };
        crate::pipeline::files(model, &output)
    }

    /// The files of `model` that may differ from those of `base` (the same IDL before a small
    /// change), one per module and unformatted, exactly as [`files`] makes them: the root
    /// module, and the module of every package that differs from its namesake in `base` or
    /// references (directly or not) one that does, since a module is emitted from its package
    /// and what that package references. Every file when the two models do not declare the same
    /// packages at the same paths; none when they are equal. The fuzzers generate thousands of
    /// small variations of one IDL this way without emitting what a change cannot reach.
    ///
    /// # Errors
    ///
    /// As [`files`].
    pub fn changed_files(
        model: &Model,
        base: &Model,
        ends: Ends,
        header: &str,
    ) -> Result<BTreeMap<String, String>, Error> {
        let layout = |m: &Model| -> Vec<(String, Vec<String>)> {
            m.packages
                .iter()
                .map(|p| (p.name.clone(), p.module_path.clone()))
                .collect()
        };
        if layout(model) != layout(base) {
            return files(model, &[], &Layout::ModulePerFile, ends, header, false);
        }
        let differ: BTreeSet<&str> = model
            .packages
            .iter()
            .zip(&base.packages)
            .filter(|(new, old)| new != old)
            .map(|(new, _)| new.name.as_str())
            .collect();
        if differ.is_empty() {
            return Ok(BTreeMap::new());
        }
        let reached = |path: &[String]| {
            path.is_empty()
                || model
                    .packages
                    .iter()
                    .filter(|p| p.module_path == path)
                    .any(|p| {
                        !crate::emit::closure(model, std::slice::from_ref(&p.name))
                            .is_disjoint(&differ)
                    })
        };
        let output = crate::pipeline::Output {
            packages: &[],
            ends: crate::emit::rest::Options {
                client: ends.client,
                server: ends.server,
                feature_gates: ends.feature_gates,
            },
            header,
            layout: &Layout::ModulePerFile,
            pretty: false,
        };
        let out = std::sync::Mutex::new(BTreeMap::new());
        crate::pipeline::module_per_file(model, &output, &reached, &|name, text| {
            if let Ok(mut out) = out.lock() {
                out.insert(name, text);
            }
            Ok(())
        })?;
        Ok(out.into_inner().unwrap_or_else(|e| e.into_inner()))
    }

    /// A file's text as the formatted output is made of it: parsed by syn, printed by
    /// prettyplease.
    ///
    /// # Errors
    ///
    /// What syn said, if the text is not a Rust file.
    pub fn format(text: &str) -> Result<String, String> {
        crate::render::pretty(text)
    }
}
