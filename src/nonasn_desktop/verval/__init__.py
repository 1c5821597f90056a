"""Verification and validation: the queue, one record under review, and the decisions."""
