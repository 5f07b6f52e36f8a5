//! The registry of generated types: every bindings crate has a `TYPES` table of its
//! structures, errors, enumerations and identifier types, each with its vAPI name and a JSON
//! round trip, for tests and fuzzers that must reach every type without listing them by hand.

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// What a generated type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeKind {
    /// A structure.
    Structure,
    /// An error type (a structure an operation reports).
    Error,
    /// An open enumeration.
    Enumeration,
    /// The identifier type of a resource type.
    Id,
}

/// One generated type: its vAPI name, its kind and its JSON round trip.
///
/// ```
/// use vapi_runtime::{Id, TypeInfo, TypeKind, round_trip};
///
/// let info = TypeInfo::new("id", TypeKind::Id, round_trip::<Id>);
/// assert_eq!(info.round_trip("\"obj-1\"").as_deref(), Ok("\"obj-1\""));
/// assert!(info.round_trip("17").is_err());
/// ```
#[derive(Clone, Copy)]
pub struct TypeInfo {
    name: &'static str,
    kind: TypeKind,
    round_trip: fn(&str) -> Result<String, String>,
}

impl TypeInfo {
    /// The entry of a type named `name` in vAPI whose JSON round trip is `round_trip`
    /// (generated code gives [`round_trip::<T>`](round_trip) of the type).
    pub const fn new(
        name: &'static str,
        kind: TypeKind,
        round_trip: fn(&str) -> Result<String, String>,
    ) -> Self {
        TypeInfo {
            name,
            kind,
            round_trip,
        }
    }

    /// The vAPI name (`com.vmware.content.library.item.File.Info`); for an identifier type,
    /// its resource type.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What the type is.
    pub fn kind(&self) -> TypeKind {
        self.kind
    }

    /// Reads `json` as the type and writes it back: the JSON written, or why reading failed
    /// (the reader's message). A value that reads back differently, or that is written
    /// differently the second time, is an error too.
    pub fn round_trip(&self, json: &str) -> Result<String, String> {
        (self.round_trip)(json)
    }
}

impl Debug for TypeInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypeInfo")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Reads `json` as a `T` and writes it back: the JSON written, or why reading failed (the
/// reader's message). A value that reads back differently, or that is written differently the
/// second time, is an error too.
pub fn round_trip<T>(json: &str) -> Result<String, String>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    let value: T = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let written = serde_json::to_string(&value).map_err(|e| format!("write: {e}"))?;
    let again: T = serde_json::from_str(&written).map_err(|e| format!("re-read {written}: {e}"))?;
    if again != value {
        return Err(format!("{written} reads back as {again:?}, not {value:?}"));
    }
    let rewritten = serde_json::to_string(&again).map_err(|e| format!("write: {e}"))?;
    if rewritten != written {
        return Err(format!("written {written}, then {rewritten}"));
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Set;

    #[test]
    fn round_trips_name_what_went_wrong() {
        let info = TypeInfo::new("set", TypeKind::Structure, round_trip::<Set<String>>);
        assert_eq!(info.name(), "set");
        assert_eq!(info.kind(), TypeKind::Structure);
        assert_eq!(
            info.round_trip(r#"["b","a"]"#).as_deref(),
            Ok(r#"["b","a"]"#)
        );
        let e = info.round_trip(r#"["a","a"]"#).unwrap_err();
        assert!(e.contains("twice") || e.contains("repeat"), "{e}");
        assert!(format!("{info:?}").contains("\"set\""));
    }
}
