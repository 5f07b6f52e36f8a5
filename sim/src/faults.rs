//! [`Fault`]: a problem in the terms of the vAPI standard errors. Which variant of an
//! operation's error enum it becomes is the generated code's business
//! ([`OperationError::from_error`]): the declared variant when the operation documents that
//! error, its catch-all (answered with the error's own type and body) when it does not.

use vapi_bindings::content::library::item::{
    changes, download_session, file, storage, update_session,
};
use vapi_bindings::content::library::item::{downloadsession as dls, updatesession as ups};
use vapi_bindings::vapi::std::LocalizableMessage;
use vapi_bindings::vapi::std::errors;
use vapi_runtime::dispatch::OperationError;

/// A standard error with its message.
#[derive(Debug)]
pub(crate) enum Fault {
    NotFound(String),
    InvalidArgument(String),
    /// `NotAllowedInCurrentState`.
    NotAllowed(String),
    /// `ResourceBusy`.
    Busy(String),
    InvalidElementType(String),
    Unsupported(String),
    /// The simulator itself failed (its disk, say): `Error`.
    Internal(String),
}

/// One message with the simulator's id for `kind` (`NOT_FOUND`: `com.vmware.vapi.sim.not_found`).
pub(crate) fn messages(kind: &str, text: &str) -> Vec<LocalizableMessage> {
    vec![LocalizableMessage::new(
        format!("com.vmware.vapi.sim.{}", kind.to_ascii_lowercase()),
        text.to_owned(),
        Vec::new(),
    )]
}

impl Fault {
    pub(crate) fn text(self) -> String {
        match self {
            Fault::NotFound(t)
            | Fault::InvalidArgument(t)
            | Fault::NotAllowed(t)
            | Fault::Busy(t)
            | Fault::InvalidElementType(t)
            | Fault::Unsupported(t)
            | Fault::Internal(t) => t,
        }
    }

    /// The fault as operation error `E` reports it, through the generated conversion.
    pub(crate) fn into_error<E: OperationError>(self) -> E {
        fn to<E: OperationError, T: serde::Serialize>(
            kind: &str,
            text: &str,
            make: fn(Vec<LocalizableMessage>) -> T,
        ) -> E {
            E::from_error(kind, &make(messages(kind, text)))
        }
        match self {
            Fault::NotFound(t) => to::<E, _>("NOT_FOUND", &t, errors::NotFound::new),
            Fault::InvalidArgument(t) => {
                to::<E, _>("INVALID_ARGUMENT", &t, errors::InvalidArgument::new)
            }
            Fault::NotAllowed(t) => to::<E, _>(
                "NOT_ALLOWED_IN_CURRENT_STATE",
                &t,
                errors::NotAllowedInCurrentState::new,
            ),
            Fault::Busy(t) => to::<E, _>("RESOURCE_BUSY", &t, errors::ResourceBusy::new),
            Fault::InvalidElementType(t) => {
                to::<E, _>("INVALID_ELEMENT_TYPE", &t, errors::InvalidElementType::new)
            }
            Fault::Unsupported(t) => to::<E, _>("UNSUPPORTED", &t, errors::Unsupported::new),
            Fault::Internal(t) => to::<E, _>("ERROR", &t, errors::Error::new),
        }
    }
}

impl From<std::io::Error> for Fault {
    fn from(e: std::io::Error) -> Self {
        Fault::Internal(format!("The simulator's storage failed: {e}."))
    }
}

/// `?` on a `Result<_, Fault>` in a service method. (A blanket `impl<E: OperationError>
/// From<Fault> for E` is not allowed, so each error enum is named once; which variant a
/// fault becomes is not said here.)
macro_rules! convert {
    ($($error:ty),* $(,)?) => {$(
        impl From<Fault> for $error {
            fn from(fault: Fault) -> Self {
                fault.into_error()
            }
        }
    )*};
}

convert!(
    changes::ListError,
    changes::GetError,
    download_session::CreateError,
    download_session::GetError,
    download_session::ListError,
    download_session::KeepAliveError,
    download_session::CancelError,
    download_session::DeleteError,
    download_session::FailError,
    update_session::CreateError,
    update_session::GetError,
    update_session::ListError,
    update_session::CompleteError,
    update_session::KeepAliveError,
    update_session::CancelError,
    update_session::FailError,
    update_session::DeleteError,
    update_session::UpdateError,
    file::GetError,
    file::ListError,
    storage::GetError,
    storage::ListError,
    dls::file::ListError,
    dls::file::PrepareError,
    dls::file::GetError,
    ups::file::ValidateError,
    ups::file::AddError,
    ups::file::RemoveError,
    ups::file::ListError,
    ups::file::GetError,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_error_becomes_its_variant_and_another_the_catch_all() {
        let e: file::GetError = Fault::NotFound("gone".into()).into();
        assert!(
            matches!(&e, file::GetError::NotFound(n) if n.messages[0].default_message == "gone")
        );
        let e: file::GetError = Fault::Unsupported("odd name".into()).into();
        assert!(matches!(e, file::GetError::Unsupported(_)));
        // `File.get` declares no ResourceBusy: the catch-all keeps its type and body.
        let e: file::GetError = Fault::Busy("busy".into()).into();
        match e {
            file::GetError::Unhandled(u) => {
                assert_eq!(u.error_type(), Some("RESOURCE_BUSY"));
                assert!(
                    u.payload()
                        .is_some_and(|p| p["messages"][0]["default_message"] == "busy")
                );
            }
            other => panic!("{other:?}"),
        }
        let e: changes::ListError = Fault::Internal("disk".into()).into();
        assert!(matches!(e, changes::ListError::Error(_)));
    }
}
