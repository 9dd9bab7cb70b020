"""`python -m accompanist` runs the command line."""

from accompanist.cli import main

raise SystemExit(main())
