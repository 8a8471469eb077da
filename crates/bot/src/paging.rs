//! Paging of a list shown in one message: ten rows a page, the page clamped to the last one.
//! Shared by the customer screens (the plan list) and the admin panel's lists.

use remnabot_domain::Page;

/// Rows per page of every list: ten summaries stay far below Telegram's 4,096 characters,
/// and ten buttons keep a keyboard usable.
pub const PER_PAGE: u64 = 10;

/// A page of a list of `total` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// 0-based, never past the last page.
    pub page: u32,
    pub total: u64,
}

impl Paging {
    /// Page `page` of `total` rows (a page past the end shows the last one).
    pub fn new(page: u32, total: u64) -> Paging {
        let last = u32::try_from(total.div_ceil(PER_PAGE).saturating_sub(1)).unwrap_or(u32::MAX);
        Paging { page: page.min(last), total }
    }

    /// How many pages.
    pub fn pages(&self) -> u32 {
        u32::try_from(self.total.div_ceil(PER_PAGE)).unwrap_or(u32::MAX)
    }

    /// The rows of this page.
    pub fn window(&self) -> Page {
        Page::new(PER_PAGE, u64::from(self.page) * PER_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_counts_pages_and_keeps_within_them() {
        assert_eq!(Paging::new(0, 0).pages(), 0);
        assert_eq!(Paging::new(5, 0).page, 0);
        assert_eq!(Paging::new(0, 10).pages(), 1);
        assert_eq!(Paging::new(0, 11).pages(), 2);
        assert_eq!(Paging::new(7, 11).page, 1, "past the end shows the last page");
        assert_eq!(Paging::new(1, 11).window(), Page::new(10, 10));
    }
}
