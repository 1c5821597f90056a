"""Synthetic demo material: realistic-looking but invented documents and data.

Nothing here describes a real person. It feeds the demo mode, screenshots and tests, so every
generator is deterministic for a given seed.
"""
