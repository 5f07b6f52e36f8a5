//! `com.vmware.content.library.item.File`.

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::{self as item, file};
use vapi_runtime::Uri;

use crate::faults::Fault;
use crate::state::{Simulator, World, sha256_info};
use crate::store::{Item, StoredFile};

impl Simulator {
    pub(crate) fn item<'w>(world: &'w World, id: &ItemId) -> Result<&'w Item, Fault> {
        world
            .items
            .get(id.as_str())
            .ok_or_else(|| Fault::NotFound(format!("No library item {id}.")))
    }

    /// `{base}/sim-files/{item}/{file}`: the 9.0 `file_download_endpoint`, which asks for
    /// `vmware-api-session-id`.
    fn file_download_uri(&self, item: &str, name: &str) -> Option<Uri> {
        Uri::parse(format!(
            "{}/sim-files/{}/{}",
            self.config.base_url,
            vapi_runtime::rest::encode_path_segment(item),
            vapi_runtime::rest::encode_path_segment(name)
        ))
        .ok()
    }

    pub(crate) fn file_info(&self, item: &str, name: &str, f: &StoredFile) -> item::FileInfo {
        let mut info = item::FileInfo::new(
            name.to_owned(),
            i64::try_from(f.size).unwrap_or(i64::MAX),
            true,
            f.version.to_string(),
        );
        info.checksum_info = Some(sha256_info(&f.sha256));
        info.file_download_endpoint = self.file_download_uri(item, name);
        info
    }
}

/// A name the 9.0 `file_download_endpoint` cannot carry: the simulator's reading of "unsupported
/// characters in file name" is control characters (which no URI path may hold, even encoded,
/// for many clients).
fn downloadable(name: &str) -> Result<(), Fault> {
    match name.chars().find(|c| c.is_control()) {
        Some(c) => Err(Fault::Unsupported(format!(
            "No download endpoint can be made for file {name:?}: it holds the character {:?}.",
            c
        ))),
        None => Ok(()),
    }
}

impl item::File for Simulator {
    async fn get(
        &self,
        library_item_id: ItemId,
        name: String,
    ) -> Result<item::FileInfo, file::GetError> {
        let world = self.world().await;
        let item = Simulator::item(&world, &library_item_id)?;
        let f = item.files.get(&name).ok_or_else(|| {
            Fault::NotFound(format!("No file {name} in library item {library_item_id}."))
        })?;
        downloadable(&name)?;
        Ok(self.file_info(library_item_id.as_str(), &name, f))
    }

    async fn list(&self, library_item_id: ItemId) -> Result<Vec<item::FileInfo>, file::ListError> {
        let world = self.world().await;
        let item = Simulator::item(&world, &library_item_id)?;
        let mut infos = Vec::with_capacity(item.files.len());
        for (name, f) in &item.files {
            downloadable(name)?;
            infos.push(self.file_info(library_item_id.as_str(), name, f));
        }
        Ok(infos)
    }
}
