"""Building print jobs from the bundled samples for the batch tests."""

from __future__ import annotations

from pathlib import Path

from printers.jobspec import JobSettings
from printers.journal import Journal
from printers.printing import plan, start_batch
from printers.profiles import PrinterProfile
from tests.waybill.labels import NOW, SAMPLE_SHOP, sample_orders, sample_shop
from waybill.fonts import load_font
from waybill.layout.engine import LayoutOptions
from waybill.model import Order
from waybill.pipeline import LabelJob
from waybill.template import load_template


def label_job(profile: PrinterProfile, template: str = "100x180") -> LabelJob:
    return LabelJob(load_template(template), load_font(), LayoutOptions(dpi=profile.dpi, shop=sample_shop()), NOW)


def create_job(
    journal: Journal,
    profile: PrinterProfile,
    orders: list[Order] | None = None,
    template: str = "100x180",
    printer: str = "memory://",
) -> int:
    orders = list(sample_orders()[:6]) if orders is None else orders
    job = label_job(profile, template)
    planned = plan(orders, job, profile, skip_invalid=False)
    settings = JobSettings.capture(template, Path(SAMPLE_SHOP), None, job.options, job.now)
    return start_batch(journal, planned, settings, printer, profile).job_id
