//! `idl_mutate`: see `vapi_tests::fuzzing::idl::idl_mutate`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vapi_tests::fuzzing::idl::idl_mutate(data));
