//! A crate that generates its vAPI bindings in a build script with `vapi-codegen` and includes
//! them, exactly as the README shows.

/// The Content Library item API and what it references, generated from `idl/`.
pub mod bindings {
    include!(concat!(env!("OUT_DIR"), "/vapi.rs"));
}

/// The test fixtures of `tests/fixtures/base`, generated the same way.
pub mod fixtures {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}
