"""idebot: the collaboration agreement with the non-profit sector, in a chat."""
