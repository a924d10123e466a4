"""`python -m datlake_sdk.cli`: the `datlake` command."""

import sys

from datlake_sdk.cli import main

sys.exit(main())
