"""Placing fitted text: a line the font covers is one run; a character it lacks is an empty box between runs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waybill.fonts import load_font
from waybill.fonts.cells import TSS24, resident_font
from waybill.layout.label import Rect, TextRun
from waybill.layout.text import FittedText
from waybill.layout.typeset import DotBox, place_text

FONT = load_font()
BOX = DotBox(10, 20, 600, 200)
LACKED = "😀"  # the bundled font has no emoji


def test_a_covered_line_is_one_run_at_the_line_start() -> None:
    marks, missing = place_text(FittedText(24, ("收件人 张三 138****1234",), False, False), BOX, FONT)
    assert missing == set()
    (run,) = marks
    assert isinstance(run, TextRun)
    assert run == TextRun(10.0, run.baseline, 24, "收件人 张三 138****1234")


def test_a_lacked_character_splits_the_line_around_a_box() -> None:
    line = f"备注{LACKED}请轻放"
    marks, missing = place_text(FittedText(24, (line,), False, False), BOX, FONT)
    assert missing == {LACKED}
    runs = [mark for mark in marks if isinstance(mark, TextRun)]
    boxes = [mark for mark in marks if isinstance(mark, Rect)]
    assert [run.text for run in runs] == ["备注", "请轻放"]
    assert len(boxes) == 4  # the empty box's four sides
    # The second run starts one em (the box's room) after the first run's end.
    assert runs[1].x == pytest.approx(runs[0].x + FONT.width("备注", 24) + 24)
    assert all(runs[0].x + FONT.width("备注", 24) <= box.x < runs[1].x for box in boxes)


def test_an_empty_line_places_nothing() -> None:
    assert place_text(FittedText(24, ("",), False, False), BOX, FONT) == ([], set())


@given(st.text(alphabet=st.sampled_from([*"收件人张三 AZ09-，。", LACKED, "\u0378"]), max_size=30))
def test_every_character_is_drawn_once_as_text_or_as_a_box(line: str) -> None:
    for font in (FONT, resident_font(TSS24, FONT)):
        marks, missing = place_text(FittedText(24, (line,), False, False), BOX, font)
        drawn = "".join(mark.text for mark in marks if isinstance(mark, TextRun))
        lacked = [char for char in line if not font.has_glyph(char) and not char.isspace()]
        assert font.covers(line) == all(map(font.has_glyph, line))
        assert drawn == "".join(char for char in line if char not in lacked)
        assert missing == set(lacked)
        assert sum(isinstance(mark, Rect) for mark in marks) == 4 * len(lacked)
