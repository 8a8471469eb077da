//! The remnabot domain: ids, money, the `Tenant` scope, feature keys, configuration keys,
//! payment-card rules, bounded texts and ranges, and the errors every layer speaks. No I/O
//! lives here.

pub mod bot;
pub mod card;
pub mod config;
pub mod error;
pub mod feature;
pub mod ids;
pub mod limits;
pub mod money;
pub mod notify;
pub mod page;
pub mod panel;
mod panel_naming;
pub mod payment;
pub mod tenant;
pub mod text;

pub use bot::Bot;
pub use error::{Error, Result};
pub use feature::FeatureKey;
pub use ids::*;
pub use money::Toman;
pub use page::Page;
pub use tenant::Tenant;
