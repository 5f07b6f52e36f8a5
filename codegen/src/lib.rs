//! `vapi-codegen` turns a YAML description of VMware vAPI interfaces (the IDL in `idl/`, see
//! its README) into Rust: structures with serde, open enumerations, typed identifiers, and one
//! trait per service with a typed error per operation and its metadata as constants.
//!
//! It runs in phases, each reporting all of its errors ([`diag`]) before the next starts. The
//! front end, [`idl`]: [`idl::yaml`] parses each file into a located tree and [`idl::decode`]
//! checks its keys into the [`idl::ast`]; [`resolve`] ties references across files into the
//! [`ir`] and validates it, and [`doc_refs`] checks the references in doc text against it and
//! resolves them ([`load`] chains these); [`emit`] turns the IR into tokens,
//! [`render`] formats them, and [`writer`] is the only code that touches the file system.
//! [`Config`] drives the whole and is what build scripts and the command line use.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), vapi_codegen::Error> {
//!     vapi_codegen::Config::new().idl_dir("idl").compile()
//! }
//! ```

mod config;
pub mod diag;
pub mod doc_refs;
pub mod docs;
pub mod emit;
pub mod idl;
pub mod ir;
pub mod load;
pub mod naming;
pub mod render;
pub mod resolve;
pub mod writer;

// The old module paths, kept while other branches merge the move.
pub use idl::{ast, decode, yaml};

pub use config::{Config, Error, Layout};
