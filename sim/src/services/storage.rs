//! `com.vmware.content.library.item.Storage`.

use vapi_bindings::content::library::item::{self as item, StorageInfo, storage};
use vapi_bindings::content::library::{ItemId, StorageBacking, StorageBackingType};
use vapi_runtime::Uri;

use crate::faults::Fault;
use crate::state::Simulator;
use crate::store::StoredFile;

impl Simulator {
    fn storage_info(&self, item: &str, name: &str, f: &StoredFile) -> StorageInfo {
        let file = self.file_info(item, name, f);
        let backing = StorageBacking {
            r#type: Some(StorageBackingType::Other),
            datastore_id: None,
            storage_uri: Uri::parse(format!("{}/sim-storage", self.config.base_url)).ok(),
        };
        let uri = Uri::parse(format!(
            "{}/sim-storage/{}/{}",
            self.config.base_url,
            vapi_runtime::rest::encode_path_segment(item),
            vapi_runtime::rest::encode_path_segment(name)
        ));
        let mut info = StorageInfo::new(
            backing,
            uri.into_iter().collect(),
            file.name,
            file.size,
            file.cached,
            file.version,
        );
        info.checksum_info = file.checksum_info;
        info
    }
}

impl item::Storage for Simulator {
    async fn get(
        &self,
        library_item_id: ItemId,
        file_name: String,
    ) -> Result<Vec<StorageInfo>, storage::GetError> {
        let world = self.world().await;
        let item = Simulator::item(&world, &library_item_id)?;
        let f = item.files.get(&file_name).ok_or_else(|| {
            Fault::NotFound(format!(
                "No file {file_name} in library item {library_item_id}."
            ))
        })?;
        Ok(vec![self.storage_info(
            library_item_id.as_str(),
            &file_name,
            f,
        )])
    }

    async fn list(&self, library_item_id: ItemId) -> Result<Vec<StorageInfo>, storage::ListError> {
        let world = self.world().await;
        let item = Simulator::item(&world, &library_item_id)?;
        Ok(item
            .files
            .iter()
            .map(|(name, f)| self.storage_info(library_item_id.as_str(), name, f))
            .collect())
    }
}
