//! The bot fleet (being written).
