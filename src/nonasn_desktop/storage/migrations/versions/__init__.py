"""Migration revisions, one module each, in a single linear chain."""
