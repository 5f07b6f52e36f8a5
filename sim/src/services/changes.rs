//! `com.vmware.content.library.item.Changes`: one entry per item version (its creation, then
//! every completed update session).

use vapi_bindings::content::library::ItemId;
use vapi_bindings::content::library::item::{
    self as item, ChangesInfo, ChangesSummary, VersionId, changes,
};
use vapi_runtime::DateTime;

use crate::faults::Fault;
use crate::state::Simulator;
use crate::store::Change;

fn time(c: &Change) -> Result<DateTime, Fault> {
    DateTime::from_unix_millis(c.time)
        .ok_or_else(|| Fault::Internal(format!("Change {} has no valid time.", c.version)))
}

fn user(c: &Change) -> Option<String> {
    Some(c.user.clone()).filter(|u| !u.is_empty())
}

impl item::Changes for Simulator {
    async fn list(&self, library_item: ItemId) -> Result<Vec<ChangesSummary>, changes::ListError> {
        let world = self.world().await;
        let item = Simulator::item(&world, &library_item)?;
        // Newest first, as vCenter lists them.
        let mut out = Vec::new();
        for c in item.changes.iter().rev() {
            let mut summary = ChangesSummary::new(VersionId::new(c.version.to_string()), time(c)?);
            summary.user = user(c).or_else(|| Some(self.config.user.clone()));
            summary.short_message = Some(c.message.clone());
            out.push(summary);
        }
        Ok(out)
    }

    async fn get(
        &self,
        library_item: ItemId,
        version: VersionId,
    ) -> Result<ChangesInfo, changes::GetError> {
        let world = self.world().await;
        let item = Simulator::item(&world, &library_item)?;
        let c = item
            .changes
            .iter()
            .find(|c| c.version.to_string() == version.as_str())
            .ok_or_else(|| {
                Fault::NotFound(format!(
                    "Library item {library_item} has no version {version}."
                ))
            })?;
        let mut info = ChangesInfo::new(time(c)?);
        info.user = user(c).or_else(|| Some(self.config.user.clone()));
        info.message = Some(c.message.clone());
        Ok(info)
    }
}
