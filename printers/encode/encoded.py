"""What an encoder hands back for one label."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EncodedLabel"]


@dataclass(frozen=True)
class EncodedLabel:
    """The printer bytes of one label (the first label of a job also carries the job's opening bytes).

    ``altered_dots`` lists the dots, as ``(x, y)`` in the label image, that the encoder changed so that
    no byte sequence in the image data is executed as a real-time command (ESC/POS only; usually empty).
    """

    data: bytes
    altered_dots: tuple[tuple[int, int], ...] = ()
