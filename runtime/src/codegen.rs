//! Everything generated code names, under one path: each generated module starts with
//! `use ::vapi_runtime::codegen as __rt;` and writes `__rt::Option`, `__rt::Id`, ... IDL names
//! cannot start with `_`, so no generated type can shadow `__rt`, and no IDL type called
//! `Option`, `Result` or `String` can break the code. Not an API: only generated code uses it.

pub use std::boxed::Box;
pub use std::clone::Clone;
pub use std::cmp::{Eq, Ord, PartialEq, PartialOrd};
pub use std::convert::{AsRef, From, Infallible, Into};
pub use std::default::Default;
pub use std::error::Error;
pub use std::fmt::{self, Debug, Display, Formatter};
pub use std::future::Future;
pub use std::hash::Hash;
pub use std::marker::{Send, Sized, Sync};
pub use std::option::Option::{self, None, Some};
pub use std::result::Result::{self, Err, Ok};
pub use std::str::FromStr;
pub use std::string::String;
pub use std::sync::Arc;
pub use std::vec::Vec;
pub use std::{format, matches};

pub use crate::metadata::{
    ErrorDescriptor, HttpMethod, OperationDescriptor, PrivilegeRequirement, PrivilegeScope,
    RestBody, RestMapping,
};
pub use crate::registry::{TypeInfo, TypeKind, round_trip, validated_round_trip as validated};
pub use crate::validate::{Must, Validate, ValidationError, check_presence, check_union};
pub use crate::values::{Binary, Id, Secret, Unhandled, UnknownValue};
pub use crate::{BuildError, DateTime, DynamicStructure, Map, Set, Uri, wire};
pub use serde;

mod describe;
mod items;

pub use describe::{error, requires, requires_on, rest};

pub use crate::__vapi_builder as builder;
pub use crate::__vapi_error_type as error_type;
pub use crate::__vapi_fluent as fluent;
pub use crate::__vapi_id as id;
pub use crate::__vapi_object as object;
pub use crate::__vapi_open_enum as open_enum;

pub use crate::dispatch::{Argument, OperationError, check};

#[cfg(feature = "client")]
pub use crate::Call;
#[cfg(feature = "client")]
pub use crate::client::Connection;
#[cfg(feature = "client")]
pub use crate::dispatch::{call, call_unit, refused};

#[cfg(feature = "server")]
pub use crate::dispatch::{Args, Routes, answer, answer_unit};
#[cfg(feature = "server")]
pub use crate::server::axum::Router;

/// An operation's error enum. Generated code writes the errors the operation documents, each
/// with its `error_type` on the wire,
///
/// ```text
/// __rt::error_enum! {
///     /// The errors of [`File::get`](super::File::get).
///     pub enum GetError {
///         /// - if the file is not found.
///         NotFound(__root::vapi::std::errors::NotFound) = "NOT_FOUND",
///     }
/// }
/// ```
///
/// and gets the enum, `#[non_exhaustive]`, with the catch-all variant `Unhandled` (another
/// name when an error took it: `#[unhandled(Other)]` first), `Debug`, `Display`, `Error`, the
/// conversions from the catch-all and from each declared error, and [`OperationError`]. The
/// form `error_enum!(GetError { NotFound(T) = "NOT_FOUND", … } Unhandled)` implements these for
/// an enum declared by hand.
#[macro_export]
#[doc(hidden)]
macro_rules! __error_enum {
    (
        #[unhandled($unhandled:ident)]
        $(#[$attr:meta])*
        pub enum $name:ident {
            $($(#[$vattr:meta])* $variant:ident($ty:ty $(,)?) = $wire:literal),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[doc = ""]
        #[doc = concat!(
            "One variant per error the operation documents, with the conditions it gives, and [`",
            stringify!($unhandled),
            "`](Self::",
            stringify!($unhandled),
            ") for any other.",
        )]
        #[derive($crate::codegen::Debug)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vattr])* $variant($ty),)*
            /// An error the operation does not document, or a failure to reach the service.
            $unhandled($crate::Unhandled),
        }

        $crate::__error_enum!($name { $($variant($ty) = $wire),* } $unhandled);
    };
    ($name:ident { $($variant:ident($ty:ty) = $wire:literal),* $(,)? } $unhandled:ident) => {
        impl ::std::fmt::Display for $name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    $(Self::$variant(e) => ::std::fmt::Display::fmt(e, f),)*
                    Self::$unhandled(e) => ::std::fmt::Display::fmt(e, f),
                }
            }
        }

        impl ::std::error::Error for $name {
            #[inline]
            fn source(&self) -> ::std::option::Option<&(dyn ::std::error::Error + 'static)> {
                ::std::option::Option::Some(match self {
                    $(Self::$variant(e) => e,)*
                    Self::$unhandled(e) => e,
                })
            }
        }

        #[doc(hidden)]
        impl ::std::convert::From<$crate::dispatch::CheckFailed> for $name {
            #[inline]
            fn from(failed: $crate::dispatch::CheckFailed) -> Self {
                Self::$unhandled($crate::Unhandled::from(failed))
            }
        }

        impl ::std::convert::From<$crate::Unhandled> for $name {
            #[inline]
            fn from(error: $crate::Unhandled) -> Self {
                Self::$unhandled(error)
            }
        }

        $(impl ::std::convert::From<$ty> for $name {
            #[inline]
            fn from(error: $ty) -> Self {
                Self::$variant(error)
            }
        })*

        impl $crate::dispatch::OperationError for $name {
            #[inline]
            fn declared(
                error_type: &str,
                body: &[u8],
            ) -> ::std::option::Option<::std::result::Result<Self, $crate::serde_json::Error>> {
                match error_type {
                    $($wire => ::std::option::Option::Some(
                        $crate::dispatch::read(body).map(Self::$variant),
                    ),)*
                    _ => ::std::option::Option::None,
                }
            }

            #[inline]
            fn parts(
                &self,
            ) -> ::std::result::Result<(&'static str, &dyn $crate::dispatch::Argument), &$crate::Unhandled> {
                match self {
                    $(Self::$variant(e) => ::std::result::Result::Ok(($wire, e)),)*
                    Self::$unhandled(u) => ::std::result::Result::Err(u),
                }
            }
        }
    };
    ($(#[$attr:meta])* pub enum $($rest:tt)*) => {
        $crate::__error_enum!(#[unhandled(Unhandled)] $(#[$attr])* pub enum $($rest)*);
    };
}

pub use crate::__error_enum as error_enum;
