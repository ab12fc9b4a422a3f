"""`python -m allianceprint` runs the command line."""

from allianceprint.cli import main

raise SystemExit(main())
