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
pub use crate::registry::{TypeInfo, TypeKind, round_trip};
pub use crate::validate::{Must, Validate, ValidationError, check_presence, check_union};
pub use crate::values::{Binary, Id, Secret, Unhandled, UnknownValue};
pub use crate::{DateTime, DynamicStructure, Map, Set, Uri, wire};
pub use serde;

pub use crate::__vapi_id as id;
pub use crate::__vapi_object as object;
pub use crate::__vapi_open_enum as open_enum;
