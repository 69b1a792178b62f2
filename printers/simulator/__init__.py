"""A virtual printer for tests, the demo, benchmarks and users without hardware.

::

    with PrinterSimulator("escpos", speed_mm_s=152, paper_out_after=3, save_dir=tmp) as sim:
        transport = open_transport(sim.uri)
        ...
        sim.wait_idle(timeout=30)
        sim.labels          # the labels printed, decoded (crop_label cuts out the label engine's raster)
        sim.printed         # … with their numbers, head times and saved paths
        sim.events          # what happened when: connect, query, ack, asb, label, paper-out, drop …

It listens on loopback TCP (or a pseudo-terminal: ``serial=True``), keeps a finite receive buffer and
reads the link only while the buffer has room (real TCP back-pressure), answers ``DLE EOT n``,
``ESC ! ?`` and ``~HS`` as they arrive, prints each label for as long as the head takes, acknowledges ``GS ( H``
fn 48 only after every label before it has printed, sends automatic status back after ``GS a``, and
plays the faults: paper out after the Nth label, a dropped connection after the Nth label.
"""

from __future__ import annotations

from printers.simulator.core import PrinterSimulator
from printers.simulator.state import PrintedLabel, SimEvent

__all__ = ["PrintedLabel", "PrinterSimulator", "SimEvent"]
