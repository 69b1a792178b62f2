"""Label templates: TOML files of elements placed in millimetres (the reference is templates/README.md).

``load_template`` reads a template and has it checked (``waybill.template_parse``); every problem found is
reported at once as a ``TemplateError``. Templates are immutable values; the layout engine turns one plus an
order into labels.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from waybill.errors import TemplateError
from waybill.fields import TextExpression
from waybill.i18n import _

__all__ = [
    "BARCODE_HEIGHT_MM",
    "LINE_HEIGHT",
    "MAX_LINES",
    "MIN_LEGIBLE_MM",
    "MODULE_MM",
    "PAGE_HEIGHT_MM",
    "PAGE_WIDTH_MM",
    "PICKLIST_COLUMNS",
    "TEXT_SIZE_MM",
    "THICKNESS_MM",
    "Align",
    "BarcodeElement",
    "Box",
    "BoxElement",
    "Column",
    "Element",
    "LineElement",
    "PickListElement",
    "QRElement",
    "Template",
    "TextElement",
    "VAlign",
    "builtin_template_names",
    "load_template",
    "resolve_template",
]

# Thermal print below about 1.5 mm (12 dots at 203 dpi) cannot be read reliably off a parcel.
MIN_LEGIBLE_MM = 1.5
# Bounds on every number, so that no value is NaN, infinite or absurd (a font size of 10^6 mm rendered for
# seconds, then crashed). Stock: from the narrowest labels to the widest head (1248 dots at 203 dpi, 156 mm).
PAGE_WIDTH_MM = (20.0, 160.0)
PAGE_HEIGHT_MM = (20.0, 400.0)
TEXT_SIZE_MM = (MIN_LEGIBLE_MM, 50.0)
LINE_HEIGHT = (0.8, 3.0)
MODULE_MM = (0.1, 2.0)
THICKNESS_MM = (0.05, 20.0)
MAX_LINES = (1, 50)
PICKLIST_COLUMNS = ("index", "location", "sku", "name", "spec", "name_spec", "qty", "barcode")
BARCODE_HEIGHT_MM = 6.0  # an item barcode's bars; handheld imagers read EAN-13 this short

Align = Literal["left", "center", "right"]
VAlign = Literal["top", "middle", "bottom"]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class TextElement:
    id: str
    box: Box
    text: TextExpression
    size: float
    min_size: float
    align: Align = "left"
    valign: VAlign = "top"
    wrap: bool = True
    max_lines: int | None = None
    bold: bool = False
    inverse: bool = False  # white text on a black box
    line_height: float = 1.2
    when: str | None = None


@dataclass(frozen=True)
class BarcodeElement:
    id: str
    box: Box
    data: TextExpression
    module: float  # preferred module width, mm (rounded to whole dots)
    min_module: float
    vertical: bool = False  # the symbol runs down the box (read top to bottom)
    when: str | None = None


@dataclass(frozen=True)
class QRElement:
    id: str
    box: Box
    data: TextExpression
    when: str | None = None


@dataclass(frozen=True)
class LineElement:
    id: str
    box: Box  # a horizontal line has h = thickness, a vertical one w = thickness
    when: str | None = None


@dataclass(frozen=True)
class BoxElement:
    id: str
    box: Box
    thickness: float
    fill: bool = False
    when: str | None = None


@dataclass(frozen=True)
class Column:
    field: str
    title: str
    width: float  # mm; the widest column takes what the others leave when width is 0
    align: Align = "left"
    height: float = BARCODE_HEIGHT_MM  # the `barcode` column: bar height, mm


@dataclass(frozen=True)
class PickListElement:
    id: str
    box: Box
    size: float
    min_size: float
    columns: tuple[Column, ...]
    line_height: float = 1.25
    max_lines: int = 2  # lines a cell may wrap to before it shrinks
    totals: bool = True
    when: str | None = None


Element = TextElement | BarcodeElement | QRElement | LineElement | BoxElement | PickListElement


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    width_mm: float
    height_mm: float
    elements: tuple[Element, ...]  # the first label
    continuation: tuple[Element, ...]  # labels that carry the rest of a long pick list
    source: str

    @property
    def picklist(self) -> PickListElement | None:
        return next((e for e in self.elements if isinstance(e, PickListElement)), None)

    @property
    def continuation_picklist(self) -> PickListElement | None:
        return next((e for e in self.continuation if isinstance(e, PickListElement)), None)


def builtin_template_names() -> list[str]:
    folder = resources.files("waybill.templates")
    return sorted(entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml"))


def resolve_template(name_or_path: str) -> Path:
    """A built-in name (``100x180``) or a path to a TOML file."""
    if name_or_path in builtin_template_names():
        return Path(str(resources.files("waybill.templates").joinpath(f"{name_or_path}.toml")))
    path = Path(name_or_path)
    if path.is_file():
        return path
    raise TemplateError(
        _("no template {name!r}: not a built-in ({builtins}) nor a file").format(
            name=name_or_path, builtins=", ".join(builtin_template_names())
        )
    )


def load_template(name_or_path: str) -> Template:
    path = resolve_template(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TemplateError(_("{path}: cannot read: {reason}").format(path=path, reason=error.strerror)) from error
    except UnicodeDecodeError as error:
        raise TemplateError(_("{path}: not UTF-8 (TOML files are UTF-8)").format(path=path)) from error
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(_("{path}: not valid TOML: {error}").format(path=path, error=error)) from error
    from waybill.template_parse import parse_template  # the parser builds this module's values

    return parse_template(data, str(path))
