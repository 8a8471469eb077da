//! Remnawave panel client (being written).
