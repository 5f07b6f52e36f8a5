//! The generated service traits of the item API, one file per service.

mod changes;
mod download_file;
mod download_session;
mod file;
mod storage;
mod update_file;
mod update_session;

pub(crate) use update_session::commit;
