//! `com.vmware.content.library.item.updatesession.File`.

use vapi_bindings::content::library::item::updatesession as ups;
use vapi_bindings::content::library::item::{
    FileChecksumAlgorithm, TransferEndpoint, TransferStatus, UpdateSessionId,
};
use vapi_bindings::vapi::std::LocalizableMessage;

use crate::faults::Fault;
use crate::state::{PullStatus, Simulator, Update, Upload, live_update, require_active};

/// The session must be active and not completing (its PULL sources being fetched).
fn open_for_changes(u: &Update) -> Result<(), Fault> {
    require_active(&u.session)?;
    if u.completing {
        return Err(Fault::NotAllowed(
            "The session is completing: its files cannot change.".into(),
        ));
    }
    Ok(())
}

impl Simulator {
    fn upload_info(&self, token: &str, name: &str, f: &Upload) -> ups::FileInfo {
        let transferred = match (&f.received, &f.pull) {
            (Some(r), _) => r.size,
            (None, Some(p)) => p.transferred.load(std::sync::atomic::Ordering::Relaxed),
            (None, None) => 0,
        };
        let status = match (&f.received, f.pull.as_ref().map(|p| &p.status)) {
            (Some(_), _) => TransferStatus::Ready,
            (None, Some(PullStatus::Transferring)) => TransferStatus::Transferring,
            (None, Some(PullStatus::Failed(_))) => TransferStatus::Error,
            (None, _) => TransferStatus::WaitingForTransfer,
        };
        let mut info = ups::FileInfo::new(
            name.to_owned(),
            f.source_type.clone(),
            i64::try_from(transferred).unwrap_or(i64::MAX),
            status,
        );
        if let Some(PullStatus::Failed(why)) = f.pull.as_ref().map(|p| &p.status) {
            info.error_message = Some(LocalizableMessage::new(
                "com.vmware.vapi.sim.transfer_failed".into(),
                why.clone(),
                Vec::new(),
            ));
        }
        info.size = f.size;
        info.checksum_info = f.checksum.clone();
        info.source_endpoint = f.source_endpoint.clone();
        if f.source_type == ups::FileSourceType::Push {
            info.upload_endpoint = self
                .transfer_uri("upload", token, name)
                .map(TransferEndpoint::new);
        }
        info
    }

    /// Why a received file does not match what its spec promised, if it does not.
    pub(crate) fn invalid(f: &Upload) -> Option<String> {
        let received = f.received.as_ref()?;
        if let Some(size) = f.size
            && u64::try_from(size).ok() != Some(received.size)
        {
            return Some(format!(
                "{} bytes received, {size} announced",
                received.size
            ));
        }
        if let Some(c) = &f.checksum {
            let algorithm_ok = c
                .algorithm
                .as_ref()
                .is_none_or(|a| *a == FileChecksumAlgorithm::Sha256);
            if !algorithm_ok {
                return Some("only SHA256 checksums can be verified".into());
            }
            if !c.checksum.eq_ignore_ascii_case(&received.sha256) {
                return Some("the checksum does not match".into());
            }
        }
        None
    }
}

impl ups::File for Simulator {
    async fn validate(
        &self,
        id: UpdateSessionId,
    ) -> Result<ups::FileValidationResult, ups::file::ValidateError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        let mut missing = vapi_runtime::Set::new();
        let mut invalid = Vec::new();
        for (name, f) in &u.files {
            if f.received.is_none() {
                missing.insert(name.clone());
            } else if let Some(why) = Simulator::invalid(f) {
                invalid.push(ups::FileValidationError::new(
                    name.clone(),
                    LocalizableMessage::new(
                        "com.vmware.vapi.sim.invalid_file".into(),
                        why,
                        Vec::new(),
                    ),
                ));
            }
        }
        let has_errors = !missing.is_empty() || !invalid.is_empty();
        Ok(ups::FileValidationResult::new(has_errors, missing, invalid))
    }

    async fn add(
        &self,
        id: UpdateSessionId,
        file_spec: ups::FileAddSpec,
    ) -> Result<ups::FileInfo, ups::file::AddError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        open_for_changes(u)?;
        if file_spec.source_type.is_unknown() {
            return Err(Fault::InvalidArgument(format!(
                "Unknown source type {}.",
                file_spec.source_type
            ))
            .into());
        }
        if file_spec.name.is_empty() {
            return Err(Fault::InvalidArgument("A file needs a name.".into()).into());
        }
        let pull_from = match file_spec.source_type {
            ups::FileSourceType::Pull => {
                Some(crate::pull::source_url(file_spec.source_endpoint.as_ref())?)
            }
            ups::FileSourceType::Push => None,
            _ => {
                return Err(Fault::InvalidArgument(format!(
                    "Files are added with a PUSH or PULL source, not {}.",
                    file_spec.source_type
                ))
                .into());
            }
        };
        let mut upload = Upload {
            source_type: file_spec.source_type,
            source_endpoint: file_spec.source_endpoint,
            size: file_spec.size,
            checksum: file_spec.checksum_info,
            received: None,
            pull: None,
        };
        if let Some(url) = pull_from {
            upload.pull = Some(self.start_pull(id.as_str(), &file_spec.name, url, &upload)?);
        }
        let info = self.upload_info(&u.session.token, &file_spec.name, &upload);
        u.files.insert(file_spec.name, upload);
        Ok(info)
    }

    async fn remove(
        &self,
        id: UpdateSessionId,
        file_name: String,
    ) -> Result<(), ups::file::RemoveError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        u.files.remove(&file_name).map(|_| ()).ok_or_else(|| {
            Fault::InvalidArgument(format!("No file {file_name} in the session.")).into()
        })
    }

    async fn list(&self, id: UpdateSessionId) -> Result<Vec<ups::FileInfo>, ups::file::ListError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        Ok(u.files
            .iter()
            .map(|(name, f)| self.upload_info(&u.session.token, name, f))
            .collect())
    }

    async fn get(
        &self,
        id: UpdateSessionId,
        file_name: String,
    ) -> Result<ups::FileInfo, ups::file::GetError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        let f = u.files.get(&file_name).ok_or_else(|| {
            Fault::InvalidArgument(format!("No file {file_name} in the session."))
        })?;
        Ok(self.upload_info(&u.session.token, &file_name, f))
    }
}
