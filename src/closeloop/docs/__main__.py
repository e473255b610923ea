"""``python -m closeloop.docs [--check] [--path FILE]``."""

import sys

from closeloop.docs.generate import main

sys.exit(main())
