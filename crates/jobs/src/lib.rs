//! Background jobs (being written).
