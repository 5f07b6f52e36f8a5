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
