//! `com.vmware.content.library.item.DownloadSession`.

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::{
    self as item, DownloadSessionId, DownloadSessionModel, DownloadSessionModelState,
    download_session,
};
use vapi_runtime::Id;

use crate::faults::Fault;
use crate::state::{
    Download, Kind, Opened, Phase, Simulator, error_message, live, require_active, set_progress,
};

impl Simulator {
    fn download_model(&self, id: &str, d: &Download) -> DownloadSessionModel {
        let s = &d.session;
        DownloadSessionModel {
            id: Some(DownloadSessionId::new(id)),
            library_item_id: Some(ItemId::new(s.item.clone())),
            library_item_content_version: Some(s.content_version.to_string()),
            error_message: error_message(s),
            client_progress: Some(s.progress),
            state: Some(match s.phase {
                Phase::Active | Phase::Done => DownloadSessionModelState::Active,
                Phase::Canceled => DownloadSessionModelState::Canceled,
                Phase::Error => DownloadSessionModelState::Error,
            }),
            expiration_time: self.expiration(s),
        }
    }
}

impl item::DownloadSession for Simulator {
    async fn create(
        &self,
        client_token: Option<String>,
        create_spec: DownloadSessionModel,
    ) -> Result<DownloadSessionId, download_session::CreateError> {
        let mut world = self.world().await;
        let (id, session) = match world.open(
            Kind::Download,
            client_token.as_ref(),
            &create_spec.library_item_id,
        )? {
            Opened::Again(id) => return Ok(DownloadSessionId::new(id)),
            Opened::New { id, session } => (id, session),
        };
        world.downloads.insert(
            id.clone(),
            Download {
                session,
                prepared: Vec::new(),
            },
        );
        if let Some(t) = client_token {
            world.tokens.insert((Kind::Download, t), id.clone());
        }
        Ok(DownloadSessionId::new(id))
    }

    async fn get(
        &self,
        id: DownloadSessionId,
    ) -> Result<DownloadSessionModel, download_session::GetError> {
        let mut world = self.world().await;
        let d = live(&mut world.downloads, id.as_str())?;
        Ok(self.download_model(id.as_str(), d))
    }

    async fn list(
        &self,
        library_item_id: Option<Id>,
    ) -> Result<Vec<Id>, download_session::ListError> {
        let world = self.world().await;
        let sessions = world.downloads.iter().map(|(id, d)| (id, &d.session));
        Ok(world.ids_on(sessions, library_item_id.as_ref())?)
    }

    async fn keep_alive(
        &self,
        id: DownloadSessionId,
        progress: Option<i64>,
    ) -> Result<(), download_session::KeepAliveError> {
        let mut world = self.world().await;
        let d = live(&mut world.downloads, id.as_str())?;
        require_active(&d.session)?;
        // KeepAlive declares no InvalidArgument: a bad progress is not recorded.
        let _ = set_progress(&mut d.session, progress);
        Ok(())
    }

    async fn cancel(&self, id: DownloadSessionId) -> Result<(), download_session::CancelError> {
        let mut world = self.world().await;
        let d = live(&mut world.downloads, id.as_str())?;
        require_active(&d.session)?;
        d.session.end(Phase::Canceled, None);
        d.prepared.clear();
        Ok(())
    }

    async fn delete(&self, id: DownloadSessionId) -> Result<(), download_session::DeleteError> {
        let mut world = self.world().await;
        match world.downloads.remove(id.as_str()) {
            Some(_) => {
                world.tokens.retain(|_, s| s != id.as_str());
                Ok(())
            }
            None => Err(Fault::NotFound(format!("No download session {id}.")).into()),
        }
    }

    async fn fail(
        &self,
        id: DownloadSessionId,
        client_error_message: String,
    ) -> Result<(), download_session::FailError> {
        let mut world = self.world().await;
        let d = live(&mut world.downloads, id.as_str())?;
        require_active(&d.session)?;
        d.session.end(Phase::Error, Some(client_error_message));
        d.prepared.clear();
        Ok(())
    }
}
