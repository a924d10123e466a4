"""`python -m datlake_sdk.conformance`: the same command as `datlake conformance`."""

import sys

from datlake_sdk.cli.conformance import main

sys.exit(main())
