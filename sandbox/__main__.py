"""`python -m sandbox`: start the local Tavus-compatible persona API."""

from ._cli import main

raise SystemExit(main())
