//! Pagination of list operations, with a cap so no caller can ask for everything at once.

/// A window over a list: at most [`Page::MAX_LIMIT`] rows starting at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    limit: u64,
    offset: u64,
}

impl Page {
    /// The largest page any list operation returns.
    pub const MAX_LIMIT: u64 = 200;

    /// A page; `limit` is clamped to `1..=MAX_LIMIT`.
    pub fn new(limit: u64, offset: u64) -> Page {
        Page { limit: limit.clamp(1, Self::MAX_LIMIT), offset }
    }

    /// Rows in this page.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Rows skipped before this page.
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

impl Default for Page {
    fn default() -> Page {
        Page::new(50, 0)
    }
}
