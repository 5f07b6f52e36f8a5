//! Moving files into and out of a Content Library item, as the documented flows do it, in two
//! calls on a logged-in [`Connection`](vapi_runtime::client::Connection):
//!
//! - [`upload()`]: create an update session → add each file → `PUT` its bytes → validate →
//!   complete → delete the session; on any failure the session is failed (and deleted), so
//!   the item is not left locked and keeps the files it had.
//! - [`download()`]: create a download session → list its files → prepare each → poll with
//!   backoff until `PREPARED` → `GET` its bytes into a file beside the destination, verified
//!   against the server's checksum, renamed into place → delete the session.
//!
//! While bytes move, a task calls the session's `keep_alive` with `client_progress` often
//! enough for the session's idle timeout (read from its `expiration_time`). Dropping either
//! future cancels its session on the tokio runtime and leaves no partial file.
//!
//! The bytes move through [`vapi_runtime::transfer`]: streaming, constant memory, the
//! checksum computed on the way, the connection's TLS settings.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use vapi_bindings::content::library::ItemId;
//! use vapi_cl::{DownloadOptions, UploadFile, UploadOptions};
//! use vapi_runtime::client::Connection;
//!
//! let connection = Connection::new("https://vc.example.com")?;
//! connection.login("administrator@vsphere.local", "secret").await?;
//! let item = ItemId::new("e2c4…");
//! vapi_cl::upload(&connection, &item, vec![UploadFile::path("disk.vmdk")], &UploadOptions::default()).await?;
//! let got = vapi_cl::download(&connection, &item, "out".as_ref(), &DownloadOptions::default()).await?;
//! for file in got.files {
//!     println!("{} {} bytes {:?}", file.name, file.bytes, file.checksum);
//! }
//! # Ok(()) }
//! ```
//!
//! The `vapi-cl` binary (feature `cli`, on by default) is a command line on these two calls.

mod download;
mod error;
mod session;
mod upload;

pub use download::{DownloadOptions, DownloadReport, download, list_files};
pub use error::Error;
pub use session::finish_cleanup;
pub use upload::{UploadFile, UploadOptions, UploadReport, upload};

use vapi_runtime::transfer::Checksum;

/// Called as bytes move: the file's name, the bytes done, the file's size when known.
pub type ProgressFn = std::sync::Arc<dyn Fn(&str, u64, Option<u64>) + Send + Sync>;

/// One file moved by [`upload()`] or [`download()`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferredFile {
    /// The file's name in the item.
    pub name: String,
    /// The bytes moved.
    pub bytes: u64,
    /// The checksum of the bytes moved (SHA-256 for uploads; the server's algorithm for
    /// downloads), verified against the server's or the caller's when they gave one.
    pub checksum: Option<Checksum>,
    /// Where the file was written, for a download.
    pub path: Option<std::path::PathBuf>,
}
