"""HTTP routes outside Reflex events: authorized downloads of private files (and, later, the REST API)."""
