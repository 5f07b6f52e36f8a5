//! The registry of generated types: every bindings crate has a `TYPES` table of its
//! structures, errors, enumerations and identifier types, each with its vAPI name and a JSON
//! round trip, for tests and fuzzers that must reach every type without listing them by hand.

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Validate, ValidationError};

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
/// use vapi_runtime::{Id, RoundTripError, TypeInfo, TypeKind, round_trip};
///
/// let info = TypeInfo::new("id", TypeKind::Id, round_trip::<Id>);
/// assert_eq!(info.round_trip("\"obj-1\"").as_deref(), Ok("\"obj-1\""));
/// assert!(matches!(info.round_trip("17"), Err(RoundTripError::Read(_))));
/// ```
#[derive(Clone, Copy)]
pub struct TypeInfo {
    name: &'static str,
    kind: TypeKind,
    check: fn(&str) -> Result<RoundTrip, RoundTripError>,
}

impl TypeInfo {
    /// The entry of a type named `name` in vAPI whose JSON round trip is `check` (generated
    /// code gives [`round_trip::<T>`](round_trip) of the type, or
    /// [`validated_round_trip::<T>`](validated_round_trip) for a structure or an error).
    pub const fn new(
        name: &'static str,
        kind: TypeKind,
        check: fn(&str) -> Result<RoundTrip, RoundTripError>,
    ) -> Self {
        TypeInfo { name, kind, check }
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

    /// Reads `json` as the type, writes it back, reads that again and writes it once more:
    /// the JSON written.
    ///
    /// # Errors
    ///
    /// [`RoundTripError::Read`] if `json` is not a value of the type,
    /// [`RoundTripError::Broken`] if the type's serde loses or changes what it read (a bug).
    pub fn round_trip(&self, json: &str) -> Result<String, RoundTripError> {
        self.check(json).map(|r| r.written)
    }

    /// [`round_trip`](Self::round_trip), and the documented rules ([`Validate`]) of the value
    /// read, for a structure or an error.
    ///
    /// ```
    /// use vapi_runtime::{TypeInfo, TypeKind, round_trip};
    ///
    /// let info = TypeInfo::new("list", TypeKind::Structure, round_trip::<Vec<u8>>);
    /// let checked = info.check("[1, 2]")?;
    /// assert_eq!(checked.written, "[1,2]");
    /// assert!(checked.rules.is_ok());
    /// # Ok::<(), vapi_runtime::RoundTripError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`round_trip`](Self::round_trip); a broken rule is not an error of the round trip
    /// but [`RoundTrip::rules`].
    pub fn check(&self, json: &str) -> Result<RoundTrip, RoundTripError> {
        (self.check)(json)
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

/// A JSON text that round-tripped through a type ([`TypeInfo::check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoundTrip {
    /// The JSON written.
    pub written: String,
    /// Whether the value keeps the documented rules of its structure (always `Ok` for an
    /// identifier or an enumeration).
    pub rules: Result<(), ValidationError>,
}

/// Why a JSON text did not round-trip through a type ([`TypeInfo::round_trip`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RoundTripError {
    /// The text is not JSON of the type: the reader's message. Any text from outside may get
    /// this.
    Read(String),
    /// The value read cannot be written, reads back as another value, or is written
    /// differently the second time: the type's serde is wrong.
    Broken(String),
}

impl std::fmt::Display for RoundTripError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoundTripError::Read(message) | RoundTripError::Broken(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for RoundTripError {}

/// Reads `json` as a `T` and writes it back (see [`TypeInfo::round_trip`]).
///
/// # Errors
///
/// As [`TypeInfo::round_trip`].
pub fn round_trip<T>(json: &str) -> Result<RoundTrip, RoundTripError>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    read_and_write::<T>(json).map(|(_, written)| RoundTrip {
        written,
        rules: Ok(()),
    })
}

/// [`round_trip`], and the documented rules of the value read ([`Validate`]).
///
/// # Errors
///
/// As [`TypeInfo::round_trip`].
pub fn validated_round_trip<T>(json: &str) -> Result<RoundTrip, RoundTripError>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug + Validate,
{
    let (value, written) = read_and_write::<T>(json)?;
    Ok(RoundTrip {
        written,
        rules: value.validate(),
    })
}

fn read_and_write<T>(json: &str) -> Result<(T, String), RoundTripError>
where
    T: DeserializeOwned + Serialize + PartialEq + Debug,
{
    use RoundTripError::Broken;
    let value: T = serde_json::from_str(json).map_err(|e| RoundTripError::Read(e.to_string()))?;
    let written = serde_json::to_string(&value)
        .map_err(|e| Broken(format!("{value:?} is read but not written: {e}")))?;
    let again: T = serde_json::from_str(&written).map_err(|e| {
        Broken(format!(
            "{value:?} is written as {written}, which does not read: {e}"
        ))
    })?;
    if again != value {
        return Err(Broken(format!(
            "{written} reads back as {again:?}, not {value:?}"
        )));
    }
    let rewritten = serde_json::to_string(&again)
        .map_err(|e| Broken(format!("{again:?} is read back but not written: {e}")))?;
    if rewritten != written {
        return Err(Broken(format!("written {written}, then {rewritten}")));
    }
    Ok((value, written))
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
        let e = info.round_trip(r#"["a","a"]"#).unwrap_err().to_string();
        assert!(e.contains("twice") || e.contains("repeat"), "{e}");
        assert!(format!("{info:?}").contains("\"set\""));
    }
}
