//! `server_request`: see `vapi_tests::fuzzing::server::server_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vapi_tests::fuzzing::server::server_request(data));
