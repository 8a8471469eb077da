//! The handlers, one module per area of the API.

pub mod bots;
pub mod catalog;
pub mod customers;
pub mod dashboard;
pub mod payments;
pub mod settings;
pub mod support;
pub mod system;
pub mod wallet;
