//! Value types of vAPI that Rust lacks.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An enumeration value that the generated code does not know, kept exactly as it arrived so
/// that it is written back unchanged. Only generated code creates one, from the wire, so an
/// unknown value never spells a known one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Used by generated `From<&str>` implementations; not part of the API.
    #[doc(hidden)]
    pub fn __from_wire(value: impl Into<String>) -> Self {
        UnknownValue(value.into())
    }

    /// The value as it was on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An identifier of no particular resource type (`id` in the IDL), or of one of several.
///
/// ```
/// let id = vapi_runtime::Id::new("obj-17");
/// assert_eq!(id.as_str(), "obj-17");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(String);

impl Id {
    /// Wraps an identifier string.
    pub fn new(id: impl Into<String>) -> Self {
        Id(id.into())
    }

    /// The identifier as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identifier string, consuming the identifier.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl From<String> for Id {
    fn from(id: String) -> Self {
        Id(id)
    }
}

impl From<&str> for Id {
    fn from(id: &str) -> Self {
        Id(id.to_owned())
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Bytes (`binary` in the IDL), written as standard base64 on the wire.
///
/// ```
/// let b = vapi_runtime::Binary::new(b"hi".to_vec());
/// assert_eq!(vapi_runtime::serde_json::to_string(&b).ok().as_deref(), Some("\"aGk=\""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Binary(Vec<u8>);

impl Binary {
    /// Wraps bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Binary(bytes.into())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, consuming the value.
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Binary(bytes)
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&crate::base64::encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        crate::base64::decode(&text)
            .map(Binary)
            .ok_or_else(|| serde::de::Error::custom("a `binary` value is not valid base64"))
    }
}

/// A password or similar (`secret` in the IDL): a string on the wire that `Debug` never prints.
///
/// ```
/// let s = vapi_runtime::Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "Secret(\"***\")");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

/// What every per-operation error enum carries besides the errors the operation documents: an
/// error the documentation does not list, or a failure to reach the service at all.
///
/// ```
/// use vapi_runtime::{serde_json::json, Unhandled};
/// let e = Unhandled::undeclared("com.vmware.vapi.std.errors.TimedOut", json!({"messages": []}));
/// assert_eq!(e.error_type(), Some("com.vmware.vapi.std.errors.TimedOut"));
/// ```
#[derive(Debug)]
pub struct Unhandled {
    error_type: Option<String>,
    payload: Option<serde_json::Value>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Unhandled {
    /// A failure that is not a vAPI error: transport, serialization, a broken server.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Unhandled {
            error_type: None,
            payload: None,
            source: Some(source.into()),
        }
    }

    /// A vAPI error the operation does not declare, with its type and its payload as received.
    pub fn undeclared(error_type: impl Into<String>, payload: serde_json::Value) -> Self {
        Unhandled {
            error_type: Some(error_type.into()),
            payload: Some(payload),
            source: None,
        }
    }

    /// The vAPI error type, for an undeclared vAPI error.
    pub fn error_type(&self) -> Option<&str> {
        self.error_type.as_deref()
    }

    /// The error's payload, for an undeclared vAPI error.
    pub fn payload(&self) -> Option<&serde_json::Value> {
        self.payload.as_ref()
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.error_type, &self.source) {
            (Some(t), _) => write!(f, "undeclared error {t}"),
            (None, Some(s)) => write!(f, "unhandled error: {s}"),
            (None, None) => f.write_str("unhandled error"),
        }
    }
}

impl std::error::Error for Unhandled {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|s| &**s as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_rejects_bad_base64_without_panicking() {
        let bad: Result<Binary, _> = serde_json::from_str("\"@@@\"");
        assert!(bad.is_err());
        let good: Result<Binary, _> = serde_json::from_str("\"AAEC\"");
        assert_eq!(good.ok(), Some(Binary::new(vec![0, 1, 2])));
    }

    #[test]
    fn unhandled_is_send_sync_and_keeps_its_source() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Unhandled>();
        let e = Unhandled::new("connection refused");
        assert_eq!(e.to_string(), "unhandled error: connection refused");
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(e.error_type(), None);
    }

    #[test]
    fn ids_and_secrets_are_plain_strings_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&Id::new("a")).ok().as_deref(),
            Some("\"a\"")
        );
        assert_eq!(
            serde_json::to_string(&Secret::new("p")).ok().as_deref(),
            Some("\"p\"")
        );
        assert_eq!(UnknownValue::__from_wire("NEW").as_str(), "NEW");
    }
}
