//! `idl_bytes`: see `vapi_tests::fuzzing::idl::idl_bytes`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vapi_tests::fuzzing::idl::idl_bytes(data));
