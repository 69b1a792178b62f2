"""Terminal tables: display widths (a Chinese character is two cells), clipping, alignment."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from waybill.terminal import aligned, clip, display_width

TEXT = st.text(alphabet=st.sampled_from("aZ 9-收件人浙江省（）…ｱ€é\u3000"), max_size=40)


def _reference_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


@given(TEXT)
def test_display_width_counts_wide_characters_twice(text: str) -> None:
    assert display_width(text) == _reference_width(text)


@given(TEXT, st.integers(min_value=1, max_value=30))
def test_clip_keeps_a_prefix_within_the_width(text: str, width: int) -> None:
    clipped = clip(text, width)
    if _reference_width(text) <= width:
        assert clipped == text
    else:
        assert clipped.endswith("…") and text.startswith(clipped[:-1])
        assert _reference_width(clipped[:-1]) <= width < _reference_width(text[: len(clipped)])


def test_aligned_pads_by_display_width_and_right_aligns_numbers() -> None:
    lines = list(aligned([("单号", "件数"), ("SF1", "12"), ("浙江省杭州", "3")], right={1}))
    assert lines == ["单号        件数", "SF1           12", "浙江省杭州     3"]
    assert {display_width(line) for line in lines} == {16}
