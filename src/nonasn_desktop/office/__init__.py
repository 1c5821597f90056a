"""The office itself: its identity, its settings and its signing key."""
