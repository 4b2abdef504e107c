"""`python -m annotator` runs the command line."""

import sys

from annotator.cli.main import main

sys.exit(main())
