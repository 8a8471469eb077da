//! The one error enum of the domain and every adapter: variants a caller can act on, and
//! `Unavailable` for infrastructure failure.

use crate::money::Toman;

/// Shorthand for results carrying [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in terms a caller can act on. Messages are safe to show to an API
/// client or an admin: they never carry secrets, and `Unavailable` shows only a summary
/// (its source is kept for logs).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist, or belongs to another tenant (the two are indistinguishable
    /// on purpose).
    #[error("{entity} not found")]
    NotFound { entity: &'static str },

    /// A uniqueness or state conflict, such as a duplicate promo code within a tenant.
    #[error("{0}")]
    Conflict(String),

    /// A value failed validation; nothing was written.
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },

    /// A feature key outside [`crate::FeatureKey`].
    #[error("unknown feature `{key}`; known features are: {known}")]
    UnknownFeature { key: String, known: String },

    /// A balance would go below its allowed floor.
    #[error("insufficient balance: {balance} available, {requested} requested")]
    InsufficientBalance { balance: Toman, requested: Toman },

    /// A sale would take the tenant's wallet below its credit limit: refused before payment.
    #[error("the reseller's wallet cannot cover this sale: {available} available, {needed} needed")]
    TenantWalletShort { available: Toman, needed: Toman },

    /// The master bot is the operator's own and cannot be deactivated or deleted.
    #[error("the master bot cannot be {action}")]
    MasterBotProtected { action: &'static str },

    /// Card rotation found no card that is active and under its daily caps.
    #[error("no active payment card is available{detail}")]
    NoActiveCard { detail: String },

    /// The same idempotency key was used earlier for a different operation.
    #[error("idempotency key `{key}` was already used for a different operation")]
    IdempotencyMismatch { key: String },

    /// The database, cache or another backing service failed.
    #[error("{what} is unavailable")]
    Unavailable {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    /// An [`Error::Invalid`] for `field`.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
        Error::Invalid { field, reason: reason.into() }
    }

    /// An [`Error::NotFound`] for `entity`.
    pub fn not_found(entity: &'static str) -> Error {
        Error::NotFound { entity }
    }

    /// An [`Error::Unavailable`] wrapping an infrastructure failure.
    pub fn unavailable(what: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Unavailable { what, source: Box::new(source) }
    }
}
