//! The `Tenant` scope: proof that a tenant was resolved, required by every tenant-owned
//! repository method.

use crate::bot::Bot;
use crate::ids::BotId;

/// A resolved tenant. Its fields are private and it has no `Default` and no `Deserialize`:
/// the only way to get one is [`Tenant::of`], from a [`Bot`] loaded by the platform
/// repository (the bot fleet, the API token extractor and the job loop do this).
/// Every repository method on tenant data takes `&Tenant` and filters by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tenant {
    bot_id: BotId,
    is_master: bool,
}

impl Tenant {
    /// The tenant a loaded bot stands for.
    pub fn of(bot: &Bot) -> Tenant {
        Tenant { bot_id: bot.id, is_master: bot.is_master }
    }

    /// The tenant's bot id, the value every tenant-owned row carries in `bot_id`.
    pub fn bot_id(&self) -> BotId {
        self.bot_id
    }

    /// Whether this is the operator's own (master) bot.
    pub fn is_master(&self) -> bool {
        self.is_master
    }
}
