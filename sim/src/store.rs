//! The data directory: file contents and item state on disk.
//!
//! ```text
//! DIR/state.json      the items: their files (name → blob, size, SHA-256, version), versions
//!                     and change history; replaced whole by rename, never edited in place
//! DIR/blobs/HEX       one completed file's bytes, never changed once named here
//! DIR/incoming/HEX    an upload being received or received but not yet completed
//! ```
//!
//! A completed update first moves its uploads into `blobs/` (each synced), then writes
//! `state.json.tmp`, syncs it and renames it over `state.json`, then syncs the directory. A
//! kill at any moment leaves either the old state or the new one, each with all its blobs.
//! Opening a directory removes what no state names: `incoming/` and unreferenced blobs.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ids;

/// A completed file of an item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredFile {
    /// Its bytes' name in `blobs/`.
    pub blob: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
    /// The item version that wrote it.
    pub version: u64,
}

/// One entry of an item's change history (`Changes`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Change {
    pub version: u64,
    /// Milliseconds since the Unix epoch.
    pub time: i64,
    pub user: String,
    pub message: String,
}

/// A library item as the simulator keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Item {
    pub version: u64,
    pub files: BTreeMap<String, StoredFile>,
    #[serde(default)]
    pub changes: Vec<Change>,
}

#[derive(Serialize, Deserialize)]
struct State {
    items: BTreeMap<String, Item>,
}

pub(crate) struct Store {
    root: PathBuf,
    // Removes the directory when the simulator goes, if it was made for it.
    _temporary: Option<tempfile::TempDir>,
}

const STATE: &str = "state.json";

fn sync_dir(dir: &Path) -> io::Result<()> {
    // Makes renames in `dir` durable; not every platform can open a directory.
    match fs::File::open(dir) {
        Ok(d) => d.sync_all().or(Ok(())),
        Err(_) => Ok(()),
    }
}

impl Store {
    /// Opens (creating it if needed) `dir`, or a new temporary directory, and reads its items.
    pub fn open(dir: Option<&Path>) -> io::Result<(Store, BTreeMap<String, Item>)> {
        let (root, temporary) = match dir {
            Some(d) => (d.to_path_buf(), None),
            None => {
                let t = tempfile::Builder::new().prefix("vapi-sim-").tempdir()?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        fs::create_dir_all(root.join("blobs"))?;
        fs::create_dir_all(root.join("incoming"))?;
        let store = Store {
            root,
            _temporary: temporary,
        };
        let items = match fs::read(store.root.join(STATE)) {
            Ok(bytes) => {
                let state: State = serde_json::from_slice(&bytes).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: {e}", store.root.join(STATE).display()),
                    )
                })?;
                state.items
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e),
        };
        store.sweep(&items)?;
        Ok((store, items))
    }

    /// Removes interrupted uploads and blobs no item names (left by a kill mid-update).
    fn sweep(&self, items: &BTreeMap<String, Item>) -> io::Result<()> {
        for entry in fs::read_dir(self.root.join("incoming"))? {
            let _ = fs::remove_file(entry?.path());
        }
        let named: std::collections::BTreeSet<&str> = items
            .values()
            .flat_map(|i| i.files.values())
            .map(|f| f.blob.as_str())
            .collect();
        for entry in fs::read_dir(self.root.join("blobs"))? {
            let entry = entry?;
            let name = entry.file_name();
            if !named.contains(name.to_string_lossy().as_ref()) {
                let _ = fs::remove_file(entry.path());
            }
        }
        let _ = fs::remove_file(self.root.join(format!("{STATE}.tmp")));
        Ok(())
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A fresh path in `incoming/` for an upload to write.
    pub fn incoming(&self) -> io::Result<PathBuf> {
        Ok(self.root.join("incoming").join(ids::token()?))
    }

    /// Where the bytes of `blob` are.
    pub fn blob(&self, blob: &str) -> PathBuf {
        self.root.join("blobs").join(blob)
    }

    /// Moves a received (and synced) upload into `blobs/`; returns its blob name.
    pub fn adopt(&self, incoming: &Path) -> io::Result<String> {
        let name = ids::token()?;
        fs::rename(incoming, self.blob(&name))?;
        Ok(name)
    }

    /// Replaces the state on disk with `items`, atomically.
    pub fn save(&self, items: &BTreeMap<String, Item>) -> io::Result<()> {
        sync_dir(&self.root.join("blobs"))?;
        let bytes = serde_json::to_vec_pretty(&StateRef { items }).map_err(io::Error::other)?;
        let tmp = self.root.join(format!("{STATE}.tmp"));
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, self.root.join(STATE))?;
        sync_dir(&self.root)
    }
}

#[derive(Serialize)]
struct StateRef<'a> {
    items: &'a BTreeMap<String, Item>,
}
