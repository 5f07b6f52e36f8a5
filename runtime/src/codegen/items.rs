//! The macros that turn the short definitions of generated code into full types: what is the
//! same for every structure, enumeration and error lives here once. Each takes an item as
//! written in the generated file and adds the derives, variants, impls and boilerplate docs.

/// A generated structure. Generated code writes
///
/// ```text
/// __rt::object! {
///     /// Docs.
///     #[vapi(name = "com.vmware.pkg.Thing", required("name": "string"), visit("part": part))]
///     pub struct Thing {
///         /// Docs.
///         pub name: __rt::String,
///         #[serde(skip_serializing_if = "__rt::Option::is_none")]
///         pub part: __rt::Option<Part>,
///     }
/// }
/// ```
///
/// and gets the struct with `Debug`, `Clone`, `PartialEq` and `Serialize` derived, a
/// `Deserialize` that reads through [`wire::object`](crate::wire::object) (objects only; a
/// missing or `null` required field named with its vAPI type and the structure), and
/// [`Validate`](crate::Validate) calling the inherent `validate`. That `validate` is the
/// macro's, checking the fields listed in `visit` (wire name: field), unless the `vapi`
/// attribute ends with `rules`: then generated code writes its own.
#[doc(hidden)]
#[macro_export]
macro_rules! __vapi_object {
    (@validate $name:ident) => {};
    (@validate $name:ident visit $(($wire:literal, $field:ident))*) => {
        impl $name {
            /// Checks the rules of the documentation that the types cannot express, here and in
            /// the structures this value holds: the first one broken, if any.
            pub fn validate(&self) -> $crate::codegen::Result<(), $crate::ValidationError> {
                $($crate::Validate::validate(&self.$field).map_err(|e| e.within($wire))?;)*
                $crate::codegen::Ok(())
            }
        }
    };
    (
        @object [$($doc:tt)*] $structure:literal [$($required:tt)*] [$($validate:tt)*]
        $(#[$attr:meta])*
        pub struct $name:ident {
            $($(#[$fattr:meta])* pub $fname:ident: $fty:ty),* $(,)?
        }
    ) => {
        $($doc)*
        $(#[$attr])*
        #[derive(
            $crate::codegen::Debug,
            $crate::codegen::Clone,
            $crate::codegen::PartialEq,
            ::serde::Serialize,
        )]
        // The vAPI name, which JSON writers ignore and JSON-RPC writes.
        #[serde(rename = $structure)]
        pub struct $name {
            $($(#[$fattr])* pub $fname: $fty,)*
        }

        // Read through a private twin with serde's derive (so the derived code is not a public
        // function of the structure), then moved over.
        const _: () = {
            #[derive(::serde::Deserialize)]
            struct __Wire {
                $($(#[$fattr])* $fname: $fty,)*
            }

            impl<'de> $crate::codegen::serde::Deserialize<'de> for $name {
                fn deserialize<__D: $crate::codegen::serde::Deserializer<'de>>(
                    deserializer: __D,
                ) -> $crate::codegen::Result<Self, __D::Error> {
                    $crate::wire::object(deserializer, $structure, &[$($required)*], |object| {
                        let wire = <__Wire as ::serde::Deserialize>::deserialize(object)?;
                        $crate::codegen::Ok($name { $($fname: wire.$fname),* })
                    })
                }
            }

            impl $crate::Validate for $name {
                fn validate(&self) -> $crate::codegen::Result<(), $crate::ValidationError> {
                    $name::validate(self)
                }
            }
        };

        $crate::__vapi_object!(@validate $name $($validate)*);
    };
    (
        $(#[doc = $doc:expr])*
        #[vapi(name = $structure:literal, required($($field:literal: $ty:literal),* $(,)?), rules)]
        $($rest:tt)*
    ) => {
        $crate::__vapi_object!(
            @object [$(#[doc = $doc])*] $structure [$(($field, $ty)),*] [] $($rest)*
        );
    };
    (
        $(#[doc = $doc:expr])*
        #[vapi(
            name = $structure:literal,
            required($($field:literal: $ty:literal),* $(,)?)
            $(, visit($($wire:literal: $fname:ident),* $(,)?))? $(,)?
        )]
        $($rest:tt)*
    ) => {
        $crate::__vapi_object!(
            @object [$(#[doc = $doc])*] $structure [$(($field, $ty)),*]
            [visit $($(($wire, $fname))*)?] $($rest)*
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
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::$unknown(value) => value.as_str(),
                }
            }

            /// Whether the value is one this version does not document.
            pub fn is_unknown(&self) -> bool {
                $crate::codegen::matches!(self, Self::$unknown(_))
            }
        }

        impl $crate::codegen::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::$unknown($crate::UnknownValue::__from_wire(other)),
                }
            }
        }

        impl $crate::codegen::From<$crate::codegen::String> for $name {
            fn from(value: $crate::codegen::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::$unknown(_) => Self::$unknown($crate::UnknownValue::__from_wire(value)),
                    known => known,
                }
            }
        }

        impl $crate::codegen::FromStr for $name {
            type Err = $crate::codegen::Infallible;

            fn from_str(value: &str) -> $crate::codegen::Result<Self, $crate::codegen::Infallible> {
                $crate::codegen::Ok(Self::from(value))
            }
        }

        impl $crate::codegen::Display for $name {
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
