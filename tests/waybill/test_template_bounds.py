"""Template numbers that are NaN, infinite or absurd (issue 9): refused with the element named, at once."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waybill.app.cli import main
from waybill.errors import TemplateError
from waybill.fonts import load_font
from waybill.layout.text import FittedText, ellipsize, fit_text, wrap_text
from waybill.template_parse import parse_template

TEMPLATE = """
[label]
name = "bounds"
width_mm = 100
height_mm = 150

[[elements]]
type = "text"
id = "sort_code"
x = 2
y = 2
w = 96
h = 8
size = 7
min_size = 5
text = "{sort_code}"

[[elements]]
type = "barcode"
id = "waybill_no"
x = 2
y = 12
w = 96
h = 10
data = "{waybill_no}"

[[elements]]
type = "picklist"
id = "picklist"
x = 2
y = 30
w = 96
h = 100
size = 2.6
columns = [{ field = "name_spec", title = "商品" }, { field = "qty", title = "数量", width = 10 }]

[[continuation]]
type = "picklist"
id = "picklist"
x = 2
y = 2
w = 96
h = 140
size = 2.6
columns = [{ field = "name_spec", title = "商品" }]
"""


def _set(text: str, element_id: str, key: str, value: str) -> str:
    """``text`` with ``key`` of the first element ``element_id`` set to the TOML literal ``value``."""
    head, marker, tail = text.partition(f'id = "{element_id}"\n')
    assert marker
    block, separator, rest = tail.partition("\n\n")
    changed, count = re.subn(rf"^{key} = .*$", f"{key} = {value}", block, count=1, flags=re.M)
    return head + marker + (changed if count else f"{key} = {value}\n{block}") + separator + rest


def problems(text: str) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        parse_template(tomllib.loads(text), "t.toml")
    return str(caught.value).splitlines()[1:]


@pytest.mark.parametrize(
    ("element", "key", "value", "message"),
    [
        ("sort_code", "size", "1e6", "size must be from 1.5 to 50, not 1e+06"),
        ("sort_code", "size", "nan", "size must be a finite number, not nan"),
        ("sort_code", "size", "inf", "size must be a finite number, not inf"),
        ("sort_code", "size", "40", "size 40 mm is taller than the box (8 mm high)"),
        ("sort_code", "line_height", "-inf", "line_height must be a finite number, not -inf"),
        ("sort_code", "line_height", "100", "line_height must be from 0.8 to 3, not 100"),
        ("sort_code", "x", "nan", "x must be a finite number, not nan"),
        ("sort_code", "max_lines", "1000000", "max_lines must be from 1 to 50, not 1000000"),
        ("waybill_no", "module", "nan", "module must be a finite number, not nan"),
        ("waybill_no", "min_module", "1e-9", "min_module must be from 0.1 to 2, not 1e-09"),
        ("picklist", "max_lines", "100000", "max_lines must be from 1 to 50, not 100000"),
        ("picklist", "size", "1e300", "size must be from 1.5 to 50, not 1e+300"),
    ],
)
def test_an_absurd_number_is_refused_naming_the_element(element: str, key: str, value: str, message: str) -> None:
    parse_template(tomllib.loads(TEMPLATE), "t.toml")  # valid as it is
    (problem,) = problems(_set(TEMPLATE, element, key, value))
    assert re.fullmatch(rf"t\.toml: elements\[\d+\] \({element}\): {re.escape(message)}", problem), problem


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("width_mm", "1e9", "width_mm must be from 20 to 160, not 1e+09"),
        ("width_mm", "5", "width_mm must be from 20 to 160, not 5"),
        ("height_mm", "nan", "height_mm must be a finite number, not nan"),
        ("height_mm", "100000", "height_mm must be from 20 to 400, not 100000"),
    ],
)
def test_page_sizes_no_printer_has_are_refused(key: str, value: str, message: str) -> None:
    text = re.sub(rf"^{key} = .*$", f"{key} = {value}", TEMPLATE, count=1, flags=re.M)
    assert f"t.toml: [label]: {message}" in problems(text)


def test_templates_check_of_a_huge_font_answers_with_the_elements(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(TEMPLATE.replace("size = 2.6\n", "size = 1e6\n"), encoding="utf-8")
    assert main(["templates", "check", str(path)]) == TemplateError.exit_code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()[1:]
    assert lines == [
        f"{path}: elements[2] (picklist): size must be from 1.5 to 50, not 1e+06",
        f"{path}: continuation[0] (picklist): size must be from 1.5 to 50, not 1e+06",
    ]


FONT = load_font()


def _fit_by_trying_every_size(text: str, width: float, height: float, size: int, min_size: int) -> FittedText:
    """What fit_text returned before it passed over sizes that cannot fit: every size tried, largest first."""
    for candidate in range(size, min_size - 1, -1):
        room = max(1, int(height / (candidate * 1.2) + 1e-6))
        lines = wrap_text(text, FONT, candidate, width)
        if len(lines) <= room and all(FONT.width(line, candidate) <= width + 1e-6 for line in lines):
            return FittedText(candidate, tuple(lines), shrunk=candidate < size, truncated=False)
    room = max(1, int(height / (min_size * 1.2) + 1e-6))
    lines = wrap_text(text, FONT, min_size, width)
    kept = lines[:room]
    kept[-1] = ellipsize(kept[-1], FONT, min_size, width, force=len(lines) > room)
    return FittedText(min_size, tuple(kept), shrunk=min_size < size, truncated=True)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet="中文地址浙江省杭州市西湖区 abcXYZ0123-，。\n", max_size=120),
    width=st.integers(20, 1200),
    height=st.integers(10, 600),
    size=st.integers(12, 400),
    shrink=st.integers(0, 390),
)
def test_passing_over_sizes_that_cannot_fit_changes_no_result(
    text: str, width: int, height: int, size: int, shrink: int
) -> None:
    min_size = max(12, size - shrink)
    fitted = fit_text(text, FONT, width=width, height=height, size=size, min_size=min_size)
    assert fitted == _fit_by_trying_every_size(text, width, height, size, min_size)


def _ellipsize_one_character_at_a_time(line: str, size: int, width: float, force: bool) -> str:
    if not force and FONT.width(line, size) <= width + 1e-6:
        return line
    while line and FONT.width(line + "…", size) > width + 1e-6:
        line = line[:-1]
    return line.rstrip() + "…"


@settings(max_examples=200, deadline=None)
@given(
    line=st.text(alphabet="中文地址 abcXYZ0123-，。", max_size=200),
    size=st.integers(8, 60),
    width=st.integers(0, 800),
    force=st.booleans(),
)
def test_ellipsize_by_bisection_cuts_where_cutting_one_character_at_a_time_did(
    line: str, size: int, width: int, force: bool
) -> None:
    assert ellipsize(line, FONT, size, width, force=force) == _ellipsize_one_character_at_a_time(
        line, size, width, force
    )
