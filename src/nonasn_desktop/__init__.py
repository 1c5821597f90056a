"""nonasn_desktop: offline registration of tenaga non-ASN for BKD offices.

Layering (enforced by tests/test_layering.py, whose ALLOWED map says which package may import
which): nothing outside ``gui`` imports PySide6, and ``gui`` talks to the feature packages'
operations, never to the ORM. README.md, section "Layout", shows the tree.
"""

__version__ = "0.1.0"
