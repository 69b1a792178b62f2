"""The application: the ``waybill`` command line, the demo and the wiring between the packages.

It sits above the core (``waybill``), ``printers`` and ``stall_monitor``; none of them imports it.
"""
