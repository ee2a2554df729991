"""`python -m clinic_reviews` is the `clinic-reviews` command."""

import sys

from clinic_reviews.cli import main

sys.exit(main())
