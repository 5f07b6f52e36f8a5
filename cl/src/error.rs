use std::fmt;

use vapi_runtime::transfer::TransferError;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why an [`upload()`](crate::upload) or [`download()`](crate::download) failed.
/// [`Display`](fmt::Display) says which step failed; the server's error or the transfer's
/// cause is [`source()`](std::error::Error::source).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A call of the API failed: the server refused it (its error is the source), or it
    /// could not be reached.
    Api {
        /// The step (`create the update session for item X`).
        step: String,
        /// The operation's error.
        source: BoxError,
    },
    /// The bytes of a file could not be moved.
    Transfer {
        /// The file's name in the item.
        file: String,
        /// Why.
        source: TransferError,
    },
    /// The server refused the uploaded files when validating them.
    Invalid {
        /// What it said, one line per problem.
        problems: Vec<String>,
    },
    /// The session stopped being usable: it expired, failed or was canceled on the server,
    /// or a file could not be prepared.
    Session {
        /// What happened, with the server's message when it gave one.
        message: String,
    },
    /// A file asked for is not in the item, or the item holds a name that cannot be a
    /// local file name.
    NoSuchFile {
        /// The name.
        name: String,
        /// Why it cannot be downloaded.
        reason: String,
    },
    /// A local file could not be read or written.
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn api(step: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Api {
            step: step.into(),
            source: source.into(),
        }
    }

    /// Whether the failure is local (reading a source, writing into the directory), as
    /// opposed to the server refusing or the network failing: `vapi-cl` exits 2 for these
    /// and 1 for the others.
    pub fn is_local(&self) -> bool {
        match self {
            Error::Io { .. } => true,
            Error::Transfer { source, .. } => matches!(source, TransferError::Io { .. }),
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api { step, .. } => write!(f, "cannot {step}"),
            Error::Transfer { file, .. } => write!(f, "cannot transfer {file:?}"),
            Error::Invalid { problems } => {
                write!(f, "the server refused the files: {}", problems.join("; "))
            }
            Error::Session { message } => f.write_str(message),
            Error::NoSuchFile { name, reason } => write!(f, "{name:?}: {reason}"),
            Error::Io { context, .. } => write!(f, "cannot {context}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Api { source, .. } => Some(&**source),
            Error::Transfer { source, .. } => Some(source),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
