//! `com.vmware.content.library.item.downloadsession.File`.

use vapi_bindings::content::library::item::DownloadSessionId;
use vapi_bindings::content::library::item::downloadsession as dls;

use crate::faults::Fault;
use crate::state::{Download, Simulator, World, live, require_active, sha256_info};
use crate::store::StoredFile;

impl Simulator {
    fn download_info(&self, d: &Download, name: &str, f: &StoredFile) -> dls::FileInfo {
        let prepared = d.prepared.iter().any(|p| p == name);
        let mut info = dls::FileInfo::new(
            name.to_owned(),
            0,
            if prepared {
                dls::FilePrepareStatus::Prepared
            } else {
                dls::FilePrepareStatus::Unprepared
            },
        );
        info.size = i64::try_from(f.size).ok();
        info.checksum_info = Some(sha256_info(&f.sha256));
        if prepared {
            info.download_endpoint = self
                .transfer_uri("download", &d.session.token, name)
                .map(vapi_bindings::content::library::item::TransferEndpoint::new);
        }
        info
    }
}

/// A file the session's item does not have: `InvalidArgument`, as `prepare` and `get`
/// document it.
fn no_such_file(name: &str) -> Fault {
    Fault::InvalidArgument(format!(
        "No file {name} in the library item of the download session."
    ))
}

impl dls::File for Simulator {
    async fn list(
        &self,
        id: DownloadSessionId,
    ) -> Result<Vec<dls::FileInfo>, dls::file::ListError> {
        let mut world = self.world().await;
        let World {
            downloads, items, ..
        } = &mut *world;
        let d = live(downloads, id.as_str())?;
        let item = items.get(&d.session.item);
        Ok(item
            .into_iter()
            .flat_map(|i| &i.files)
            .map(|(name, f)| self.download_info(d, name, f))
            .collect())
    }

    async fn prepare(
        &self,
        id: DownloadSessionId,
        file_name: String,
        endpoint_type: Option<dls::FileEndpointType>,
    ) -> Result<dls::FileInfo, dls::file::PrepareError> {
        if endpoint_type
            .as_ref()
            .is_some_and(|t| *t != dls::FileEndpointType::Https)
        {
            return Err(
                Fault::InvalidArgument("Only HTTPS endpoints are simulated.".into()).into(),
            );
        }
        let mut world = self.world().await;
        let World {
            downloads, items, ..
        } = &mut *world;
        let d = live(downloads, id.as_str())?;
        require_active(&d.session).map_err(|f| Fault::InvalidArgument(f.text()))?;
        let f = items
            .get(&d.session.item)
            .and_then(|i| i.files.get(&file_name))
            .ok_or_else(|| no_such_file(&file_name))?;
        if !d.prepared.contains(&file_name) {
            d.prepared.push(file_name.clone());
        }
        Ok(self.download_info(d, &file_name, f))
    }

    async fn get(
        &self,
        id: DownloadSessionId,
        file_name: String,
    ) -> Result<dls::FileInfo, dls::file::GetError> {
        let mut world = self.world().await;
        let World {
            downloads, items, ..
        } = &mut *world;
        let d = live(downloads, id.as_str())?;
        let f = items
            .get(&d.session.item)
            .and_then(|i| i.files.get(&file_name))
            .ok_or_else(|| no_such_file(&file_name))?;
        Ok(self.download_info(d, &file_name, f))
    }
}
