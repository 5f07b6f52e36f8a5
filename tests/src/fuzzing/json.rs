//! `json_types`: the serde of every structure, error, enumeration and identifier of
//! `vapi-bindings`, reached through the generated registry `vapi_bindings::TYPES`. The first
//! byte of the input picks the type (its index in the registry), the rest is the JSON.
//!
//! Invariants: reading never panics; a value that reads is written without error, the written
//! JSON reads back to an equal value, and that value writes the same bytes again (wire
//! fidelity); checking a structure's documented rules (`Validate`) never panics. All of it is
//! `TypeInfo::check`: this only tells its errors apart.

use vapi_runtime::{RoundTripError, TypeInfo};

/// Every type of the bindings; the first byte of an input is an index in it.
pub use vapi_bindings::TYPES;

/// Reads `json` as the type of `info` and checks the round trip (and, for a structure or an
/// error, its rules). Returns the JSON written if the text read.
///
/// # Panics
///
/// If the value read cannot be written, reads back differently, or writes different bytes.
pub fn check(info: &TypeInfo, json: &[u8]) -> Option<String> {
    // JSON is UTF-8: other bytes are refused by any reader.
    let text = std::str::from_utf8(json).ok()?;
    // The rules may reject the value; they must not panic on it.
    match info.check(text) {
        Ok(checked) => Some(checked.written),
        Err(RoundTripError::Broken(e)) => panic!("{}: {e}", info.name()),
        // Input that is not the type's JSON.
        Err(_) => None,
    }
}

/// The index of the type named `name` in vAPI in [`TYPES`]: the first byte of an input.
pub fn selector(name: &str) -> Option<u8> {
    TYPES
        .iter()
        .position(|t| t.name() == name)
        .and_then(|i| u8::try_from(i).ok())
}

/// `json_types`: `data[0]` picks the type (modulo the number of types), `data[1..]` is read as
/// its JSON.
pub fn json_types(data: &[u8]) {
    let Some((&first, json)) = data.split_first() else {
        return;
    };
    if let Some(info) = TYPES.get(usize::from(first) % TYPES.len().max(1)) {
        check(info, json);
    }
}
