"""Invoice-urging work orders (催开发票): a buyer's invoice request, the shop's deadlines, the buyer's work
order and the penalty points at stake.

The kind in the stall monitor's terms: dated rules (``rules`` + ``rules.toml``), the requests (``store``,
``ingest``), the pure clocks (``clocks``), the scan (``scan``) and its report section (``report``). Invoice
work orders live in the shared work-order table as kind ``invoice`` with the order id as their subject.
"""

__all__: list[str] = []
