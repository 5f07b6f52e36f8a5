//! Generates bindings the way a user's crate would: from a build script, into `OUT_DIR`.

use vapi_codegen::Config;

fn main() -> Result<(), vapi_codegen::Error> {
    // The Content Library item package of the real IDL, with every package it references.
    Config::new()
        .idl_dir("../../idl")
        .package("com.vmware.content.library.item")
        .compile()?;
    // The test fixtures: names that shadow std types, keywords, hostile docs. Compiling them here,
    // with a client and a server per service and under `#![deny(warnings)]`, is the compile
    // pass of the fixtures whose generated code is snapshot-tested in `tests/`.
    Config::new()
        .idl_dir("../fixtures/base")
        .layout(vapi_codegen::Layout::SingleFile("fixtures.rs".to_owned()))
        .build_client(true)
        .build_server(true)
        .compile()
}
