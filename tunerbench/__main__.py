import sys

from tunerbench.cli import main

sys.exit(main())
