"""`python -m civic` is the `civic` console script."""

import sys

from civic.cli import main

sys.exit(main())
