import sys

from waybill.app.cli import main

sys.exit(main())
