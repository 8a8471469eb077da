# Plans, checkout, card-to-card payments and their review, subscriptions, trial.
