"""E-waybill numbers (取号): orders without a number get one from a number source, exactly once.

``assign.assign_numbers`` is the entry point. A source (``source.NumberSource``) is one module each:
``pool`` (segments imported into the store) and ``cainiao`` (the Cainiao cloud service over TOP); the
registry in ``config`` names them. The store (``store``) keeps segments, the order → number bindings and
the cancellations, so one number goes to one order, ever.

This package file stays empty on purpose: ``waybill.shop`` imports ``waybill.numbers.config`` and must
not pull in the store or an HTTP client with it.
"""

__all__: list[str] = []
