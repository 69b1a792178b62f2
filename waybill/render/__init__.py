"""Renderers: a laid-out ``Label`` → an image, a PDF page, printer bytes."""

__all__: list[str] = []
