//! Value types of vAPI that Rust lacks.

use std::fmt;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Standard base64 (RFC 4648, `+/`) as vAPI writes `binary`: padded when written; read padded
/// or unpadded, but not with incomplete padding nor with a last character whose unused low
/// bits are set (text no encoder writes, and that would not be written back the same).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(false),
);

fn encode(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Standard base64, padded or not (also what the server reads from a `Basic` login).
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    // The engine also takes incomplete padding (`Zg=`): padding is all or nothing.
    if text.ends_with('=') && !text.len().is_multiple_of(4) {
        return None;
    }
    BASE64.decode(text).ok()
}

/// An enumeration value that the generated code does not know, kept exactly as it arrived so
/// that it is written back unchanged. Only generated code creates one, from the wire, so an
/// unknown value never spells a known one.
///
/// A generated open enumeration holds it in its catch-all variant; match on the known variants
/// and read the text of the others with [`as_str`](Self::as_str) or `Display`:
///
/// ```
/// # use vapi_runtime::UnknownValue;
/// # enum EndpointType { Https, Direct, Unknown(UnknownValue) }
/// # let endpoint = EndpointType::Unknown(UnknownValue::__from_wire("QUIC"));
/// let name = match &endpoint {
///     EndpointType::Https => "HTTPS".to_owned(),
///     EndpointType::Direct => "DIRECT".to_owned(),
///     EndpointType::Unknown(other) => format!("{other} (unknown)"),
/// };
/// assert_eq!(name, "QUIC (unknown)");
/// ```
// Boxed: one pointer rather than a `String`'s three words makes every open enumeration 16
// bytes rather than 24 (an `Option` of one too), and so the structures that hold one smaller
// (with `Uri`'s own boxing, `File.Info` is 120 bytes rather than 136, moved without calls to
// `memcpy`); reading a list of them costs about 1.5 % less. An unknown value, rare, pays a
// second allocation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(clippy::box_collection)] // the one word is the point (above)
pub struct UnknownValue(Box<String>);

impl UnknownValue {
    /// Used by generated code when it reads a value it does not know; not part of the API.
    #[doc(hidden)]
    pub fn __from_wire(value: impl Into<String>) -> Self {
        UnknownValue(Box::new(value.into()))
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

/// An identifier of no particular resource type (`id` in the IDL), or of one of several; a
/// JSON string on the wire.
///
/// ```
/// use vapi_runtime::Id;
///
/// let id = Id::new("obj-17");
/// assert_eq!(id.as_str(), "obj-17");
/// assert_eq!(id, Id::from("obj-17"));
/// assert_eq!(vapi_runtime::serde_json::to_string(&id)?, "\"obj-17\"");
/// # Ok::<(), vapi_runtime::serde_json::Error>(())
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

/// Bytes (`binary` in the IDL): a JSON string of standard base64 (RFC 4648 alphabet `+/`,
/// padded) on the wire. Reading also accepts base64 without its padding, and rejects anything
/// else (other alphabets, whitespace, misplaced padding) with a deserialization error.
///
/// ```
/// use vapi_runtime::{serde_json, Binary};
///
/// let b = Binary::new(b"hi".to_vec());
/// assert_eq!(serde_json::to_string(&b)?, "\"aGk=\"");
/// assert_eq!(serde_json::from_str::<Binary>("\"aGk\"")?.as_bytes(), b"hi");
/// assert!(serde_json::from_str::<Binary>("\"a Gk=\"").is_err());
/// # Ok::<(), serde_json::Error>(())
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
        serializer.serialize_str(&encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(Base64Visitor)
    }
}

/// Reads a `binary` from any string, borrowed or not, without copying the text first.
struct Base64Visitor;

impl serde::de::Visitor<'_> for Base64Visitor {
    type Value = Binary;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a base64 string")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Binary, E> {
        decode(text)
            .map(Binary)
            .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(text), &self))
    }
}

/// A password or similar (`secret` in the IDL): a JSON string on the wire that `Debug` never
/// prints. It has no `Display`; reading it takes an explicit [`expose`](Self::expose).
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
/// error the documentation does not list, or a failure to reach the service at all
/// (transport, serialization, a broken server).
///
/// ```
/// use std::error::Error as _;
/// use vapi_runtime::{serde_json::json, Unhandled};
///
/// let e = Unhandled::undeclared("com.vmware.vapi.std.errors.TimedOut", json!({"messages": []}));
/// assert_eq!(e.error_type(), Some("com.vmware.vapi.std.errors.TimedOut"));
/// assert_eq!(e.payload(), Some(&json!({"messages": []})));
///
/// let e = Unhandled::new("connection refused");
/// assert_eq!(e.error_type(), None);
/// assert_eq!(e.source().map(|s| s.to_string()).as_deref(), Some("connection refused"));
/// ```
#[derive(Debug)]
pub struct Unhandled {
    error_type: Option<String>,
    payload: Option<serde_json::Value>,
    status: Option<u16>,
    body: Option<Vec<u8>>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Unhandled {
    /// A failure that is not a vAPI error: transport, serialization, a broken server.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Unhandled {
            error_type: None,
            payload: None,
            status: None,
            body: None,
            source: Some(source.into()),
        }
    }

    /// An HTTP answer the operation cannot read as its result or as an error it declares,
    /// keeping the status and the body as received (and the body as JSON, when it is).
    pub fn response(
        status: u16,
        body: Vec<u8>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Unhandled {
            error_type: None,
            payload: serde_json::from_slice(&body).ok(),
            status: Some(status),
            body: Some(body),
            source: Some(source.into()),
        }
    }

    /// Records the vAPI error type the answer named.
    pub fn set_error_type(&mut self, error_type: Option<String>) {
        self.error_type = error_type;
    }

    /// The HTTP status, for an answer over HTTP.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The body exactly as received, for an answer over HTTP.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// A vAPI error the operation does not declare, with its type and its payload as received.
    pub fn undeclared(error_type: impl Into<String>, payload: serde_json::Value) -> Self {
        Unhandled {
            error_type: Some(error_type.into()),
            payload: Some(payload),
            status: None,
            body: None,
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
            (Some(t), _) => write!(f, "undeclared error {t}")?,
            (None, Some(s)) => write!(f, "unhandled error: {s}")?,
            (None, None) => f.write_str("unhandled error")?,
        }
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Unhandled {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|s| &**s as &(dyn std::error::Error + 'static))
    }
}

/// The identifier type of one resource type: generated code declares
/// `pub struct DownloadSessionId(__rt::String);` with its docs and calls
/// `__rt::id!(DownloadSessionId);` for the rest, so that each resource type has a type of its own
/// (an update-session id cannot be passed as a download-session id) that is a plain JSON string
/// on the wire: `new`, `as_str`, `into_string`, `From<String>`, `From<&str>`, `AsRef<str>`,
/// `Display`, `Debug` as a tuple struct, the comparisons, `Hash`, serde.
#[doc(hidden)]
#[macro_export]
macro_rules! __vapi_id {
    ($name:ident) => {
        impl $name {
            /// Wraps an identifier string.
            pub fn new(id: impl $crate::codegen::Into<$crate::codegen::String>) -> Self {
                Self(id.into())
            }

            /// The identifier as a string.
            #[inline]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The identifier string, consuming the identifier.
            #[inline]
            pub fn into_string(self) -> $crate::codegen::String {
                self.0
            }
        }

        impl $crate::codegen::Debug for $name {
            #[inline]
            fn fmt(&self, f: &mut $crate::codegen::Formatter<'_>) -> $crate::codegen::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }

        impl $crate::codegen::Clone for $name {
            #[inline]
            fn clone(&self) -> Self {
                Self(self.0.clone())
            }
        }

        impl $crate::codegen::PartialEq for $name {
            #[inline]
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }

        impl $crate::codegen::Eq for $name {}

        impl $crate::codegen::PartialOrd for $name {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> $crate::codegen::Option<::core::cmp::Ordering> {
                $crate::codegen::Some(self.0.cmp(&other.0))
            }
        }

        impl $crate::codegen::Ord for $name {
            #[inline]
            fn cmp(&self, other: &Self) -> ::core::cmp::Ordering {
                self.0.cmp(&other.0)
            }
        }

        impl $crate::codegen::Hash for $name {
            fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state)
            }
        }

        impl $crate::codegen::From<$crate::codegen::String> for $name {
            #[inline]
            fn from(id: $crate::codegen::String) -> Self {
                Self(id)
            }
        }

        impl $crate::codegen::From<&str> for $name {
            #[inline]
            fn from(id: &str) -> Self {
                Self(id.into())
            }
        }

        impl $crate::codegen::AsRef<str> for $name {
            #[inline]
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl $crate::codegen::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut $crate::codegen::Formatter<'_>) -> $crate::codegen::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl $crate::codegen::serde::Serialize for $name {
            fn serialize<S: $crate::codegen::serde::Serializer>(
                &self,
                serializer: S,
            ) -> $crate::codegen::Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> $crate::codegen::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::codegen::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> $crate::codegen::Result<Self, D::Error> {
                <$crate::codegen::String as $crate::codegen::serde::Deserialize>::deserialize(
                    deserializer,
                )
                .map(Self)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;
    use std::error::Error as _;
    use std::hash::{Hash, Hasher};

    use serde_json::json;

    use super::*;

    fn hash_of<T: Hash>(value: &T) -> u64 {
        let mut h = DefaultHasher::new();
        value.hash(&mut h);
        h.finish()
    }

    #[test]
    fn an_open_enumeration_is_two_words() {
        // What boxing the unknown value is for (see `UnknownValue`).
        #[allow(dead_code)]
        enum Open {
            A,
            B,
            C,
            D,
            Unknown(UnknownValue),
        }
        assert_eq!(std::mem::size_of::<UnknownValue>(), 8);
        assert_eq!(std::mem::size_of::<Open>(), 16);
        assert_eq!(std::mem::size_of::<Option<Open>>(), 16);
    }

    #[test]
    fn unknown_value_keeps_its_exact_text() {
        let v = UnknownValue::__from_wire("  New_Value ");
        assert_eq!(v.as_str(), "  New_Value ");
        assert_eq!(v.to_string(), "  New_Value ");
        assert_eq!(v, UnknownValue::__from_wire(String::from("  New_Value ")));
        assert_ne!(v, UnknownValue::__from_wire("NEW_VALUE"));
        assert!(UnknownValue::__from_wire("A") < UnknownValue::__from_wire("B"));
        assert_eq!(hash_of(&v), hash_of(&v.clone()));
        assert_eq!(format!("{v:?}"), "UnknownValue(\"  New_Value \")");
    }

    #[test]
    fn id_converts_and_is_a_plain_string_on_the_wire() {
        let id = Id::new("obj-17");
        assert_eq!(id.as_str(), "obj-17");
        assert_eq!(id.as_ref(), "obj-17");
        assert_eq!(id.to_string(), "obj-17");
        assert_eq!(Id::from("obj-17"), id);
        assert_eq!(Id::from(String::from("obj-17")), id);
        assert!(Id::new("a") < Id::new("b"));
        assert_eq!(hash_of(&id), hash_of(&Id::from("obj-17")));
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"obj-17\"");
        assert_eq!(serde_json::from_str::<Id>("\"obj-17\"").unwrap(), id);
        assert!(serde_json::from_str::<Id>("17").is_err());
        assert_eq!(id.into_string(), "obj-17");
    }

    #[test]
    fn binary_is_base64_on_the_wire() {
        let b = Binary::new(vec![0, 1, 2, 0xfb, 0xff]);
        assert_eq!(b.as_bytes(), &[0, 1, 2, 0xfb, 0xff]);
        assert_eq!(serde_json::to_string(&b).unwrap(), "\"AAEC+/8=\"");
        assert_eq!(serde_json::from_str::<Binary>("\"AAEC+/8=\"").unwrap(), b);
        assert_eq!(serde_json::from_str::<Binary>("\"AAEC+/8\"").unwrap(), b);
        assert_eq!(Binary::from(vec![7]).into_vec(), vec![7]);
        assert_eq!(Binary::default().as_bytes(), b"");
        assert_eq!(serde_json::to_string(&Binary::default()).unwrap(), "\"\"");
        assert_eq!(
            serde_json::from_str::<Binary>("\"\"").unwrap(),
            Binary::default()
        );
        assert_eq!(hash_of(&b), hash_of(&b.clone()));
        // Deserializing from an owned string (a `Value`) goes through the same check.
        let from_value: Binary = serde_json::from_value(json!("aGk=")).unwrap();
        assert_eq!(from_value.as_bytes(), b"hi");
    }

    #[test]
    fn binary_rejects_bad_base64_without_panicking() {
        for bad in [
            "\"@@@\"",
            "\"A\"",
            "\"aGk==\"",
            "\"aG k=\"",
            "17",
            "null",
            "[1]",
        ] {
            assert!(serde_json::from_str::<Binary>(bad).is_err(), "{bad}");
        }
        let e = serde_json::from_str::<Binary>("\"@@@\"").unwrap_err();
        assert!(e.to_string().contains("base64"), "{e}");
    }

    #[test]
    fn secret_never_shows_in_debug() {
        let s = Secret::new("hunter2");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(format!("{s:?}"), "Secret(\"***\")");
        assert_eq!(format!("{s:#?}"), "Secret(\"***\")");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Login {
            user: String,
            password: Secret,
        }
        let login = Login {
            user: "admin".to_owned(),
            password: s.clone(),
        };
        assert!(!format!("{login:?}").contains("hunter2"));
        assert_eq!(s.clone(), s);
        assert_ne!(s, Secret::new("other"));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"hunter2\"");
        assert_eq!(serde_json::from_str::<Secret>("\"hunter2\"").unwrap(), s);
    }

    #[test]
    fn unhandled_transport_failure_keeps_its_source() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Unhandled>();
        let e = Unhandled::new("connection refused");
        assert_eq!(e.to_string(), "unhandled error: connection refused");
        assert_eq!(e.source().unwrap().to_string(), "connection refused");
        assert_eq!(e.error_type(), None);
        assert_eq!(e.payload(), None);

        let io = std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out");
        let e = Unhandled::new(io);
        assert!(
            e.source()
                .unwrap()
                .downcast_ref::<std::io::Error>()
                .is_some()
        );
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
        assert!(boxed.to_string().contains("timed out"));
    }

    #[test]
    fn unhandled_undeclared_error_keeps_type_and_payload() {
        let payload = json!({"messages": [{"id": "x", "default_message": "m"}]});
        let e = Unhandled::undeclared("com.vmware.vapi.std.errors.TimedOut", payload.clone());
        assert_eq!(e.error_type(), Some("com.vmware.vapi.std.errors.TimedOut"));
        assert_eq!(e.payload(), Some(&payload));
        assert!(e.source().is_none());
        assert_eq!(
            e.to_string(),
            "undeclared error com.vmware.vapi.std.errors.TimedOut"
        );
        assert!(format!("{e:?}").contains("TimedOut"));
    }

    #[test]
    fn round_trips_rfc_4648_vectors() {
        let table = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in table {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(
            decode("Zm8").as_deref(),
            Some(&b"fo"[..]),
            "padding is optional"
        );
    }

    #[test]
    fn accepts_missing_padding() {
        assert_eq!(decode("Zg").as_deref(), Some(&b"f"[..]));
        assert_eq!(decode("Zm8").as_deref(), Some(&b"fo"[..]));
        assert_eq!(decode("Zm9vYg").as_deref(), Some(&b"foob"[..]));
    }

    #[test]
    fn rejects_what_is_not_base64() {
        for bad in [
            "Z",
            "Zm9vY",
            "Zm9v!",
            "Zm9v Yg==",
            "Zm9v\nYg==",
            "Zg==Zg==",
            "Zg=",
            "Zm8==",
            "Zg===",
            "=",
            "==",
            "====",
            "Zm9v=",
            "Zh==",
            "Zm9=",
            "Zm-_",
            "Zm9vÄ",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn round_trips_every_byte_and_length() {
        let all: Vec<u8> = (0..=255).collect();
        for len in 0..all.len() {
            let bytes = &all[all.len() - len..];
            let text = encode(bytes);
            assert_eq!(text.len() % 4, 0);
            assert_eq!(decode(&text).as_deref(), Some(bytes));
            assert_eq!(decode(text.trim_end_matches('=')).as_deref(), Some(bytes));
        }
        assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "+/+/");
    }
}
