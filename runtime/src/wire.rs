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

/// Reads a generated structure (see [`object!`](crate::codegen::object)): `read` is serde's
/// derived `Deserialize` of its private twin, given a deserializer that reads only a JSON object (serde's derive would
/// also read a structure from an array of its fields in order, which the `/api` JSON never
/// sends and which would misread a list given where an object is expected), and that names a
/// missing or `null` required field with its vAPI type and the structure (`required` lists
/// the required fields' wire names and types, in declaration order) where serde would say
/// only `missing field`. Unknown keys are left to the derive, which ignores them.
pub fn object<'de, D, T>(
    deserializer: D,
    structure: &'static str,
    required: &'static [(&'static str, &'static str)],
    read: impl FnOnce(Object<D>) -> Result<T, D::Error>,
) -> Result<T, D::Error>
where
    D: de::Deserializer<'de>,
{
    read(Object {
        de: deserializer,
        structure,
        required,
    })
}

/// The deserializer [`object`] gives a structure's derived code.
pub struct Object<D> {
    de: D,
    structure: &'static str,
    required: &'static [(&'static str, &'static str)],
}

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for Object<D> {
    type Error = D::Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_map(ObjectVisitor {
            inner: visitor,
            structure: self.structure,
            required: self.required,
        })
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

fn missing<E: de::Error>(field: &str, ty: &str, structure: &str) -> E {
    E::custom(format_args!(
        "missing required field `{field}` ({ty}) of {structure}"
    ))
}

struct ObjectVisitor<V> {
    inner: V,
    structure: &'static str,
    required: &'static [(&'static str, &'static str)],
}

impl<'de, V: de::Visitor<'de>> de::Visitor<'de> for ObjectVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a JSON object ({})", self.structure)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let mut state = KeyState {
            required: self.required,
            current: None,
            seen: 0,
            done: false,
        };
        let access = Access {
            map,
            structure: self.structure,
            state: &mut state,
        };
        match self.inner.visit_map(access) {
            Ok(value) => Ok(value),
            // The derive reports a missing field once it has read every entry: name it as
            // vAPI does. (Fields past the 64th required one keep serde's message.)
            Err(e) if state.done => {
                let first = self
                    .required
                    .iter()
                    .take(64)
                    .enumerate()
                    .find(|(i, _)| state.seen & (1 << i) == 0);
                match first {
                    Some((_, (field, ty))) => Err(missing(field, ty, self.structure)),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}

/// Which required field the key just read was, which were seen, and whether the map ended.
struct KeyState {
    required: &'static [(&'static str, &'static str)],
    current: Option<usize>,
    seen: u64,
    done: bool,
}

impl KeyState {
    fn key(&mut self, key: &str) {
        self.current = self.required.iter().position(|(f, _)| *f == key);
    }
}

struct Access<'s, A> {
    map: A,
    structure: &'static str,
    state: &'s mut KeyState,
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Access<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.state.current = None;
        let key = self.map.next_key_seed(KeySeed {
            inner: seed,
            state: self.state,
        })?;
        if key.is_none() {
            self.state.done = true;
        }
        Ok(key)
    }

    fn next_value_seed<S: de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, A::Error> {
        match self.state.current.take() {
            Some(i) => {
                if i < 64 {
                    self.state.seen |= 1 << i;
                }
                let (field, ty) = self.state.required[i];
                self.map.next_value_seed(NonNull {
                    inner: seed,
                    field,
                    ty,
                    structure: self.structure,
                })
            }
            None => self.map.next_value_seed(seed),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// Reads a key through the derive's seed, noting which required field it names.
struct KeySeed<'s, S> {
    inner: S,
    state: &'s mut KeyState,
}

impl<'de, S: de::DeserializeSeed<'de>> de::DeserializeSeed<'de> for KeySeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(KeyDe {
            de: deserializer,
            state: self.state,
        })
    }
}

struct KeyDe<'s, D> {
    de: D,
    state: &'s mut KeyState,
}

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for KeyDe<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_any(KeyVisitor {
            inner: visitor,
            state: self.state,
        })
    }

    fn deserialize_identifier<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_identifier(KeyVisitor {
            inner: visitor,
            state: self.state,
        })
    }

    fn deserialize_str<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_str(KeyVisitor {
            inner: visitor,
            state: self.state,
        })
    }

    fn deserialize_string<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de.deserialize_string(KeyVisitor {
            inner: visitor,
            state: self.state,
        })
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        ignored_any
    }
}

struct KeyVisitor<'s, V> {
    inner: V,
    state: &'s mut KeyState,
}

impl<'de, V: de::Visitor<'de>> de::Visitor<'de> for KeyVisitor<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.expecting(f)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        self.state.key(v);
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        self.state.key(v);
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        self.state.key(&v);
        self.inner.visit_string(v)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        self.state.key(std::str::from_utf8(v).unwrap_or_default());
        self.inner.visit_bytes(v)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<V::Value, E> {
        self.state.key(std::str::from_utf8(v).unwrap_or_default());
        self.inner.visit_borrowed_bytes(v)
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<V::Value, E> {
        self.state.key(std::str::from_utf8(&v).unwrap_or_default());
        self.inner.visit_byte_buf(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        self.inner.visit_u64(v)
    }
}

/// Reads the value of a required field, refusing `null` with the message of a missing field.
struct NonNull<S> {
    inner: S,
    field: &'static str,
    ty: &'static str,
    structure: &'static str,
}

impl<'de, S: de::DeserializeSeed<'de>> de::DeserializeSeed<'de> for NonNull<S> {
    type Value = S::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: de::DeserializeSeed<'de>> de::Visitor<'de> for NonNull<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a {}", self.ty)
    }

    fn visit_none<E: de::Error>(self) -> Result<S::Value, E> {
        Err(missing(self.field, self.ty, self.structure))
    }

    fn visit_unit<E: de::Error>(self) -> Result<S::Value, E> {
        Err(missing(self.field, self.ty, self.structure))
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.inner.deserialize(deserializer)
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
        #[vapi(name = "com.vmware.T", required("a": "string", "c": "long"))]
        pub struct T {
            pub a: String,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub b: Option<i64>,
            #[serde(rename = "c")]
            pub c: i64,
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
