//! Which internal squads a tenant's new panel users go in: the tenant's `panel_squads`, else
//! the platform's default for tenants on its panel (`REMNAWAVE_SQUADS`, through
//! [`PanelResolver::default_squads`]), else the panel's only internal squad. A panel with no
//! squad, or with several and nothing naming one, leaves no choice ([`SquadChoice::NoSquad`]):
//! the bot refuses sales then, and the provisioning worker creates no user.
//!
//! The panel's list of squads is remembered for [`PANEL_SQUADS_TTL`] per tenant, so the check
//! the bot makes before each sale costs a panel call only now and then.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use remnabot_domain::panel::{SquadChoice, SquadPolicy};
use remnabot_domain::{BotId, Error, Result, Tenant};
use remnabot_store::Store;

use crate::panels::PanelResolver;

/// How long a panel's list of internal squads is used before asking the panel again.
pub const PANEL_SQUADS_TTL: Duration = Duration::from_secs(60);

/// The [`SquadPolicy`] of the process: settings first, then the panel.
#[derive(Debug, Clone)]
pub struct SquadResolver {
    store: Store,
    panels: Arc<dyn PanelResolver>,
    listed: Arc<Mutex<HashMap<BotId, Listed>>>,
}

/// When a tenant's panel was asked, and the uuids of its internal squads.
type Listed = (Instant, Vec<String>);

impl SquadResolver {
    /// A resolver reading settings from `store` and asking the panels of `panels`.
    pub fn new(store: Store, panels: Arc<dyn PanelResolver>) -> SquadResolver {
        SquadResolver { store, panels, listed: Arc::default() }
    }

    /// The uuids of the internal squads of the tenant's panel, from memory when asked lately.
    async fn panel_squads(&self, tenant: &Tenant) -> Result<Vec<String>> {
        let remembered = {
            let listed = self.listed.lock().unwrap_or_else(PoisonError::into_inner);
            listed.get(&tenant.bot_id()).filter(|(at, _)| at.elapsed() < PANEL_SQUADS_TTL).map(|(_, l)| l.clone())
        };
        if let Some(list) = remembered {
            return Ok(list);
        }
        let panel = self.panels.panel_for(tenant).await?;
        let squads = panel.internal_squads().await.map_err(|e| Error::unavailable("the Remnawave panel", e))?;
        let list: Vec<String> = squads.into_iter().map(|s| s.uuid).collect();
        self.listed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(tenant.bot_id(), (Instant::now(), list.clone()));
        Ok(list)
    }
}

#[async_trait::async_trait]
impl SquadPolicy for SquadResolver {
    async fn squads_for(&self, tenant: &Tenant) -> Result<SquadChoice> {
        let own = self.store.configs().panel_squads(tenant).await?;
        if !own.is_empty() {
            return Ok(SquadChoice::Squads(own));
        }
        let platform = self.panels.default_squads(tenant).await?;
        if !platform.is_empty() {
            return Ok(SquadChoice::Squads(platform));
        }
        let listed = self.panel_squads(tenant).await?;
        Ok(match listed.as_slice() {
            [only] => SquadChoice::Squads(vec![only.clone()]),
            _ => SquadChoice::NoSquad { panel_has: listed.len() },
        })
    }
}
