"""Where tracking data comes from: event files (JSON Lines, CSV), Kuaidi100 pushes, work-order files.

Each reader streams: it yields one ``Event`` (or record) or one ``Problem`` (file, line, what is wrong) at a
time, so a file larger than memory ingests in flat memory and one bad line never stops the rest.
"""

__all__: list[str] = []
