//! The macros that turn the short definitions of generated code into full types: what is the
//! same for every structure, enumeration and error lives here once. Each takes an item as
//! written in the generated file and adds the derives, variants, impls and boilerplate docs.

/// A generated structure. Generated code writes
///
/// ```text
/// __rt::object! {
///     /// Docs.
///     #[vapi(name = "com.vmware.pkg.Thing", visit("part": part))]
///     pub struct Thing {
///         /// Docs.
///         #[vapi(required = "string")]
///         pub name: __rt::String,
///         #[vapi(wire = "type", required = "long")]
///         pub r#type: i64,
///         pub part: __rt::Option<Part>,
///     }
/// }
/// ```
///
/// A field is optional (of type `Option`) unless marked `required` with its vAPI type; its wire
/// name is its Rust name unless `wire` gives another. The structure gets `Debug`, `Clone` and
/// `PartialEq` derived; `Serialize` as a struct named with its vAPI name (which JSON writers
/// ignore and JSON-RPC writes), leaving out unset optional fields; `Deserialize` from a JSON
/// object only, unknown keys ignored, a missing or `null` required field named with its vAPI
/// type and the structure (see [`wire`](crate::wire)); and [`Validate`](crate::Validate)
/// calling the inherent `validate`. That `validate` is the macro's, checking the fields listed
/// in `visit` (wire name: field), unless the `vapi` attribute ends with `rules`: then generated
/// code writes its own. The serde impls are written here rather than derived: a few lines per
/// structure over the generic helpers of [`wire`](crate::wire), which compile and read faster
/// than serde's derive.
#[doc(hidden)]
#[macro_export]
macro_rules! __vapi_object {
    (@validate $name:ident) => {};
    (@validate $name:ident visit $(($wire:literal, $field:ident))*) => {
        impl $name {
            /// Checks the rules of the documentation that the types cannot express, here and in
            /// the structures this value holds: the first one broken, if any.
            #[inline]
            pub fn validate(&self) -> $crate::codegen::Result<(), $crate::ValidationError> {
                $($crate::Validate::validate(&self.$field).map_err(|e| e.within($wire))?;)*
                $crate::codegen::Ok(())
            }
        }
    };
    // The wire name of a field.
    (@wire $fname:ident [wire = $wire:literal $($rest:tt)*]) => { $wire };
    (@wire $fname:ident [$($rest:tt)*]) => { stringify!($fname) };
    // Counts a field if it is written.
    (@len $value:expr, [$(wire = $w:literal,)? required = $ty:literal]) => { 1 };
    (@len $value:expr, [$($rest:tt)*]) => { $crate::codegen::Option::is_some($value) as usize };
    // Writes a field: a required one always, an optional one only when set.
    (@ser $s:ident $wire:expr, $value:expr, [$(wire = $w:literal,)? required = $ty:literal]) => {
        $crate::codegen::serde::ser::SerializeStruct::serialize_field(&mut $s, $wire, $value)?
    };
    (@ser $s:ident $wire:expr, $value:expr, [$($rest:tt)*]) => {
        $crate::wire::optional_field(&mut $s, $wire, $value)?
    };
    // Reads a field's value into its slot: a required `string`, `long` or `boolean` (always a
    // `String`, `i64` or `bool`) with `required_scalar`, which reads it in one look; another
    // required one with `required`; an optional one with `optional`.
    (@de $map:ident $structure:literal $wire:expr, $slot:expr,
        [$(wire = $w:literal,)? required = "string"]) => {
        $crate::wire::required_scalar(&mut $map, $slot, $wire, "string", $structure)?
    };
    (@de $map:ident $structure:literal $wire:expr, $slot:expr,
        [$(wire = $w:literal,)? required = "long"]) => {
        $crate::wire::required_scalar(&mut $map, $slot, $wire, "long", $structure)?
    };
    (@de $map:ident $structure:literal $wire:expr, $slot:expr,
        [$(wire = $w:literal,)? required = "boolean"]) => {
        $crate::wire::required_scalar(&mut $map, $slot, $wire, "boolean", $structure)?
    };
    (@de $map:ident $structure:literal $wire:expr, $slot:expr,
        [$(wire = $w:literal,)? required = $ty:literal]) => {
        $crate::wire::required(&mut $map, $slot, $wire, $ty, $structure)?
    };
    (@de $map:ident $structure:literal $wire:expr, $slot:expr, [$($rest:tt)*]) => {
        $crate::wire::optional(&mut $map, $slot, $wire)?
    };
    // The field's value once the object is read.
    (@take $E:ident $structure:literal $wire:expr, $slot:expr,
        [$(wire = $w:literal,)? required = $ty:literal]) => {
        $crate::wire::take::<_, $E::Error>($slot, $wire, $ty, $structure)?
    };
    (@take $E:ident $structure:literal $wire:expr, $slot:expr, [$($rest:tt)*]) => {
        $crate::codegen::Option::unwrap_or_default($slot)
    };
    (
        @object [$($doc:tt)*] $structure:literal [$($validate:tt)*]
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $fdoc:expr])*
                $(#[vapi($($fa:tt)*)])?
                pub $fname:ident: $fty:ty
            ),* $(,)?
        }
    ) => {
        $($doc)*
        $(#[$attr])*
        #[derive($crate::codegen::Debug, $crate::codegen::Clone, $crate::codegen::PartialEq)]
        pub struct $name {
            $($(#[doc = $fdoc])* pub $fname: $fty,)*
        }

        const _: () = {
            impl $crate::codegen::serde::Serialize for $name {
                fn serialize<__S: $crate::codegen::serde::Serializer>(
                    &self,
                    serializer: __S,
                ) -> $crate::codegen::Result<__S::Ok, __S::Error> {
                    let len = 0 $(+ $crate::__vapi_object!(@len &self.$fname, [$($($fa)*)?]))*;
                    let mut s = serializer.serialize_struct($structure, len)?;
                    $($crate::__vapi_object!(
                        @ser s $crate::__vapi_object!(@wire $fname [$($($fa)*)?]),
                        &self.$fname, [$($($fa)*)?]
                    );)*
                    $crate::codegen::serde::ser::SerializeStruct::end(s)
                }
            }

            // Each field's position among the wire names.
            #[allow(non_camel_case_types)]
            enum __Field {
                $($fname,)*
            }

            const __FIELDS: &[&str] = &[$($crate::__vapi_object!(@wire $fname [$($($fa)*)?])),*];

            struct __Visitor;

            impl<'de> $crate::codegen::serde::de::Visitor<'de> for __Visitor {
                type Value = $name;

                #[inline]
                fn expecting(
                    &self,
                    f: &mut $crate::codegen::Formatter<'_>,
                ) -> $crate::codegen::fmt::Result {
                    $crate::wire::expecting(f, $structure)
                }

                // A hint, which lets the compiler inline the visitor into the deserializer's
                // `deserialize_map` as serde's derive gets inlined into its `deserialize_struct`:
                // without it, a read of a list of structures runs about 4 % more instructions.
                #[inline]
                fn visit_map<__A: $crate::codegen::serde::de::MapAccess<'de>>(
                    self,
                    mut map: __A,
                ) -> $crate::codegen::Result<$name, __A::Error> {
                    $(let mut $fname: $crate::codegen::Option<$fty> = $crate::codegen::None;)*
                    // A `match` on the wire names, which compilers turn into a few compares.
                    let position = |key: &str| match key {
                        $($crate::__vapi_object!(@wire $fname [$($($fa)*)?]) => __Field::$fname as usize,)*
                        _ => __FIELDS.len(),
                    };
                    while let $crate::codegen::Some(key) = $crate::wire::key(&mut map, position)? {
                        $(if key == __Field::$fname as usize {
                            $crate::__vapi_object!(
                                @de map $structure __FIELDS[key], &mut $fname, [$($($fa)*)?]
                            );
                            continue;
                        })*
                        $crate::wire::skip(&mut map)?;
                    }
                    $crate::codegen::Ok($name {
                        $($fname: $crate::__vapi_object!(
                            @take __A $structure __FIELDS[__Field::$fname as usize], $fname,
                            [$($($fa)*)?]
                        ),)*
                    })
                }
            }

            impl<'de> $crate::codegen::serde::Deserialize<'de> for $name {
                fn deserialize<__D: $crate::codegen::serde::Deserializer<'de>>(
                    deserializer: __D,
                ) -> $crate::codegen::Result<Self, __D::Error> {
                    deserializer.deserialize_map(__Visitor)
                }
            }

            impl $crate::Validate for $name {
                #[inline]
                fn validate(&self) -> $crate::codegen::Result<(), $crate::ValidationError> {
                    $name::validate(self)
                }
            }
        };

        $crate::__vapi_object!(@validate $name $($validate)*);
    };
    (
        $(#[doc = $doc:expr])*
        #[vapi(name = $structure:literal, rules)]
        $($rest:tt)*
    ) => {
        $crate::__vapi_object!(@object [$(#[doc = $doc])*] $structure [] $($rest)*);
    };
    (
        $(#[doc = $doc:expr])*
        #[vapi(name = $structure:literal $(, visit($($wire:literal: $fname:ident),* $(,)?))? $(,)?)]
        $($rest:tt)*
    ) => {
        $crate::__vapi_object!(
            @object [$(#[doc = $doc])*] $structure [visit $($(($wire, $fname))*)?] $($rest)*
        );
    };
}

/// The vAPI name, `Display` (`NotFound: what the server said`) and `Error` of a generated error
/// type: `error_type!(NotFound, "com.vmware.vapi.std.errors.NotFound", messages)`, where
/// `messages` is its list of localizable messages (left out when it has none).
#[doc(hidden)]
#[macro_export]
macro_rules! __vapi_error_type {
    ($name:ident, $qualified:literal $(, $messages:ident)?) => {
        impl $name {
            /// The vAPI name of this error type.
            pub const ERROR_TYPE: &'static str = $qualified;
        }

        impl $crate::codegen::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut $crate::codegen::Formatter<'_>) -> $crate::codegen::fmt::Result {
                let name = $qualified.rsplit('.').next().unwrap_or($qualified);
                $crate::wire::fmt_error(
                    f,
                    name,
                    $crate::__vapi_error_type!(@messages self $($messages)?),
                )
            }
        }

        impl $crate::codegen::Error for $name {}
    };
    (@messages $self:ident $messages:ident) => {
        $self.$messages.iter().map(|m| m.default_message.as_str())
    };
    (@messages $self:ident) => {
        $crate::codegen::None::<&str>
    };
}

/// An open enumeration. Generated code writes the documented values with their wire names,
///
/// ```text
/// __rt::open_enum! {
///     /// Docs.
///     pub enum Color {
///         /// Docs.
///         Red = "RED",
///     }
/// }
/// ```
///
/// and gets the enum, `#[non_exhaustive]`, with the catch-all variant `Unknown` (another name
/// when a value took it: `#[unknown(Other)]` first) that keeps any other value, the usual
/// derives, `KNOWN`, `as_str`, `is_unknown`, `From<&str>` (a known value allocates nothing),
/// `From<String>`, infallible `FromStr`, `Display` and serde as a string.
#[doc(hidden)]
#[macro_export]
macro_rules! __vapi_open_enum {
    (@impls $name:ident, $unknown:ident, [$(($variant:ident, $wire:literal)),* $(,)?]) => {
        impl $name {
            /// The wire strings of the documented values, in IDL order.
            pub const KNOWN: &'static [&'static str] = &[$($wire),*];

            /// The value as it is written on the wire.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$unknown(value) => value.as_str(),
                }
            }

            /// Whether the value is one this version does not document.
            #[inline]
            pub fn is_unknown(&self) -> bool {
                $crate::codegen::matches!(self, Self::$unknown(_))
            }
        }

        impl $crate::codegen::From<&str> for $name {
            #[inline]
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::$unknown($crate::UnknownValue::__from_wire(other)),
                }
            }
        }

        impl $crate::codegen::From<$crate::codegen::String> for $name {
            #[inline]
            fn from(value: $crate::codegen::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::$unknown(_) => Self::$unknown($crate::UnknownValue::__from_wire(value)),
                    known => known,
                }
            }
        }

        impl $crate::codegen::FromStr for $name {
            type Err = $crate::codegen::Infallible;

            #[inline]
            fn from_str(value: &str) -> $crate::codegen::Result<Self, $crate::codegen::Infallible> {
                $crate::codegen::Ok(Self::from(value))
            }
        }

        impl $crate::codegen::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut $crate::codegen::Formatter<'_>) -> $crate::codegen::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::codegen::serde::Serialize for $name {
            fn serialize<S: $crate::codegen::serde::Serializer>(
                &self,
                serializer: S,
            ) -> $crate::codegen::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::codegen::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::codegen::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> $crate::codegen::Result<Self, D::Error> {
                $crate::wire::open_enum(deserializer)
            }
        }
    };
    (
        #[unknown($unknown:ident)]
        $(#[$attr:meta])*
        pub enum $name:ident {
            $($(#[$vattr:meta])* $variant:ident = $wire:literal),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[doc = ""]
        #[doc = concat!(
            "The enumeration is open: a value this version does not know is kept in [`",
            stringify!($unknown),
            "`](Self::",
            stringify!($unknown),
            ") and written back unchanged."
        )]
        #[derive(
            $crate::codegen::Debug,
            $crate::codegen::Clone,
            $crate::codegen::PartialEq,
            $crate::codegen::Eq,
            $crate::codegen::PartialOrd,
            $crate::codegen::Ord,
            $crate::codegen::Hash,
        )]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vattr])* $variant,)*
            /// A value this version of the bindings does not know, kept exactly as received.
            /// Compare with `as_str()` rather than matching on this variant.
            $unknown($crate::UnknownValue),
        }

        $crate::__vapi_open_enum!(@impls $name, $unknown, [$(($variant, $wire)),*]);
    };
    ($(#[$attr:meta])* pub enum $($rest:tt)*) => {
        $crate::__vapi_open_enum!(#[unknown(Unknown)] $(#[$attr])* pub enum $($rest)*);
    };
}
