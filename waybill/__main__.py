import sys

from waybill.cli import main

sys.exit(main())
