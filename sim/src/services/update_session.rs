//! `com.vmware.content.library.item.UpdateSession`.

use std::collections::BTreeMap;
use std::sync::Arc;

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::{
    self as item, UpdateSessionId, UpdateSessionModel, UpdateSessionModelState, update_session,
};
use vapi_runtime::Id;

use crate::faults::Fault;
use crate::state::{
    Kind, Opened, Phase, Simulator, Update, Upload, World, error_message, live_update,
    require_active, set_progress, unix_millis_now,
};
use crate::store::{Change, Item, Store, StoredFile};

impl Simulator {
    pub(crate) fn update_model(&self, id: &str, u: &Update) -> UpdateSessionModel {
        let s = &u.session;
        UpdateSessionModel {
            id: Some(UpdateSessionId::new(id)),
            library_item_id: Some(ItemId::new(s.item.clone())),
            library_item_content_version: Some(s.content_version.to_string()),
            error_message: error_message(s),
            client_progress: Some(s.progress),
            state: Some(match s.phase {
                Phase::Active => UpdateSessionModelState::Active,
                Phase::Done => UpdateSessionModelState::Done,
                Phase::Canceled => UpdateSessionModelState::Canceled,
                Phase::Error => UpdateSessionModelState::Error,
            }),
            expiration_time: self.expiration(s),
            preview_info: None,
            warning_behavior: None,
        }
    }
}

async fn blocking<T: Send + 'static>(
    job: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, Fault> {
    match tokio::task::spawn_blocking(job).await {
        Ok(result) => result.map_err(Fault::from),
        Err(e) => Err(Fault::Internal(format!(
            "The simulator's storage failed: {e}."
        ))),
    }
}

/// Moves the session's uploads into the item and writes the new state to disk: all of it or
/// nothing (the item as it was, the uploads' blobs removed).
pub(crate) async fn commit(
    store: &Arc<Store>,
    world: &mut World,
    session: &str,
) -> Result<(), Fault> {
    let World { updates, items, .. } = world;
    let Some(u) = updates.get_mut(session) else {
        return Err(Fault::NotFound(format!("No update session {session}.")));
    };
    let item_name = u.session.item.clone();
    let mut next: Item = items
        .get(&item_name)
        .cloned()
        .ok_or_else(|| Fault::NotFound(format!("No library item {item_name}.")))?;
    next.version += 1;
    let mut adopted = Vec::new();
    let mut replaced = Vec::new();
    let mut outcome = Ok(());
    for (name, f) in &mut u.files {
        let Some(received) = f.received.as_mut() else {
            continue;
        };
        let Some(path) = received.path.clone() else {
            continue;
        };
        let s = Arc::clone(store);
        match blocking(move || s.adopt(&path)).await {
            Ok(blob) => {
                received.path = None;
                adopted.push(blob.clone());
                let stored = StoredFile {
                    blob,
                    size: received.size,
                    sha256: received.sha256.clone(),
                    version: next.version,
                };
                if let Some(old) = next.files.insert(name.clone(), stored) {
                    replaced.push(old.blob);
                }
            }
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    if outcome.is_ok() {
        let names: Vec<&str> = u.files.keys().map(String::as_str).collect();
        next.changes.push(Change {
            version: next.version,
            time: unix_millis_now(),
            user: String::new(),
            message: format!("Update session {session} wrote {}.", names.join(", ")),
        });
        let mut all: BTreeMap<String, Item> = items.clone();
        all.insert(item_name.clone(), next.clone());
        let s = Arc::clone(store);
        outcome = blocking(move || s.save(&all)).await;
    }
    match outcome {
        Ok(()) => {
            items.insert(item_name, next);
            for blob in replaced {
                let _ = std::fs::remove_file(store.blob(&blob));
            }
            u.files.clear();
            u.session.end(Phase::Done, None);
            Ok(())
        }
        Err(e) => {
            for blob in adopted {
                let _ = std::fs::remove_file(store.blob(&blob));
            }
            u.files.clear();
            u.session.end(
                Phase::Error,
                Some("The simulator could not store the files.".into()),
            );
            Err(e)
        }
    }
}

impl item::UpdateSession for Simulator {
    async fn create(
        &self,
        client_token: Option<String>,
        create_spec: UpdateSessionModel,
    ) -> Result<UpdateSessionId, update_session::CreateError> {
        let mut world = self.world().await;
        let (id, session) = match world.open(
            Kind::Update,
            client_token.as_ref(),
            &create_spec.library_item_id,
        )? {
            Opened::Again(id) => return Ok(UpdateSessionId::new(id)),
            Opened::New { id, session } => (id, session),
        };
        if self.config.subscribed_items.contains(&session.item) {
            return Err(Fault::InvalidElementType(format!(
                "Library item {} belongs to a subscribed library: its content comes from the publisher.",
                session.item
            ))
            .into());
        }
        if world
            .updates
            .values()
            .any(|u| u.session.item == session.item && u.session.phase == Phase::Active)
        {
            return Err(Fault::Busy(format!(
                "Library item {} already has an active update session.",
                session.item
            ))
            .into());
        }
        world.updates.insert(
            id.clone(),
            Update {
                session,
                files: BTreeMap::new(),
                completing: false,
            },
        );
        if let Some(t) = client_token {
            world.tokens.insert((Kind::Update, t), id.clone());
        }
        Ok(UpdateSessionId::new(id))
    }

    async fn get(
        &self,
        id: UpdateSessionId,
    ) -> Result<UpdateSessionModel, update_session::GetError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        Ok(self.update_model(id.as_str(), u))
    }

    async fn list(
        &self,
        library_item_id: Option<Id>,
    ) -> Result<Vec<Id>, update_session::ListError> {
        let world = self.world().await;
        let sessions = world.updates.iter().map(|(id, u)| (id, &u.session));
        Ok(world.ids_on(sessions, library_item_id.as_ref())?)
    }

    async fn complete(&self, id: UpdateSessionId) -> Result<(), update_session::CompleteError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        if u.completing {
            return Err(Fault::NotAllowed(
                "The session is already completing: its PULL sources are being fetched.".into(),
            )
            .into());
        }
        for (name, f) in &u.files {
            if f.pull.is_some() && f.received.is_none() {
                // Being fetched by the server: checked when it arrives.
                continue;
            }
            if f.received.is_none() {
                return Err(Fault::NotAllowed(format!("File {name} was not received.")).into());
            }
            if let Some(why) = Simulator::invalid(f) {
                return Err(Fault::NotAllowed(format!("File {name} is invalid: {why}.")).into());
            }
        }
        if u.pulling() {
            // As vCenter: the call returns, the session stays ACTIVE until the server has
            // fetched every PULL source, then is DONE (or ERROR if a fetch fails).
            u.completing = true;
            return Ok(());
        }
        commit(&self.store, &mut world, id.as_str()).await?;
        Ok(())
    }

    async fn keep_alive(
        &self,
        id: UpdateSessionId,
        client_progress: Option<i64>,
    ) -> Result<(), update_session::KeepAliveError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        let _ = set_progress(&mut u.session, client_progress);
        Ok(())
    }

    async fn cancel(&self, id: UpdateSessionId) -> Result<(), update_session::CancelError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        u.session.end(Phase::Canceled, None);
        u.files.clear();
        Ok(())
    }

    async fn fail(
        &self,
        id: UpdateSessionId,
        client_error_message: String,
    ) -> Result<(), update_session::FailError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        u.session.end(Phase::Error, Some(client_error_message));
        u.files.values_mut().for_each(Upload::discard);
        Ok(())
    }

    async fn delete(&self, id: UpdateSessionId) -> Result<(), update_session::DeleteError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        if u.session.phase == Phase::Active {
            return Err(Fault::NotAllowed(
                "An active update session cannot be deleted: cancel or complete it first.".into(),
            )
            .into());
        }
        world.updates.remove(id.as_str());
        world.tokens.retain(|_, s| s != id.as_str());
        Ok(())
    }

    async fn update(
        &self,
        id: UpdateSessionId,
        update_spec: UpdateSessionModel,
    ) -> Result<(), update_session::UpdateError> {
        let mut world = self.world().await;
        let u = live_update(&mut world.updates, id.as_str())?;
        require_active(&u.session)?;
        // Only `warning_behavior` may change; the simulator has no preview warnings to apply
        // it to, so there is nothing to keep, but it must name warning types that exist.
        if let Some(unknown) = update_spec
            .warning_behavior
            .iter()
            .flatten()
            .find(|w| w.r#type.is_unknown())
        {
            return Err(Fault::InvalidArgument(format!(
                "Unknown warning type {} in `warning_behavior`.",
                unknown.r#type
            ))
            .into());
        }
        Ok(())
    }
}
