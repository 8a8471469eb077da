//! Money is integer Toman with checked arithmetic; never a float.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An amount in Toman. Arithmetic is checked: overflow is an error, not a wrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Toman(pub i64);

impl Toman {
    /// Zero Toman.
    pub const ZERO: Toman = Toman(0);

    /// `self + other`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the sum does not fit in an `i64`.
    pub fn checked_add(self, other: Toman) -> Result<Toman> {
        self.0.checked_add(other.0).map(Toman).ok_or_else(|| Error::invalid("amount", "amount is too large"))
    }

    /// `self × factor` (a quantity or a percent before dividing).
    ///
    /// # Errors
    /// [`Error::Invalid`] when the product does not fit in an `i64`.
    pub fn checked_mul(self, factor: i64) -> Result<Toman> {
        self.0.checked_mul(factor).map(Toman).ok_or_else(|| Error::invalid("amount", "amount is too large"))
    }

    /// `self - other`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the difference does not fit in an `i64`.
    pub fn checked_sub(self, other: Toman) -> Result<Toman> {
        self.0.checked_sub(other.0).map(Toman).ok_or_else(|| Error::invalid("amount", "amount is too large"))
    }

    /// A strictly positive amount, as every credit, debit and price must be.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `field` when the amount is zero or negative.
    pub fn positive(self, field: &'static str) -> Result<Toman> {
        if self.0 > 0 {
            Ok(self)
        } else {
            Err(Error::invalid(field, format!("must be a positive amount of Toman, got {}", self.0)))
        }
    }
}

impl std::fmt::Display for Toman {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} Toman", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_is_an_error_not_a_wrap() {
        assert!(Toman(i64::MAX).checked_add(Toman(1)).is_err());
        assert!(Toman(i64::MIN).checked_sub(Toman(1)).is_err());
        assert_eq!(Toman(5).checked_sub(Toman(7)).ok(), Some(Toman(-2)));
    }

    #[test]
    fn zero_and_negative_amounts_are_not_positive() {
        assert!(Toman(0).positive("amount").is_err());
        assert!(Toman(-3).positive("amount").is_err());
        assert_eq!(Toman(3).positive("amount").ok(), Some(Toman(3)));
    }
}
