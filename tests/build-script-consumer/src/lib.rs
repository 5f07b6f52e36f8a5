//! A crate that generates its vAPI bindings in a build script with `vapi-codegen` and includes
//! them, exactly as the README shows.
//!
//! Warnings are errors here: the generated code of every fixture, hostile names included, must
//! compile without a warning (and `cargo doc` must document it without one).
#![deny(warnings)]

/// The Content Library item API and what it references, generated from `idl/`.
pub mod bindings {
    include!(concat!(env!("OUT_DIR"), "/vapi.rs"));
}

/// The test fixtures of `tests/fixtures/base`, generated the same way, with clients and servers.
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}
