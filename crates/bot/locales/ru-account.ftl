# Balance and top-up, promo codes, referral, support tickets.
