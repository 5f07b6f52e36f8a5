//! Tests of `vapi-codegen` and of the bindings it generates; the tests are in `tests/`.
//!
//! Typed identifiers keep resource types apart at compile time. This compiles:
//!
//! ```
//! use vapi_bindings::content::library::item::{DownloadSession, DownloadSessionId};
//! async fn cancel(api: &impl DownloadSession) {
//!     let _ = api.cancel(DownloadSessionId::new("session-1")).await;
//! }
//! ```
//!
//! and passing an update-session id where a download-session id is expected does not:
//!
//! ```compile_fail
//! use vapi_bindings::content::library::item::{DownloadSession, UpdateSessionId};
//! async fn cancel(api: &impl DownloadSession) {
//!     let _ = api.cancel(UpdateSessionId::new("session-1")).await;
//! }
//! ```

pub mod fuzzing;
