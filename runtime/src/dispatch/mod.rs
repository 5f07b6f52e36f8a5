//! Calling and serving operations from their descriptors: the REST client call and the router
//! dispatch (REST and JSON-RPC), written once for every operation. A generated `Client` method hands its arguments
//! to `call` (feature `client`) with the operation's
//! [`OperationDescriptor`](crate::OperationDescriptor); a generated `router` lists its
//! operations in `Routes` (feature `server`) with a handler that reads the arguments through
//! `Args` and answers with `answer`. Which argument travels where (path, query, header, body) is read from the
//! descriptor's [`RestMapping`](crate::RestMapping); the generated code keeps only what differs
//! per operation: the names, the types and the input checks.

use serde::Serialize;
use serde_json::Value;

use crate::{Unhandled, ValidationError};

/// An argument of an operation, as JSON: object-safe, so that the arguments of one call, each
/// of its own type, travel together. Every `Serialize` type is one.
pub trait Argument: Send + Sync {
    /// The value as JSON.
    ///
    /// # Errors
    ///
    /// If it cannot be written as JSON.
    fn to_json(&self) -> Result<Value, serde_json::Error>;

    /// The value as JSON text.
    ///
    /// # Errors
    ///
    /// If it cannot be written as JSON.
    fn to_json_vec(&self) -> Result<Vec<u8>, serde_json::Error>;

    /// The value as a vAPI JSON-RPC data value (see [`crate::jsonrpc`]).
    ///
    /// # Errors
    ///
    /// If vAPI has no data value for it.
    #[cfg(feature = "server")]
    fn to_data_value(&self) -> Result<Value, crate::jsonrpc::EncodeError>;
}

impl<T: Serialize + Send + Sync> Argument for T {
    fn to_json(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }

    fn to_json_vec(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    #[cfg(feature = "server")]
    fn to_data_value(&self) -> Result<Value, crate::jsonrpc::EncodeError> {
        crate::jsonrpc::data::encode(self)
    }
}

/// The error type of an operation (the generated `…Error` enums): its declared errors, each
/// travelling as the standard error body with an `error_type`, and the catch-all
/// [`Unhandled`].
pub trait OperationError: From<Unhandled> + Sized {
    /// Reads the declared error whose `error_type` (`NOT_FOUND`) is `error_type` from `body`;
    /// `None` if the operation does not declare one of that type.
    fn declared(error_type: &str, body: &[u8]) -> Option<Result<Self, serde_json::Error>>;

    /// The `error_type` and the value of a declared error, or the catch-all.
    ///
    /// # Errors
    ///
    /// The catch-all, when the error is not a declared one.
    fn parts(&self) -> Result<(&'static str, &dyn Argument), &Unhandled>;

    /// The error `error` of type `error_type` (`NOT_FOUND`), as this operation reports it: its
    /// declared variant, or the catch-all holding it when the operation does not declare it
    /// (a server answers both with the error's own type and body).
    fn from_error<E: Serialize>(error_type: &str, error: &E) -> Self {
        let value = match serde_json::to_value(error) {
            Ok(value) => value,
            Err(e) => return Self::from(Unhandled::new(e)),
        };
        let declared = serde_json::to_vec(&value)
            .ok()
            .and_then(|body| Self::declared(error_type, &body));
        match declared {
            Some(Ok(error)) => error,
            _ => Self::from(Unhandled::undeclared(error_type, value)),
        }
    }
}

/// Reads a declared error from an answer body (for the generated [`OperationError::declared`]).
///
/// # Errors
///
/// If the body is not the JSON of `T`.
pub fn read<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(body)
}

/// The result of an input check, the parameter named: a broken rule is an [`Unhandled`] error
/// on the client (nothing is sent) and 400 `INVALID_ARGUMENT` on the server.
#[derive(Debug)]
pub struct CheckFailed {
    parameter: &'static str,
    error: ValidationError,
}

/// Names the parameter of a failed input check.
///
/// # Errors
///
/// When `result` is one.
pub fn check(
    parameter: &'static str,
    result: Result<(), ValidationError>,
) -> Result<(), CheckFailed> {
    result.map_err(|error| CheckFailed { parameter, error })
}

impl From<CheckFailed> for Unhandled {
    fn from(failed: CheckFailed) -> Self {
        Unhandled::new(failed.error.within(failed.parameter))
    }
}

/// The text of a path variable, query parameter or header: a string as is, a number or
/// boolean as its JSON text; `None` when unset.
#[cfg(feature = "client")]
fn plain_text(value: Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
pub use client::{call, call_unit, refused};

#[cfg(feature = "server")]
mod server;
#[cfg(feature = "server")]
pub use server::{Args, Reply, Routes, Served, answer, answer_unit};

#[cfg(test)]
mod tests;
