"""Entry point of `python -m bbbms_app`."""

import sys

from bbbms_app.cli import main

sys.exit(main())
