"""``waybill purge --before DATE``: remove personal data the store no longer needs, keeping the counts."""

from __future__ import annotations

import argparse
from typing import Any

from waybill.app.commands import deferred
from waybill.i18n import _

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "purge",
        help=_("remove delivered parcels' events and finished jobs' personal data before a date"),
        description=_(
            "Remove the tracking events of parcels delivered before DATE and the orders (recipient "
            "names, phones, addresses, items) of print jobs finished before DATE. The counts stay: jobs, labels, "
            "attempts and reprints, each parcel's summary, feed and status counts. Purged waybills can no longer "
            "be reprinted from the journal."
        ),
    )
    parser.add_argument("--before", required=True, metavar="DATE", help=_("ISO 8601 date or time (Beijing time)"))
    parser.add_argument("--db", help=_("the store (see `waybill print --help`)"))
    parser.set_defaults(handler=deferred("waybill.app.handlers.purge:purge_command"))
