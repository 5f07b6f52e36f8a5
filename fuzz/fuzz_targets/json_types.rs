//! `json_types`: see `vapi_tests::fuzzing::json::json_types`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vapi_tests::fuzzing::json::json_types(data));
