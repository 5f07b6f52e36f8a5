//! Helpers the generated `Deserialize` implementations call; public so that generated code can
//! name them, not meant to be called by hand.

use serde::de;

/// The value of a required field, or the error that names the field, its vAPI type and the
/// structure when the field was missing or `null`.
pub fn required<T, E: de::Error>(
    value: Option<T>,
    field: &'static str,
    ty: &'static str,
    structure: &'static str,
) -> Result<T, E> {
    value.ok_or_else(|| {
        E::custom(format_args!(
            "missing required field `{field}` ({ty}) of {structure}"
        ))
    })
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

/// A deserializer that reads only a map (a JSON object): the generated structures read through
/// it, because serde's derived code would also read a structure from an array of its fields
/// in order, which the `/api` JSON never sends and which would misread a list given where an
/// object is expected.
pub struct ObjectOnly<D>(pub D);

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
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
