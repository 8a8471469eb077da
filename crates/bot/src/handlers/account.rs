//! The customer's account: balance and top-up, promo codes, referral and support tickets.
