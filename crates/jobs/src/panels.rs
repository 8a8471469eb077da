//! Which panel serves a tenant. The platform has one default panel; a tenant may have its
//! own (configured by the operator). Jobs ask a [`PanelResolver`] and never build clients.

use std::sync::Arc;

use remnabot_domain::panel::Panel;
use remnabot_domain::{Result, Tenant};

/// Finds the panel that serves a tenant.
///
/// # Errors
/// [`remnabot_domain::Error::Unavailable`] when the tenant's panel cannot be set up.
#[async_trait::async_trait]
pub trait PanelResolver: Send + Sync + std::fmt::Debug {
    /// The panel for `tenant`.
    async fn panel_for(&self, tenant: &Tenant) -> Result<Arc<dyn Panel>>;

    /// The internal squads (uuids) the platform puts new panel users of `tenant` in when the
    /// tenant names none: the platform's `REMNAWAVE_SQUADS` for tenants on the platform's
    /// panel; none for a tenant with a panel of its own, or without a platform default.
    async fn default_squads(&self, _tenant: &Tenant) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

/// Every tenant on one panel.
#[derive(Debug, Clone)]
pub struct SinglePanel(pub Arc<dyn Panel>);

#[async_trait::async_trait]
impl PanelResolver for SinglePanel {
    async fn panel_for(&self, _tenant: &Tenant) -> Result<Arc<dyn Panel>> {
        Ok(self.0.clone())
    }
}
