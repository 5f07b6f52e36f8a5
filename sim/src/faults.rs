//! [`Fault`]: a problem in the terms every operation's error enum has. Each operation keeps
//! the kinds it declares and turns the rest into its catch-all.

use vapi_bindings::content::library::item::{
    changes, download_session, file, storage, update_session,
};
use vapi_bindings::content::library::item::{downloadsession as dls, updatesession as ups};
use vapi_bindings::vapi::std::LocalizableMessage;
use vapi_bindings::vapi::std::errors;

pub(crate) enum Fault {
    NotFound(String),
    InvalidArgument(String),
    NotAllowed(String),
    Busy(String),
    /// The simulator itself failed (its disk, say): `Error`.
    Internal(String),
}

pub(crate) fn messages(id: &str, text: &str) -> Vec<LocalizableMessage> {
    vec![LocalizableMessage::new(
        format!("com.vmware.vapi.sim.{id}"),
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
            | Fault::Internal(t) => t,
        }
    }
}

impl From<std::io::Error> for Fault {
    fn from(e: std::io::Error) -> Self {
        Fault::Internal(format!("The simulator's storage failed: {e}."))
    }
}

macro_rules! faults {
    ($($error:ty { $($kind:ident => $variant:ident),* })*) => {$(
        impl From<Fault> for $error {
            fn from(fault: Fault) -> Self {
                match fault {
                    $(Fault::$kind(text) => Self::$variant(errors::$variant::new(
                        messages(stringify!($variant), &text),
                    )),)*
                    #[allow(unreachable_patterns)]
                    other => Self::from(vapi_runtime::Unhandled::new(other.text())),
                }
            }
        }
    )*};
}

faults! {
    changes::ListError { NotFound => NotFound, Internal => Error }
    changes::GetError { NotFound => NotFound, Internal => Error }
    download_session::CreateError { NotFound => NotFound, InvalidArgument => InvalidArgument }
    download_session::GetError { NotFound => NotFound }
    download_session::ListError { NotFound => NotFound }
    download_session::KeepAliveError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    download_session::CancelError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    download_session::DeleteError { NotFound => NotFound }
    download_session::FailError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::CreateError { NotFound => NotFound, InvalidArgument => InvalidArgument, Busy => ResourceBusy }
    update_session::GetError { NotFound => NotFound }
    update_session::ListError { NotFound => NotFound }
    update_session::CompleteError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::KeepAliveError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::CancelError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::FailError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::DeleteError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    update_session::UpdateError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState, InvalidArgument => InvalidArgument }
    file::GetError { NotFound => NotFound }
    file::ListError { NotFound => NotFound }
    storage::GetError { NotFound => NotFound }
    storage::ListError { NotFound => NotFound }
    dls::file::ListError { NotFound => NotFound }
    dls::file::PrepareError { NotFound => NotFound, InvalidArgument => InvalidArgument }
    dls::file::GetError { NotFound => NotFound, InvalidArgument => InvalidArgument }
    ups::file::ValidateError { NotFound => NotFound, NotAllowed => NotAllowedInCurrentState }
    ups::file::AddError { NotFound => NotFound, InvalidArgument => InvalidArgument, NotAllowed => NotAllowedInCurrentState }
    ups::file::RemoveError { NotFound => NotFound, InvalidArgument => InvalidArgument }
    ups::file::ListError { NotFound => NotFound }
    ups::file::GetError { NotFound => NotFound, InvalidArgument => InvalidArgument }
}
