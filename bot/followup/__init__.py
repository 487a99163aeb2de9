"""The yearly follow-up of the agreement: staff start a round for a year (`rounds`), each
organisation's contact answers a short questionnaire step by step (`questionnaire`), and the
report sums it up with the year's figures (`report`). No Telegram here."""
