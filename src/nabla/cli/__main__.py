import sys

from nabla.cli import main

sys.exit(main())
