//! `json_types`: the serde of every structure, error, enumeration and identifier of
//! `vapi-bindings`. The first byte of the input picks the type, the rest is the JSON.
//!
//! Invariants: reading never panics; a value that reads is written without error, the written
//! JSON reads back to an equal value, and that value writes the same bytes again (wire
//! fidelity); `validate()` never panics.

use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;
use vapi_bindings::{content, vapi, vcenter};
use vapi_runtime::Validate;

/// Reads `json` as a `T`, then checks the round trip. Returns the value if it read.
///
/// # Panics
///
/// If the value cannot be written, reads back differently, or writes different bytes.
pub fn round_trip<T: DeserializeOwned + Serialize + PartialEq + Debug>(json: &[u8]) -> Option<T> {
    let first: T = serde_json::from_slice(json).ok()?;
    let written = match serde_json::to_vec(&first) {
        Ok(w) => w,
        Err(e) => panic!("{first:?} was read but cannot be written: {e}"),
    };
    let second: T = match serde_json::from_slice(&written) {
        Ok(v) => v,
        Err(e) => panic!(
            "{first:?} is written as {} which does not read back: {e}",
            String::from_utf8_lossy(&written)
        ),
    };
    assert_eq!(
        first,
        second,
        "written as {} and read back differently",
        String::from_utf8_lossy(&written)
    );
    let again = match serde_json::to_vec(&second) {
        Ok(w) => w,
        Err(e) => panic!("{second:?} was read back but cannot be written: {e}"),
    };
    assert!(
        written == again,
        "not stable on the wire: {} then {}",
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&again)
    );
    Some(second)
}

fn plain<T: DeserializeOwned + Serialize + PartialEq + Debug>(json: &[u8]) {
    round_trip::<T>(json);
}

fn validated<T: DeserializeOwned + Serialize + PartialEq + Debug + Validate>(json: &[u8]) {
    if let Some(value) = round_trip::<T>(json) {
        // The rules may reject the value; they must not panic on it.
        let _ = value.validate();
    }
}

/// A type of `vapi-bindings`: its path below the crate and its check.
pub type Entry = (&'static str, fn(&[u8]));

macro_rules! types {
    (
        validated: [$($vf:ident $(:: $vr:ident)*,)*]
        plain: [$($pf:ident $(:: $pr:ident)*,)*]
    ) => {
        /// Every type: structures and errors (which also run `validate()`), then enumerations
        /// and identifiers. Its order is the meaning of the first input byte: keep appending.
        pub const TYPES: &[Entry] = &[
            $((
                concat!(stringify!($vf) $(, "::", stringify!($vr))*),
                validated::<$vf $(:: $vr)*> as fn(&[u8]),
            ),)*
            $((
                concat!(stringify!($pf) $(, "::", stringify!($pr))*),
                plain::<$pf $(:: $pr)*> as fn(&[u8]),
            ),)*
        ];
    };
}

types! {
    validated: [
        content::library::StorageBacking,
        content::library::item::CertificateVerificationInfo,
        content::library::item::DownloadSessionModel,
        content::library::item::TransferEndpoint,
        content::library::item::UpdateSessionModel,
        content::library::item::ChangesSummary,
        content::library::item::ChangesInfo,
        content::library::item::FileChecksumInfo,
        content::library::item::FileInfo,
        content::library::item::StorageInfo,
        content::library::item::downloadsession::FileInfo,
        content::library::item::updatesession::CertificateInfo,
        content::library::item::updatesession::PreviewInfo,
        content::library::item::updatesession::PreviewWarningInfo,
        content::library::item::updatesession::WarningBehavior,
        content::library::item::updatesession::FileAddSpec,
        content::library::item::updatesession::FileInfo,
        content::library::item::updatesession::FileValidationError,
        content::library::item::updatesession::FileValidationResult,
        vapi::std::AuthenticationScheme,
        vapi::std::DynamicId,
        vapi::std::LocalizableMessage,
        vapi::std::LocalizationParam,
        vapi::std::NestedLocalizableMessage,
        vapi::std::errors::ArgumentLocations,
        vapi::std::errors::FileLocations,
        vapi::std::errors::TransientIndication,
        vapi::std::errors::Error,
        vapi::std::errors::UnverifiedPeer,
        vapi::std::errors::Unsupported,
        vapi::std::errors::UnexpectedInput,
        vapi::std::errors::Unauthorized,
        vapi::std::errors::Unauthenticated,
        vapi::std::errors::UnableToAllocateResource,
        vapi::std::errors::TimedOut,
        vapi::std::errors::ServiceUnavailable,
        vapi::std::errors::ResourceInaccessible,
        vapi::std::errors::ResourceInUse,
        vapi::std::errors::ResourceBusy,
        vapi::std::errors::OperationNotFound,
        vapi::std::errors::NotFound,
        vapi::std::errors::NotAllowedInCurrentState,
        vapi::std::errors::InvalidRequest,
        vapi::std::errors::InvalidElementType,
        vapi::std::errors::InvalidElementConfiguration,
        vapi::std::errors::InvalidArgument,
        vapi::std::errors::InternalServerError,
        vapi::std::errors::FeatureInUse,
        vapi::std::errors::ConcurrentChange,
        vapi::std::errors::Canceled,
        vapi::std::errors::AlreadyInDesiredState,
        vapi::std::errors::AlreadyExists,
    ]
    plain: [
        content::library::StorageBackingType,
        content::library::item::CertVerificationStatus,
        content::library::item::TransferStatus,
        content::library::item::DownloadSessionModelState,
        content::library::item::UpdateSessionModelState,
        content::library::item::FileChecksumAlgorithm,
        content::library::item::downloadsession::FilePrepareStatus,
        content::library::item::downloadsession::FileEndpointType,
        content::library::item::updatesession::WarningType,
        content::library::item::updatesession::PreviewInfoState,
        content::library::item::updatesession::FileSourceType,
        vapi::std::LocalizationParamDateTimeFormat,
        vapi::std::errors::ErrorType,
        content::LibraryId,
        content::library::ItemId,
        content::library::item::DownloadSessionId,
        content::library::item::UpdateSessionId,
        content::library::item::VersionId,
        vcenter::DatastoreId,
    ]
}

/// The index of the type at `path` (as in [`TYPES`]) in the table: the first byte of an input.
pub fn selector(path: &str) -> Option<u8> {
    TYPES
        .iter()
        .position(|(p, _)| *p == path)
        .and_then(|i| u8::try_from(i).ok())
}

/// `json_types`: `data[0]` picks the type (modulo the number of types), `data[1..]` is read as
/// its JSON.
pub fn json_types(data: &[u8]) {
    let Some((&first, json)) = data.split_first() else {
        return;
    };
    let (_, check) = TYPES[usize::from(first) % TYPES.len()];
    check(json);
}
