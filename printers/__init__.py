"""Printers: printer facts, printer languages, and (in later issues) the links to real printers.

``printers.profiles``   PrinterProfile records: built-ins and a TOML file of additions and overrides
``printers.encode``     1-bit label rasters to ESC/POS or TSPL bytes, streamed label by label
``printers.decode``     the inverse: printer bytes back to label images (incremental, for a simulator)
``printers.testing``    synthetic rasters and independent oracles for tests
``printers.cli``        ``waybill printers profiles`` and ``waybill decode``
"""
