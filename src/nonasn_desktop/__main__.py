"""``python -m nonasn_desktop`` behaves exactly like the ``nonasn`` command."""

import sys

from nonasn_desktop.cli.main import main

sys.exit(main())
