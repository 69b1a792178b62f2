"""``waybill templates``: list the built-in templates (no layout stack needed)."""

from __future__ import annotations

import argparse

from waybill.template import builtin_template_names, load_template


def list_templates(args: argparse.Namespace) -> int:
    for name in builtin_template_names():
        template = load_template(name)
        print(f"{name:<10} {template.width_mm:g} × {template.height_mm:g} mm  {template.description}")
    return 0
