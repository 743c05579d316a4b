"""Hand-made screens; each module holds its page functions and its own State."""
