//! The shop: plans, checkout, card-to-card payments and their review by the tenant's
//! admins, the customer's subscription and the free trial.
