"""`python -m datlake_server [--host H] [--port P] [--data DIR] [--api-key KEY]
[--default-lease SECONDS]`: the same as `datlake server ...`."""

import sys

from datlake_sdk.cli import main

if __name__ == "__main__":
    sys.exit(main(["server", *sys.argv[1:]]))
