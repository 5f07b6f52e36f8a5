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
