"""The print service of ``waybill serve-print``: a pool of printers behind a JSON API (``api``), the
print-component protocol (``component``) and a live page, on one aiohttp server (``server``)."""
