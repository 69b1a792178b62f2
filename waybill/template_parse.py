"""Checking a template's TOML: every key typed and bounded, every element on the page, every problem found
reported at once (a ``TemplateError`` listing them), so a template author fixes them in one pass."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from waybill.errors import TemplateError
from waybill.fields import FIELDS, TextExpression, parse_expression
from waybill.i18n import _
from waybill.template import (
    BARCODE_HEIGHT_MM,
    LINE_HEIGHT,
    MAX_LINES,
    MIN_LEGIBLE_MM,
    MODULE_MM,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    PICKLIST_COLUMNS,
    TEXT_SIZE_MM,
    THICKNESS_MM,
    BarcodeElement,
    Box,
    BoxElement,
    Column,
    Element,
    LineElement,
    PickListElement,
    QRElement,
    Template,
    TextElement,
)

__all__ = ["parse_template"]


def parse_template(data: dict[str, Any], source: str) -> Template:
    problems: list[str] = []
    label = _Table(data.get("label"), f"{source}: [label]", problems)
    template = Template(
        name=label.text("name", default=Path(source).stem),
        description=label.text("description", default=""),
        width_mm=label.number("width_mm", within=PAGE_WIDTH_MM),
        height_mm=label.number("height_mm", within=PAGE_HEIGHT_MM),
        elements=(),
        continuation=(),
        source=source,
    )
    label.done()
    elements = _elements(data.get("elements"), f"{source}: elements", template, problems)
    continuation = _elements(data.get("continuation", []), f"{source}: continuation", template, problems)
    for key in data.keys() - {"label", "elements", "continuation"}:
        problems.append(
            _("{source}: unknown section {key!r} (sections: label, elements, continuation)").format(
                source=source, key=key
            )
        )
    template = Template(**{**template.__dict__, "elements": elements, "continuation": continuation})
    pick_counts = [sum(isinstance(e, PickListElement) for e in group) for group in (elements, continuation)]
    if pick_counts[0] > 1 or pick_counts[1] > 1:
        problems.append(
            _("{source}: at most one picklist on the first label and one on continuation labels").format(source=source)
        )
    if pick_counts[0] == 1 and pick_counts[1] != 1:
        problems.append(
            _("{source}: a template with a picklist needs [[continuation]] elements with a picklist").format(
                source=source
            )
        )
    if problems:
        raise TemplateError(
            "\n".join(
                [_("{count} problem(s) in template {source}").format(count=len(problems), source=source), *problems]
            )
        )
    return template


class _Table:
    """Reads typed keys from one TOML table, recording problems instead of stopping at the first."""

    def __init__(self, value: Any, where: str, problems: list[str]) -> None:
        if not isinstance(value, dict):
            problems.append(_("{where}: must be a table").format(where=where))
            value = {}
        self.data: dict[str, Any] = value
        self.where = where
        self.problems = problems
        self.used: set[str] = set()

    def _get(self, key: str, default: Any, kinds: tuple[type, ...], kind_name: str) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                self.problems.append(_("{where}: {key} is required").format(where=self.where, key=key))
                return None
            return default
        value = self.data[key]
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            self.problems.append(
                _("{where}: {key} must be {kind_name}, not {value!r}").format(
                    where=self.where, key=key, kind_name=kind_name, value=value
                )
            )
            return None if default is _REQUIRED else default
        return value

    def number(self, key: str, default: Any = None, *, within: tuple[float, float] | None = None) -> float:
        """A finite number (TOML also has nan and inf), inside ``within`` when given; 0 or the default if not."""
        value = self._get(key, _REQUIRED if default is None else default, (int, float), _("a number"))
        if value is None:
            return 0.0
        # A refused value is replaced by the default (else the lowest allowed), so it causes no further problem.
        stand_in = float(default if default not in (None, _REQUIRED) else within[0] if within else 0)
        if not math.isfinite(value):
            self.problems.append(
                _("{where}: {key} must be a finite number, not {value!r}").format(
                    where=self.where, key=key, value=value
                )
            )
            return stand_in
        if within is not None and not within[0] <= value <= within[1]:
            self.problems.append(
                _("{where}: {key} must be from {low:g} to {high:g}, not {value:g}").format(
                    where=self.where, key=key, low=within[0], high=within[1], value=value
                )
            )
            return stand_in
        return float(value)

    def whole(self, key: str, default: int | None, within: tuple[int, int]) -> int | None:
        value = self._get(key, default, (int,), _("a whole number"))
        if value is not None and not within[0] <= value <= within[1]:
            self.problems.append(
                _("{where}: {key} must be from {low} to {high}, not {value}").format(
                    where=self.where, key=key, low=within[0], high=within[1], value=value
                )
            )
            return default
        return value  # type: ignore[no-any-return]

    def text(self, key: str, default: Any = None) -> str:
        value = self._get(key, _REQUIRED if default is None else default, (str,), _("a string"))
        return str(value) if value is not None else ""

    def flag(self, key: str, default: bool) -> bool:
        return bool(self._get(key, default, (bool,), _("true or false")))

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> Any:
        value = self.text(key, default)
        if value not in choices:
            self.problems.append(
                _("{where}: {key} must be one of {choices}, not {value!r}").format(
                    where=self.where, key=key, choices=", ".join(choices), value=value
                )
            )
            return default
        return value

    def expression(self, key: str) -> TextExpression:
        try:
            return parse_expression(self.text(key), f"{self.where}: {key}")
        except TemplateError as error:
            self.problems.append(str(error))
            return TextExpression(())

    def when(self) -> str | None:
        value = self._get("when", None, (str,), _("a field name"))
        if value is not None and value not in FIELDS:
            self.problems.append(_("{where}: when: unknown field {value!r}").format(where=self.where, value=value))
        return value if isinstance(value, str) else None

    def box(self, page: Template) -> Box:
        return self.on_page(Box(self.number("x"), self.number("y"), self.number("w"), self.number("h")), page)

    def on_page(self, box: Box, page: Template) -> Box:
        if box.w <= 0 or box.h <= 0:
            self.problems.append(_("{where}: w and h must be greater than 0").format(where=self.where))
        if box.x < 0 or box.y < 0 or box.x + box.w > page.width_mm + 1e-9 or box.y + box.h > page.height_mm + 1e-9:
            self.problems.append(
                _(
                    "{where}: off the page: x {x:g}..{x2:g} mm, y {y:g}..{y2:g} mm on a {width:g} x {height:g} mm label"
                ).format(
                    where=self.where,
                    x=box.x,
                    x2=box.x + box.w,
                    y=box.y,
                    y2=box.y + box.h,
                    width=page.width_mm,
                    height=page.height_mm,
                )
            )
        return box

    def done(self) -> None:
        for key in sorted(self.data.keys() - self.used):
            self.problems.append(_("{where}: unknown key {key!r}").format(where=self.where, key=key))


_REQUIRED = object()


def _elements(value: Any, where: str, page: Template, problems: list[str]) -> tuple[Element, ...]:
    if not isinstance(value, list):
        problems.append(
            _("{where}: must be an array of tables ([[{section}]])").format(
                where=where, section=where.rsplit(" ", 1)[-1]
            )
        )
        return ()
    elements: list[Element] = []
    for index, raw in enumerate(value):
        table = _Table(raw, f"{where}[{index}]", problems)
        kind = table.text("type", default="")
        table.where = f"{where}[{index}] ({table.data.get('id', kind)})"
        parser = _PARSERS.get(kind)
        if parser is None:
            problems.append(
                _("{where}: type must be one of {types}, not {kind!r}").format(
                    where=table.where, types=", ".join(_PARSERS), kind=kind
                )
            )
            continue
        element = parser(table, page, f"{kind}{index}")
        table.done()
        elements.append(element)
    return tuple(elements)


def _text_element(t: _Table, page: Template, default_id: str) -> TextElement:
    before = len(t.problems)
    size = t.number("size", within=TEXT_SIZE_MM)
    size_valid = len(t.problems) == before
    min_size = t.number("min_size", default=max(MIN_LEGIBLE_MM, round(size * 0.7, 2)))
    box = t.box(page)
    _check_sizes(t, size, min_size, box, size_valid=size_valid)
    max_lines = t.whole("max_lines", None, MAX_LINES)
    return TextElement(
        id=t.text("id", default=default_id),
        box=box,
        text=t.expression("text"),
        size=size,
        min_size=min_size,
        align=t.choice("align", "left", ("left", "center", "right")),
        valign=t.choice("valign", "top", ("top", "middle", "bottom")),
        wrap=t.flag("wrap", True),
        max_lines=max_lines,
        bold=t.flag("bold", False),
        inverse=t.flag("inverse", False),
        line_height=t.number("line_height", default=1.2, within=LINE_HEIGHT),
        when=t.when(),
    )


def _check_sizes(t: _Table, size: float, min_size: float, box: Box, *, size_valid: bool) -> None:
    if size_valid and size > box.h + 1e-9:
        t.problems.append(
            _("{where}: size {size:g} mm is taller than the box ({box_h:g} mm high)").format(
                where=t.where, size=size, box_h=box.h
            )
        )
    if size_valid and min_size > size:
        t.problems.append(
            _("{where}: min_size {min_size:g} mm is larger than size {size:g} mm").format(
                where=t.where, min_size=min_size, size=size
            )
        )
    if min_size < MIN_LEGIBLE_MM:
        t.problems.append(
            _("{where}: min_size {min_size:g} mm is below the legible minimum {minimum} mm").format(
                where=t.where, min_size=min_size, minimum=MIN_LEGIBLE_MM
            )
        )


def _barcode_element(t: _Table, page: Template, default_id: str) -> BarcodeElement:
    symbology = t.text("symbology", default="code128")
    if symbology != "code128":
        t.problems.append(_('{where}: symbology must be code128 (QR codes are type = "qr")').format(where=t.where))
    module = t.number("module", default=0.375, within=MODULE_MM)
    min_module = t.number("min_module", default=0.25, within=MODULE_MM)
    if min_module > module:
        t.problems.append(_("{where}: min_module is larger than module").format(where=t.where))
    return BarcodeElement(
        id=t.text("id", default=default_id),
        box=t.box(page),
        data=t.expression("data"),
        module=module,
        min_module=min_module,
        vertical=t.flag("vertical", False),
        when=t.when(),
    )


def _qr_element(t: _Table, page: Template, default_id: str) -> QRElement:
    return QRElement(id=t.text("id", default=default_id), box=t.box(page), data=t.expression("data"), when=t.when())


def _line_element(t: _Table, page: Template, default_id: str) -> LineElement:
    x1, y1, x2, y2 = (t.number(k) for k in ("x1", "y1", "x2", "y2"))
    thickness = t.number("thickness", default=0.25, within=THICKNESS_MM)
    if x1 != x2 and y1 != y2:
        t.problems.append(_("{where}: lines must be horizontal (y1 = y2) or vertical (x1 = x2)").format(where=t.where))
    if y1 == y2:
        box = Box(min(x1, x2), y1 - thickness / 2, abs(x2 - x1), thickness)
    else:
        box = Box(x1 - thickness / 2, min(y1, y2), thickness, abs(y2 - y1))
    return LineElement(id=t.text("id", default=default_id), box=t.on_page(box, page), when=t.when())


def _box_element(t: _Table, page: Template, default_id: str) -> BoxElement:
    return BoxElement(
        id=t.text("id", default=default_id),
        box=t.box(page),
        thickness=t.number("thickness", default=0.25, within=THICKNESS_MM),
        fill=t.flag("fill", False),
        when=t.when(),
    )


def _picklist_element(t: _Table, page: Template, default_id: str) -> PickListElement:
    before = len(t.problems)
    size = t.number("size", within=TEXT_SIZE_MM)
    size_valid = len(t.problems) == before
    min_size = t.number("min_size", default=max(MIN_LEGIBLE_MM, round(size * 0.75, 2)))
    columns: list[Column] = []
    raw_columns = t._get("columns", [], (list,), _("an array of column tables"))
    for index, raw in enumerate(raw_columns):
        column = _Table(raw, f"{t.where}: columns[{index}]", t.problems)
        field = column.choice("field", "name_spec", PICKLIST_COLUMNS)
        if "height" in column.data and field != "barcode":
            t.problems.append(_("{where}: height is for the barcode column only").format(where=column.where))
        height = column.number("height", default=BARCODE_HEIGHT_MM)
        if height <= 0:
            t.problems.append(_("{where}: height must be greater than 0").format(where=column.where))
        columns.append(
            Column(
                field=field,
                title=column.text("title", default=""),
                width=column.number("width", default=0, within=(0, page.width_mm)),
                align=column.choice("align", "left", ("left", "center", "right")),
                height=height,
            )
        )
        column.done()
    box = t.box(page)
    _check_sizes(t, size, min_size, box, size_valid=size_valid)
    if not columns:
        t.problems.append(_("{where}: columns: give at least one column").format(where=t.where))
    elif sum(c.width for c in columns) > box.w + 1e-9:
        t.problems.append(
            _("{where}: columns are wider ({width:g} mm) than the box").format(
                where=t.where, width=sum(c.width for c in columns)
            )
        )
    return PickListElement(
        id=t.text("id", default=default_id),
        box=box,
        size=size,
        min_size=min_size,
        columns=tuple(columns),
        line_height=t.number("line_height", default=1.25, within=LINE_HEIGHT),
        max_lines=t.whole("max_lines", 2, MAX_LINES) or 2,
        totals=t.flag("totals", True),
        when=t.when(),
    )


_PARSERS: dict[str, Callable[[_Table, Template, str], Element]] = {
    "text": _text_element,
    "barcode": _barcode_element,
    "qr": _qr_element,
    "line": _line_element,
    "box": _box_element,
    "picklist": _picklist_element,
}
