//! Test fakes (being written).
