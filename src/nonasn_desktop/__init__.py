"""nonasn_desktop: offline registration of tenaga non-ASN for BKD offices.

Layering (enforced by tests/test_layering.py): ``policy``, ``rules``, ``storage``, ``services``
and ``flow`` never import PySide6; only ``gui`` does, and it talks to ``services``, never to the
ORM.
"""

__version__ = "0.1.0"
