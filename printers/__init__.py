"""Printers: printer facts and languages, the links to real printers, and durable print jobs.

``printers.profiles``     PrinterProfile records: built-ins and a TOML file of additions and overrides
``printers.languages``    one driver per printer language (escpos, tspl, zpl) and the registry of them
``printers.encode``       1-bit label rasters to ESC/POS, TSPL or ZPL bytes, streamed label by label
``printers.decode``       the inverse: printer bytes back to label images (incremental, for a simulator)
``printers.status``       printer status and "printed" acknowledgements, both directions
``printers.transports``   tcp:// serial:// usb:// file:// cups:// links, every call bounded by a timeout;
                          ``transports.memory``: an in-memory printer for tests of code that prints
``printers.session``      one open link: label bytes out, status and acknowledgements back
``printers.journal``      jobs, labels and attempts in the store: what was sent, printed, reprinted
``printers.batch``        runs a job at the head's speed; faults, dropped links and resume
``printers.render_ahead`` renders and encodes labels on a thread ahead of the printer
``printers.jobspec``      what a job needs to render its labels again on resume
``printers.printing``     planning, starting, resuming and reprinting jobs; announces printed labels
``printers.station``      the print station: scan a code, its labels print at once
``printers.pools``        printer pools: a job split across printers, failover, batch serials (the API);
                          ``pool_file`` (the TOML file), ``pool_printer`` (a printer's thread),
                          ``pool_store`` (pool jobs, runs, serials), ``pool_split``, ``pool_status``
``printers.simulator``    a virtual ESC/POS, TSPL or ZPL printer on loopback TCP or a pseudo-terminal
``printers.testing``      synthetic rasters and independent oracles for tests
``printers.errors``       this package's branch of the exception tree
"""

__all__: list[str] = []
