"""Signed batch files for the central office: planning, writing and signing an export."""
