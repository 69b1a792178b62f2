"""waybill: electronic-waybill labels with pick lists, printer driving and stall monitoring."""

__all__: list[str] = []

__version__ = "0.1.0"
