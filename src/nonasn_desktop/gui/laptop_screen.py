"""The screen the application is laid out for: a 1366×768 laptop, at 100 % or scaled.

Kept free of Qt so that the screenshot tool can read it before it chooses Qt's platform.
"""

from __future__ import annotations

import os

SIZE = (1366, 768)
SCALE_VARIABLE = "QT_SCALE_FACTOR"


def scale_factor() -> float:
    """The display scaling Qt applies in this process (``QT_SCALE_FACTOR``, else 1)."""
    try:
        factor = float(os.environ.get(SCALE_VARIABLE, "") or 1.0)
    except ValueError:
        return 1.0
    return factor if factor > 0 else 1.0


def window_size() -> tuple[int, int]:
    """The laptop screen in logical pixels: 1366×768 divided by the display scaling."""
    factor = scale_factor()
    return (round(SIZE[0] / factor), round(SIZE[1] / factor))
