"""`python -m providers`: see providers.cli."""

import sys

from providers.cli import main

sys.exit(main())
