//! The checked-in bindings in use: a service implemented in memory and called through its trait,
//! per-operation errors matched, open enumerations round-tripped, metadata read as data.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::{
    DownloadSession, DownloadSessionId, DownloadSessionModel, DownloadSessionModelState,
    download_session,
};
use vapi_bindings::vapi::std::errors::{NotAllowedInCurrentState, NotFound};
use vapi_runtime::{Id, Unhandled};

/// An in-memory DownloadSession service.
#[derive(Default)]
struct Sessions {
    sessions: Mutex<BTreeMap<DownloadSessionId, DownloadSessionModel>>,
}

fn not_found() -> NotFound {
    NotFound::new(Vec::new())
}

impl Sessions {
    fn with<T>(
        &self,
        id: &DownloadSessionId,
        f: impl FnOnce(&mut DownloadSessionModel) -> T,
    ) -> Result<T, NotFound> {
        let mut sessions = self.sessions.lock().map_err(|_| not_found())?;
        sessions.get_mut(id).map(f).ok_or_else(not_found)
    }
}

impl DownloadSession for Sessions {
    async fn create(
        &self,
        client_token: Option<String>,
        mut create_spec: DownloadSessionModel,
    ) -> Result<DownloadSessionId, download_session::CreateError> {
        let mut sessions = self
            .sessions
            .lock()
            .map_err(|_| Unhandled::new("poisoned"))?;
        let id = DownloadSessionId::new(
            client_token.unwrap_or_else(|| format!("session-{}", sessions.len() + 1)),
        );
        create_spec.id = Some(id.clone());
        create_spec.state = Some(DownloadSessionModelState::Active);
        sessions.insert(id.clone(), create_spec);
        Ok(id)
    }

    async fn get(
        &self,
        download_session_id: DownloadSessionId,
    ) -> Result<DownloadSessionModel, download_session::GetError> {
        Ok(self.with(&download_session_id, |s| s.clone())?)
    }

    async fn list(
        &self,
        library_item_id: Option<Id>,
    ) -> Result<Vec<Id>, download_session::ListError> {
        let sessions = self
            .sessions
            .lock()
            .map_err(|_| Unhandled::new("poisoned"))?;
        Ok(sessions
            .values()
            .filter(|s| {
                library_item_id.as_ref().is_none_or(|item| {
                    s.library_item_id.as_ref().map(ItemId::as_str) == Some(item.as_str())
                })
            })
            .filter_map(|s| s.id.as_ref().map(|id| Id::new(id.as_str())))
            .collect())
    }

    async fn keep_alive(
        &self,
        download_session_id: DownloadSessionId,
        progress: Option<i64>,
    ) -> Result<(), download_session::KeepAliveError> {
        let active = self.with(&download_session_id, |s| {
            let active = s.state == Some(DownloadSessionModelState::Active);
            if active && progress.is_some() {
                s.client_progress = progress;
            }
            active
        })?;
        if active {
            Ok(())
        } else {
            Err(NotAllowedInCurrentState::new(Vec::new()).into())
        }
    }

    async fn cancel(
        &self,
        download_session_id: DownloadSessionId,
    ) -> Result<(), download_session::CancelError> {
        self.with(&download_session_id, |s| {
            s.state = Some(DownloadSessionModelState::Canceled);
        })?;
        Ok(())
    }

    async fn delete(
        &self,
        download_session_id: DownloadSessionId,
    ) -> Result<(), download_session::DeleteError> {
        let mut sessions = self
            .sessions
            .lock()
            .map_err(|_| Unhandled::new("poisoned"))?;
        sessions
            .remove(&download_session_id)
            .map(|_| ())
            .ok_or_else(|| not_found().into())
    }

    async fn fail(
        &self,
        download_session_id: DownloadSessionId,
        client_error_message: String,
    ) -> Result<(), download_session::FailError> {
        let _ = client_error_message;
        self.with(&download_session_id, |s| {
            s.state = Some(DownloadSessionModelState::Error);
        })?;
        Ok(())
    }
}

/// Works with any implementation, including one behind an `Arc`.
async fn create_and_cancel(api: &impl DownloadSession) -> Result<DownloadSessionId, String> {
    let spec = DownloadSessionModel {
        library_item_id: Some(ItemId::new("item-1")),
        ..Default::default()
    };
    let id = api
        .create(Some("token-1".to_owned()), spec)
        .await
        .map_err(|e| e.to_string())?;
    api.cancel(id.clone()).await.map_err(|e| e.to_string())?;
    Ok(id)
}

#[tokio::test]
async fn an_in_memory_service_is_called_through_its_trait() {
    let api = Arc::new(Sessions::default());
    // The futures are Send: the service can be used from a spawned task.
    let id = tokio::spawn({
        let api = Arc::clone(&api);
        async move { create_and_cancel(&api).await }
    })
    .await
    .expect("the task ran")
    .expect("create and cancel succeed");
    assert_eq!(id.as_str(), "token-1");

    let session = api.get(id.clone()).await.expect("the session exists");
    assert_eq!(session.state, Some(DownloadSessionModelState::Canceled));
    assert_eq!(
        api.list(Some(Id::new("item-1"))).await.expect("list works"),
        [Id::new("token-1")]
    );

    // The documented error of keep_alive on a canceled session is a variant to match on.
    match api.keep_alive(id.clone(), Some(50)).await {
        Err(download_session::KeepAliveError::NotAllowedInCurrentState(_)) => {}
        other => panic!("expected NotAllowedInCurrentState, got {other:?}"),
    }
    match api.get(DownloadSessionId::new("nope")).await {
        Err(download_session::GetError::NotFound(e)) => assert!(e.messages.is_empty()),
        other => panic!("expected NotFound, got {other:?}"),
    }
    api.delete(id.clone()).await.expect("delete works");
    assert!(matches!(
        api.delete(id).await,
        Err(download_session::DeleteError::NotFound(_))
    ));
}

#[test]
fn an_unknown_enum_value_is_written_back_unchanged() {
    let wire = r#"{"state":"PAUSED_BY_A_FUTURE_RELEASE"}"#;
    let model: DownloadSessionModel = serde_json::from_str(wire).expect("unknown values parse");
    let state = model.state.clone().expect("state is set");
    assert!(state.is_unknown());
    assert_eq!(state.as_str(), "PAUSED_BY_A_FUTURE_RELEASE");
    assert_eq!(serde_json::to_string(&model).expect("serializes"), wire);

    let known: DownloadSessionModelState = "ACTIVE".parse().unwrap_or_else(|e| match e {});
    assert_eq!(known, DownloadSessionModelState::Active);
    assert_eq!(known.to_string(), "ACTIVE");
    assert!(DownloadSessionModelState::KNOWN.contains(&"CANCELED"));
}

#[test]
fn file_info_is_as_small_as_a_hand_written_one() {
    // The runtime bench compares reading a list of `File.Info` with a hand-written struct of
    // plain `String`s and a closed enum (120 bytes): larger elements cost moves through
    // `memcpy` and change how `malloc` grows the list, about 3 % of a read. `UnknownValue`
    // and `Uri` are boxed for this.
    use vapi_bindings::content::library::item::{FileChecksumAlgorithm, FileInfo};
    assert_eq!(size_of::<FileChecksumAlgorithm>(), 16);
    assert_eq!(size_of::<Option<vapi_runtime::Uri>>(), 16);
    assert!(size_of::<FileInfo>() <= 120, "{}", size_of::<FileInfo>());
}

#[test]
fn operation_metadata_is_data() {
    assert_eq!(
        download_session::RESOURCE_TYPE,
        "com.vmware.content.library.item.DownloadSession"
    );
    let keep_alive = download_session::KEEP_ALIVE;
    let rest = keep_alive.rest.expect("keep_alive has a REST mapping");
    assert_eq!(rest.method, vapi_runtime::HttpMethod::Post);
    assert_eq!(
        rest.url_template(),
        "/api/content/library/item/download-session/{downloadSessionId}?action=keep-alive"
    );
    assert_eq!(
        rest.path_params,
        [("downloadSessionId", "download_session_id")]
    );
    assert!(
        keep_alive
            .error("com.vmware.vapi.std.errors.NotAllowedInCurrentState")
            .is_some()
    );
    let create = download_session::CREATE;
    assert_eq!(
        create.rest.map(|r| r.headers),
        Some(&[("Client-Token", "client_token")][..])
    );
    assert!(create.privileges.iter().any(|p| matches!(
        p.scope,
        vapi_runtime::PrivilegeScope::Resource {
            resource_type: "com.vmware.content.library.Item",
            path: &["create_spec", "library_item_id"],
        }
    )));
    assert_eq!(download_session::OPERATIONS.len(), 7);
}
