//! Helpers the generated `Deserialize` implementations call; public so that generated code can
//! name them, not meant to be called by hand.

use serde::de;

/// Writes an error as `NotFound: first message; second message`: its vAPI name, then the
/// default text of each message the server sent (none: the name alone).
pub fn fmt_error<'a>(
    f: &mut std::fmt::Formatter<'_>,
    name: &str,
    messages: impl IntoIterator<Item = &'a str>,
) -> std::fmt::Result {
    f.write_str(name)?;
    for (i, m) in messages.into_iter().enumerate() {
        f.write_str(if i == 0 { ": " } else { "; " })?;
        f.write_str(m)?;
    }
    Ok(())
}

/// Reads an open enumeration from a string, as `String` would be read (the same deserializer
/// call, the same errors), but hands a borrowed string to `From<&str>`, so that decoding a
/// known value allocates nothing; only an unknown value is kept, in the `String` the
/// deserializer gave when it gave one.
pub fn open_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: de::Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    struct OpenEnum<T>(std::marker::PhantomData<T>);

    impl<T> de::Visitor<'_> for OpenEnum<T>
    where
        T: for<'a> From<&'a str> + From<String>,
    {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
            Ok(T::from(value))
        }

        fn visit_string<E: de::Error>(self, value: String) -> Result<T, E> {
            Ok(T::from(value))
        }

        fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<T, E> {
            match std::str::from_utf8(value) {
                Ok(s) => Ok(T::from(s)),
                Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(value), &self)),
            }
        }

        fn visit_byte_buf<E: de::Error>(self, value: Vec<u8>) -> Result<T, E> {
            match String::from_utf8(value) {
                Ok(s) => Ok(T::from(s)),
                Err(e) => Err(E::invalid_value(
                    de::Unexpected::Bytes(&e.into_bytes()),
                    &self,
                )),
            }
        }
    }

    deserializer.deserialize_string(OpenEnum(std::marker::PhantomData))
}

// The helpers of the serde impls that `object!` writes for a generated structure: its
// `Serialize` writes each field through `optional_field` (or `serialize_field` when required);
// its `Deserialize` asks `deserialize_map` for an object (so an array of fields, which serde's
// derive would read in order, is refused: the `/api` JSON never sends one, and it would misread
// a list given where an object is expected), keeps one `Option` slot per field, reads each key
// with `key` (its position among the wire names, in one pass) and its value with `required`
// or `required_scalar` (which name a `null` required field with its vAPI type and the
// structure) or `optional`,
// skips unknown keys, then takes each slot with `take`, which names a missing required field
// the same way.

/// What a structure's `Deserialize` expects: `a JSON object (com.vmware.pkg.Type)`.
pub fn expecting(f: &mut std::fmt::Formatter<'_>, structure: &str) -> std::fmt::Result {
    write!(f, "a JSON object ({structure})")
}

/// Reads the next key of an object: `Some` position of the key among the structure's fields
/// (`position` gives it: the number of fields for a key the structure does not have), `None`
/// at the end.
///
/// # Errors
///
/// If the input is not an object's next key.
#[inline]
pub fn key<'de, A, F>(map: &mut A, position: F) -> Result<Option<usize>, A::Error>
where
    A: de::MapAccess<'de>,
    F: Fn(&str) -> usize,
{
    map.next_key_seed(Key(position))
}

/// A key's position among the wire names of a structure's fields.
struct Key<F>(F);

impl<'de, F: Fn(&str) -> usize> de::DeserializeSeed<'de> for Key<F> {
    type Value = usize;

    #[inline]
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<F: Fn(&str) -> usize> de::Visitor<'_> for Key<F> {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a field name")
    }

    #[inline]
    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        Ok((self.0)(key))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<usize, E> {
        // A key that is not UTF-8 is no field's.
        Ok(std::str::from_utf8(key).map_or(usize::MAX, &self.0))
    }
}

/// Reads the value of the required field `field` (vAPI type `ty`) of `structure` into its slot.
///
/// # Errors
///
/// If the value is `null` (`missing required field `name` (string) of com.vmware.pkg.Type`, as
/// [`take`] says when it is absent), not of the field's type, or the field came before.
#[inline]
pub fn required<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    field: &'static str,
    ty: &'static str,
    structure: &'static str,
) -> Result<(), A::Error>
where
    A: de::MapAccess<'de>,
    T: de::Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(field));
    }
    let field = Field {
        field,
        ty,
        structure,
    };
    *slot = Some(map.next_value_seed(Required(field, std::marker::PhantomData))?);
    Ok(())
}

/// Reads the value of the required field `field` of `structure`, of vAPI type `string`, `long`
/// or `boolean` (`T` is `String`, `i64` or `bool`), into its slot: as [`required`] does, but in
/// one look at the value where `required` takes two (`deserialize_option` for `null`, then the
/// type's own call), which is about 2.5 % of reading a list of structures. The values read and
/// the errors are those of `T`'s own `Deserialize` (for the self-describing formats, such as
/// JSON, that vAPI uses: the value is read with `deserialize_any`).
///
/// # Errors
///
/// As [`required`].
#[inline]
pub fn required_scalar<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    field: &'static str,
    ty: &'static str,
    structure: &'static str,
) -> Result<(), A::Error>
where
    A: de::MapAccess<'de>,
    T: Scalar,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(field));
    }
    let field = Field {
        field,
        ty,
        structure,
    };
    *slot = Some(map.next_value_seed(RequiredScalar(field, std::marker::PhantomData))?);
    Ok(())
}

/// A required field, for the error that names it when it is `null`.
struct Field {
    field: &'static str,
    ty: &'static str,
    structure: &'static str,
}

impl Field {
    #[cold]
    fn null<E: de::Error>(&self) -> E {
        missing(self.field, self.ty, self.structure)
    }
}

/// A required field's value: the deserializer's `Option` (which tells `null` from a value as
/// serde's `Option<T>` would), refusing `null` on the spot. Reading an `Option<T>` and taking
/// it apart afterwards, as this did before, cost about 1.3 % more of a read.
struct Required<T>(Field, std::marker::PhantomData<T>);

impl<'de, T: de::Deserialize<'de>> de::DeserializeSeed<'de> for Required<T> {
    type Value = T;

    #[inline]
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: de::Deserialize<'de>> de::Visitor<'de> for Required<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a value ({})", self.0.ty)
    }

    #[inline]
    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize(deserializer)
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Err(self.0.null())
    }

    // What some formats give for `null`, and serde's `Option<T>` reads as `None`.
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Err(self.0.null())
    }
}

/// The types [`required_scalar`] reads: `String`, `i64` and `bool`, from what a
/// self-describing deserializer found, taking what their own `Deserialize` takes; a method per
/// kind of value (the visitor's), each refusing it by default with the type's own message.
pub trait Scalar: Sized {
    /// What the type's own `Deserialize` says it expects.
    const EXPECTING: &'static str;

    /// From a boolean.
    ///
    /// # Errors
    ///
    /// If the type does not take it.
    #[cold]
    fn from_bool<E: de::Error>(v: bool) -> Result<Self, E> {
        Err(E::invalid_type(de::Unexpected::Bool(v), &Self::EXPECTING))
    }

    /// From a signed integer.
    ///
    /// # Errors
    ///
    /// If the type does not take it.
    #[cold]
    fn from_i64<E: de::Error>(v: i64) -> Result<Self, E> {
        Err(E::invalid_type(de::Unexpected::Signed(v), &Self::EXPECTING))
    }

    /// From an unsigned integer.
    ///
    /// # Errors
    ///
    /// If the type does not take it.
    #[cold]
    fn from_u64<E: de::Error>(v: u64) -> Result<Self, E> {
        Err(E::invalid_type(
            de::Unexpected::Unsigned(v),
            &Self::EXPECTING,
        ))
    }

    /// From a floating-point number.
    ///
    /// # Errors
    ///
    /// If the type does not take it.
    #[cold]
    fn from_f64<E: de::Error>(v: f64) -> Result<Self, E> {
        Err(E::invalid_type(de::Unexpected::Float(v), &Self::EXPECTING))
    }

    /// From a borrowed string.
    ///
    /// # Errors
    ///
    /// If the type does not take it.
    #[cold]
    fn from_str<E: de::Error>(v: &str) -> Result<Self, E> {
        Err(E::invalid_type(de::Unexpected::Str(v), &Self::EXPECTING))
    }

    /// From an owned string.
    ///
    /// # Errors
    ///
    /// If the type does not take it.
    #[cold]
    fn from_string<E: de::Error>(v: String) -> Result<Self, E> {
        Self::from_str(&v)
    }

    /// From bytes.
    ///
    /// # Errors
    ///
    /// If the type does not take them.
    #[cold]
    fn from_bytes<E: de::Error>(v: &[u8]) -> Result<Self, E> {
        Err(E::invalid_type(de::Unexpected::Bytes(v), &Self::EXPECTING))
    }
}

impl Scalar for String {
    const EXPECTING: &'static str = "a string";

    #[inline]
    fn from_str<E: de::Error>(v: &str) -> Result<Self, E> {
        Ok(v.to_owned())
    }

    #[inline]
    fn from_string<E: de::Error>(v: String) -> Result<Self, E> {
        Ok(v)
    }

    fn from_bytes<E: de::Error>(v: &[u8]) -> Result<Self, E> {
        match std::str::from_utf8(v) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &Self::EXPECTING)),
        }
    }
}

impl Scalar for i64 {
    const EXPECTING: &'static str = "i64";

    #[inline]
    fn from_i64<E: de::Error>(v: i64) -> Result<Self, E> {
        Ok(v)
    }

    #[inline]
    fn from_u64<E: de::Error>(v: u64) -> Result<Self, E> {
        i64::try_from(v)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &Self::EXPECTING))
    }
}

impl Scalar for bool {
    const EXPECTING: &'static str = "a boolean";

    #[inline]
    fn from_bool<E: de::Error>(v: bool) -> Result<Self, E> {
        Ok(v)
    }
}

/// A required `string`, `long` or `boolean` field's value, read with `deserialize_any`, whose
/// one look at the value tells `null` (`visit_unit`) from the rest. Maps and sequences are
/// refused by the visitor's defaults, with the messages `T`'s own visitor gives.
struct RequiredScalar<T>(Field, std::marker::PhantomData<T>);

impl<'de, T: Scalar> de::DeserializeSeed<'de> for RequiredScalar<T> {
    type Value = T;

    #[inline]
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: Scalar> de::Visitor<'de> for RequiredScalar<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::EXPECTING)
    }

    #[inline]
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        T::from_bool(v)
    }

    #[inline]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::from_i64(v)
    }

    #[inline]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::from_u64(v)
    }

    #[inline]
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        T::from_f64(v)
    }

    #[inline]
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        T::from_str(v)
    }

    #[inline]
    fn visit_string<E: de::Error>(self, v: String) -> Result<T, E> {
        T::from_string(v)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<T, E> {
        T::from_bytes(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Err(self.0.null())
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Err(self.0.null())
    }
}

/// Reads the value of the optional field `field` (of type `Option<…>`, `null` unset) into its
/// slot.
///
/// # Errors
///
/// If the value is not of the field's type, or the field came before.
#[inline]
pub fn optional<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    field: &'static str,
) -> Result<(), A::Error>
where
    A: de::MapAccess<'de>,
    T: de::Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(field));
    }
    *slot = Some(map.next_value::<T>()?);
    Ok(())
}

/// Skips the value of a key the structure does not have.
///
/// # Errors
///
/// If the value is not well-formed.
#[inline]
pub fn skip<'de, A: de::MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}

/// The value of the required field `field` (vAPI type `ty`) of `structure`, once the object is
/// read.
///
/// # Errors
///
/// `missing required field `name` (string) of com.vmware.pkg.Type` when it was absent.
#[inline]
pub fn take<T, E: de::Error>(
    slot: Option<T>,
    field: &str,
    ty: &str,
    structure: &str,
) -> Result<T, E> {
    slot.ok_or_else(|| missing(field, ty, structure))
}

#[cold]
fn missing<E: de::Error>(field: &str, ty: &str, structure: &str) -> E {
    E::custom(format_args!(
        "missing required field `{field}` ({ty}) of {structure}"
    ))
}

/// Writes the optional field `field` when it is set (as the `Option`, so that JSON-RPC marks it
/// optional), else tells the serializer it is skipped.
///
/// # Errors
///
/// The serializer's.
#[inline]
pub fn optional_field<S, T>(
    s: &mut S,
    field: &'static str,
    value: &Option<T>,
) -> Result<(), S::Error>
where
    S: serde::ser::SerializeStruct,
    T: serde::Serialize,
{
    if value.is_some() {
        s.serialize_field(field, value)
    } else {
        s.skip_field(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for a generated open enumeration.
    #[derive(Debug, PartialEq)]
    enum Algo {
        Sha1,
        Unknown(String),
    }

    impl From<&str> for Algo {
        fn from(s: &str) -> Self {
            match s {
                "SHA1" => Algo::Sha1,
                other => Algo::Unknown(other.to_owned()),
            }
        }
    }

    impl From<String> for Algo {
        fn from(s: String) -> Self {
            match Algo::from(s.as_str()) {
                Algo::Unknown(_) => Algo::Unknown(s),
                known => known,
            }
        }
    }

    struct Shown<'a>(&'a [&'a str]);

    impl std::fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            fmt_error(f, "NotFound", self.0.iter().copied())
        }
    }

    #[test]
    fn errors_show_their_name_and_messages() {
        assert_eq!(Shown(&[]).to_string(), "NotFound");
        assert_eq!(Shown(&["No file x"]).to_string(), "NotFound: No file x");
        assert_eq!(Shown(&["a", "b"]).to_string(), "NotFound: a; b");
    }

    crate::__vapi_object! {
        /// A stand-in for a generated structure.
        #[vapi(name = "com.vmware.T")]
        pub struct T {
            #[vapi(required = "string")]
            pub a: String,
            pub b: Option<i64>,
            #[vapi(wire = "c", required = "long")]
            pub r#c: i64,
        }
    }

    fn object(json: &str) -> Result<T, String> {
        let text = serde_json::from_str::<T>(json).map_err(|e| e.to_string());
        // From a `Value` too: its keys and strings come as owned strings.
        let value = serde_json::from_str::<serde_json::Value>(json)
            .map_err(|e| e.to_string())
            .and_then(|v| serde_json::from_value::<T>(v).map_err(|e| e.to_string()));
        let strip = |e: String| e.split(" at line").next().unwrap_or_default().to_owned();
        assert_eq!(
            text.as_ref().map_err(|e| strip(e.clone())),
            value.as_ref().map_err(|e| strip(e.clone())),
            "{json}"
        );
        text
    }

    #[test]
    fn objects_read_as_derived_and_name_missing_fields() {
        let t = T {
            a: "x".into(),
            b: None,
            c: 1,
        };
        assert_eq!(object(r#"{"a": "x", "c": 1, "new": [1]}"#), Ok(t));
        assert_eq!(
            object(r#"{"c": 1, "a": "x", "b": null}"#).map(|t| t.b),
            Ok(None)
        );
        assert_eq!(
            object(r#"{"a": "x", "c": 2, "b": 3}"#).map(|t| t.b),
            Ok(Some(3))
        );
        let missing = |json: &str| object(json).unwrap_err();
        assert!(
            missing(r#"{"c": 1}"#)
                .starts_with("missing required field `a` (string) of com.vmware.T"),
            "{}",
            missing(r#"{"c": 1}"#)
        );
        assert!(
            missing(r#"{"a": "x"}"#)
                .starts_with("missing required field `c` (long) of com.vmware.T")
        );
        assert!(missing("{}").starts_with("missing required field `a` (string)"));
        assert!(
            missing(r#"{"a": "x", "c": null}"#)
                .starts_with("missing required field `c` (long) of com.vmware.T")
        );
        assert!(
            missing(r#"{"c": null, "a": "x"}"#)
                .starts_with("missing required field `c` (long) of com.vmware.T")
        );
        assert!(missing(r#"{"a": 1, "c": 1}"#).contains("expected a string"));
        assert!(missing(r#"["x", 1]"#).contains("expected a JSON object (com.vmware.T)"));
        assert!(missing("17").contains("expected a JSON object (com.vmware.T)"));
        assert_eq!(
            serde_json::to_string(&T {
                a: "x".into(),
                b: Some(2),
                c: 1
            })
            .unwrap(),
            r#"{"a":"x","b":2,"c":1}"#
        );
    }

    crate::__vapi_object! {
        /// A stand-in with a required field of each type `required_scalar` reads.
        #[vapi(name = "com.vmware.S")]
        pub struct S {
            #[vapi(required = "string")]
            pub s: String,
            #[vapi(required = "long")]
            pub l: i64,
            #[vapi(required = "boolean")]
            pub b: bool,
        }
    }

    /// The message of an error without serde_json's position.
    fn message(e: &serde_json::Error) -> String {
        let e = e.to_string();
        e.split(" at line").next().unwrap_or_default().to_owned()
    }

    #[test]
    fn scalars_read_and_fail_as_their_own_types() {
        let values = [
            "\"x\"",
            "\"\\u00e9\"",
            "\"10\"",
            "0",
            "-3",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "18446744073709551616",
            "1.5",
            "1e3",
            "true",
            "false",
            "[]",
            "[1]",
            "{}",
            "{\"a\": 1}",
        ];
        for value in values {
            let object = |field: &str| {
                let mut fields = vec![("s", "\"x\""), ("l", "1"), ("b", "true")];
                for f in &mut fields {
                    if f.0 == field {
                        f.1 = value;
                    }
                }
                let json = fields
                    .iter()
                    .map(|(k, v)| format!("\"{k}\": {v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("{{{json}}}")
            };
            // As text and from a `Value` (owned strings, no positions), like their own types.
            let read = |json: &str| {
                let text = serde_json::from_str::<S>(json).map_err(|e| message(&e));
                let value = serde_json::from_str::<serde_json::Value>(json)
                    .map_err(|e| message(&e))
                    .and_then(|v| serde_json::from_value::<S>(v).map_err(|e| message(&e)));
                assert_eq!(text, value, "{json}");
                text
            };
            let own = |e: serde_json::Error| message(&e);
            assert_eq!(
                read(&object("s")).map(|o| o.s),
                serde_json::from_str::<String>(value).map_err(own),
                "s: {value}"
            );
            assert_eq!(
                read(&object("l")).map(|o| o.l),
                serde_json::from_str::<i64>(value).map_err(own),
                "l: {value}"
            );
            assert_eq!(
                read(&object("b")).map(|o| o.b),
                serde_json::from_str::<bool>(value).map_err(own),
                "b: {value}"
            );
        }
        for field in ["s", "l", "b"] {
            let json = [("s", "\"x\""), ("l", "1"), ("b", "true")]
                .map(|(k, v)| format!("\"{k}\": {}", if k == field { "null" } else { v }))
                .join(", ");
            let json = format!("{{{json}}}");
            let e = serde_json::from_str::<S>(&json).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("missing required field `{field}` (")),
                "{field}: {e}"
            );
            assert!(e.contains(") of com.vmware.S"), "{e}");
        }
    }

    fn read(json: &str) -> Result<Algo, String> {
        let mut de = serde_json::Deserializer::from_str(json);
        open_enum(&mut de).map_err(|e: serde_json::Error| e.to_string())
    }

    #[test]
    fn open_enum_reads_known_and_unknown_strings_and_refuses_the_rest() {
        assert_eq!(read(r#""SHA1""#), Ok(Algo::Sha1));
        assert_eq!(read(r#""SHA3""#), Ok(Algo::Unknown("SHA3".into())));
        // An escape makes serde_json hand over a decoded copy rather than a borrowed slice.
        assert_eq!(read(r#""SHA\u0031""#), Ok(Algo::Sha1));
        let from_value = open_enum::<_, Algo>(serde_json::json!("SHA9"));
        assert_eq!(from_value.ok(), Some(Algo::Unknown("SHA9".into())));
        let err = read("1").err().unwrap_or_default();
        assert!(err.contains("expected a string"), "{err}");
    }
}
