//! The rules of the documentation that types cannot express: which fields of a discriminated
//! union go with which tag, and which fields an operation requires or ignores.

use std::fmt;

use crate::{Map, Set};

/// A value that breaks a documented rule: the field, the rule, and the structure that states it.
///
/// ```
/// use vapi_runtime::ValidationError;
///
/// let e = ValidationError::new("com.vmware.X", "port", "must be set when `kind` is TCP");
/// let e = e.within_index(2).within("endpoints");
/// assert_eq!(e.field(), "endpoints[2].port");
/// assert_eq!(
///     e.to_string(),
///     "`endpoints[2].port` must be set when `kind` is TCP (a rule of com.vmware.X)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    structure: &'static str,
    field: String,
    rule: String,
}

impl ValidationError {
    /// A broken rule of `structure` (its vAPI name) about its field `field`.
    pub fn new(structure: &'static str, field: &str, rule: impl Into<String>) -> Self {
        ValidationError {
            structure,
            field: field.to_owned(),
            rule: rule.into(),
        }
    }

    /// The same error seen from the structure, parameter or field `outer` that holds the value.
    pub fn within(mut self, outer: &str) -> Self {
        self.field = if self.field.starts_with('[') {
            format!("{outer}{}", self.field)
        } else {
            format!("{outer}.{}", self.field)
        };
        self
    }

    /// The same error seen from the list or set that holds the value at `index`.
    pub fn within_index(mut self, index: usize) -> Self {
        self.field = if self.field.starts_with('[') {
            format!("[{index}]{}", self.field)
        } else {
            format!("[{index}].{}", self.field)
        };
        self
    }

    /// The same error seen from the map that holds the value under `key`.
    pub fn within_key(mut self, key: &dyn fmt::Debug) -> Self {
        self.field = if self.field.starts_with('[') {
            format!("[{key:?}]{}", self.field)
        } else {
            format!("[{key:?}].{}", self.field)
        };
        self
    }

    /// The vAPI name of the structure whose rule is broken.
    pub fn structure(&self) -> &str {
        self.structure
    }

    /// The path of the offending field from the value that was validated, such as
    /// `spec.preview_info.warnings`.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The rule, such as ``must be set when `state` is ACTIVE``.
    pub fn rule(&self) -> &str {
        &self.rule
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` {} (a rule of {})",
            self.field, self.rule, self.structure
        )
    }
}

impl std::error::Error for ValidationError {}

/// A value with documented rules to check; generated structures implement it, and collections
/// of them check each member.
pub trait Validate {
    /// Checks every rule of the value and of the values it holds; the first broken one.
    fn validate(&self) -> Result<(), ValidationError>;
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        self.as_ref().map_or(Ok(()), Validate::validate)
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        T::validate(self)
    }
}

impl<T: Validate> Validate for [T] {
    fn validate(&self) -> Result<(), ValidationError> {
        for (i, member) in self.iter().enumerate() {
            member.validate().map_err(|e| e.within_index(i))?;
        }
        Ok(())
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        self.as_slice().validate()
    }
}

impl<T: Validate> Validate for Set<T> {
    fn validate(&self) -> Result<(), ValidationError> {
        self.as_slice().validate()
    }
}

impl<K: fmt::Debug, V: Validate> Validate for Map<K, V> {
    fn validate(&self) -> Result<(), ValidationError> {
        for (k, v) in self {
            v.validate().map_err(|e| e.within_key(k))?;
        }
        Ok(())
    }
}

/// One field of a discriminated union: whether it is set agrees with the tag.
///
/// `tag` is the tag field's wire name and `tag_value` its value (`None` when unset);
/// `tag_known` is false for a value this version does not document, whose rules it cannot
/// know, so nothing is checked. The field may be set only when the tag is one of `allowed`,
/// and must be when it is one of `required` (a subset of `allowed`).
#[allow(clippy::too_many_arguments)]
pub fn check_union_field(
    structure: &'static str,
    tag: &str,
    tag_value: Option<&str>,
    tag_known: bool,
    field: &str,
    set: bool,
    required: &[&str],
    allowed: &[&str],
) -> Result<(), ValidationError> {
    if tag_value.is_some() && !tag_known {
        return Ok(());
    }
    let is = |values: &[&str]| tag_value.is_some_and(|v| values.contains(&v));
    let tag_now = match tag_value {
        Some(v) => format!("when `{tag}` is {v}"),
        None => format!("while `{tag}` is unset"),
    };
    if set && !is(allowed) {
        return Err(ValidationError::new(
            structure,
            field,
            format!(
                "must not be set {tag_now} (only when it is {})",
                allowed.join(" or ")
            ),
        ));
    }
    if !set && is(required) {
        return Err(ValidationError::new(
            structure,
            field,
            format!("must be set {tag_now}"),
        ));
    }
    Ok(())
}

/// A field the operation `operation` requires is set.
pub fn check_set(
    structure: &'static str,
    field: &str,
    set: bool,
    operation: &str,
) -> Result<(), ValidationError> {
    if set {
        Ok(())
    } else {
        Err(ValidationError::new(
            structure,
            field,
            format!("must be set for `{operation}`"),
        ))
    }
}

/// A field the operation `operation` does not use is unset.
pub fn check_unset(
    structure: &'static str,
    field: &str,
    set: bool,
    operation: &str,
) -> Result<(), ValidationError> {
    if set {
        Err(ValidationError::new(
            structure,
            field,
            format!("must not be set for `{operation}`"),
        ))
    } else {
        Ok(())
    }
}

/// Whether an operation needs a field set or ignores it: the rule of [`check_presence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Must {
    /// The operation requires the field.
    Set,
    /// The operation does not use the field.
    Unset,
}

/// The presence rules of one operation (`create`, `update`) over the fields of `structure`, as
/// generated code lists them: each field's wire name, its rule and whether it is set; the first
/// field that breaks its rule.
pub fn check_presence(
    structure: &'static str,
    operation: &str,
    fields: &[(&str, Must, bool)],
) -> Result<(), ValidationError> {
    for &(field, must, set) in fields {
        match must {
            Must::Set => check_set(structure, field, set, operation)?,
            Must::Unset => check_unset(structure, field, set, operation)?,
        }
    }
    Ok(())
}

/// One member of a discriminated union, as generated code lists it: the field's wire name,
/// whether it is set, the tag values that require it, and those that allow it.
pub type UnionMember<'a> = (&'a str, bool, &'a [&'a str], &'a [&'a str]);

/// The rules of one discriminated union of `structure`: `tag` is the tag field's wire name,
/// `tag_value` its value and whether this version does not know it (`None` when unset); each
/// member is checked as [`check_union_field`] does, the first broken rule returned. A tag value
/// this version does not know is not checked: its rules are unknown.
pub fn check_union(
    structure: &'static str,
    tag: &str,
    tag_value: Option<(&str, bool)>,
    members: &[UnionMember<'_>],
) -> Result<(), ValidationError> {
    if let Some((_, true)) = tag_value {
        return Ok(());
    }
    let value = tag_value.map(|(v, _)| v);
    for &(field, set, required, allowed) in members {
        check_union_field(structure, tag, value, true, field, set, required, allowed)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "com.vmware.Backing";

    fn check(tag: Option<&str>, known: bool, set: bool) -> Result<(), String> {
        check_union_field(
            S,
            "type",
            tag,
            known,
            "path",
            set,
            &["FILE"],
            &["FILE", "DIR"],
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn presence_names_the_operation() {
        assert_eq!(check_set(S, "id", true, "create"), Ok(()));
        assert_eq!(check_unset(S, "id", false, "create"), Ok(()));
        assert_eq!(
            check_set(S, "id", false, "create").unwrap_err().to_string(),
            "`id` must be set for `create` (a rule of com.vmware.Backing)"
        );
        assert_eq!(
            check_unset(S, "id", true, "update").unwrap_err().rule(),
            "must not be set for `update`"
        );
    }

    #[test]
    fn tables_check_in_order() {
        let members: [UnionMember<'_>; 2] = [
            ("path", false, &["FILE"], &["FILE", "DIR"]),
            ("url", true, &[], &["URL"]),
        ];
        assert_eq!(
            check_union(S, "type", Some(("URL", false)), &members),
            Ok(())
        );
        assert_eq!(
            check_union(S, "type", Some(("FILE", false)), &members)
                .unwrap_err()
                .field(),
            "path"
        );
        assert_eq!(
            check_union(S, "type", Some(("DIR", false)), &members)
                .unwrap_err()
                .rule(),
            "must not be set when `type` is DIR (only when it is URL)"
        );
        assert_eq!(
            check_union(S, "type", Some(("NEW", true)), &members),
            Ok(())
        );
        assert!(check_union(S, "type", None, &members).is_err());
        let fields = [("id", Must::Unset, false), ("name", Must::Set, false)];
        assert_eq!(
            check_presence(S, "create", &fields)
                .unwrap_err()
                .to_string(),
            "`name` must be set for `create` (a rule of com.vmware.Backing)"
        );
        let fields = [("id", Must::Unset, true), ("name", Must::Set, false)];
        assert_eq!(
            check_presence(S, "update", &fields).unwrap_err().field(),
            "id"
        );
        assert_eq!(
            check_presence(S, "update", &[("id", Must::Unset, false)]),
            Ok(())
        );
    }

    #[test]
    fn unions_follow_their_tag() {
        assert_eq!(check(Some("FILE"), true, true), Ok(()));
        assert_eq!(check(Some("DIR"), true, true), Ok(()));
        assert_eq!(check(Some("DIR"), true, false), Ok(()));
        assert_eq!(check(Some("NONE"), true, false), Ok(()));
        assert_eq!(check(None, true, false), Ok(()));
        assert_eq!(
            check(Some("FILE"), true, false),
            Err("`path` must be set when `type` is FILE (a rule of com.vmware.Backing)".into())
        );
        assert_eq!(
            check(Some("NONE"), true, true),
            Err(
                "`path` must not be set when `type` is NONE (only when it is FILE or DIR) \
                 (a rule of com.vmware.Backing)"
                    .into()
            )
        );
        assert_eq!(
            check(None, true, true).map_err(|e| e.contains("while `type` is unset")),
            Err(true)
        );
        assert_eq!(
            check(Some("NEWER"), false, true),
            Ok(()),
            "unknown tags pass"
        );
    }

    struct Rule(bool);

    impl Validate for Rule {
        fn validate(&self) -> Result<(), ValidationError> {
            if self.0 {
                Ok(())
            } else {
                Err(ValidationError::new(S, "x", "must hold"))
            }
        }
    }

    #[test]
    fn collections_name_the_offending_member() {
        let list = vec![Rule(true), Rule(false)];
        assert_eq!(list.validate().unwrap_err().field(), "[1].x");
        let nested = vec![vec![Rule(true)], vec![Rule(true), Rule(false)]];
        let e = nested.validate().unwrap_err().within("spec");
        assert_eq!(e.field(), "spec[1][1].x");
        let map: Map<String, Rule> = [("k".to_owned(), Rule(false))].into_iter().collect();
        assert_eq!(
            map.validate().unwrap_err().within("m").field(),
            "m[\"k\"].x"
        );
        assert_eq!(Some(Rule(true)).validate(), Ok(()));
        assert!(Some(Rule(false)).validate().is_err());
        assert_eq!(None::<Rule>.validate(), Ok(()));
    }
}
