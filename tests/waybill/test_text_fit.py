"""Text fitting with the bundled WenQuanYi Micro Hei: wrap (CJK anywhere, Latin at spaces, 禁则), shrink, ellipsis."""

from __future__ import annotations

import itertools
import math
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from waybill.fonts import Font, load_font
from waybill.layout.text import CLOSING, ELLIPSIS, OPENING, ellipsize, fit_text, wrap_text

FONT = load_font()
SIZE = 20
EM = FONT.width("中", SIZE)  # a CJK character is one em wide
EPSILON = 1e-6


def w(text: str, size: float = SIZE) -> float:
    return FONT.width(text, size)


def test_the_bundled_font_has_what_these_tests_rely_on() -> None:
    assert FONT.path.name == "wqy-microhei.ttc"
    for char in "中文一二三，。、；：？！）】」』》（【「『《…":
        assert FONT.has_glyph(char), char
        assert w(char) == EM, char  # full-width: the tables below count in ems
    assert 0 < w("i") < w("W") < EM  # Latin is proportional


@pytest.mark.parametrize(
    ("text", "ems", "lines"),
    [
        ("一二三四五六七", 3, ["一二三", "四五六", "七"]),
        ("一二三四五六", 3, ["一二三", "四五六"]),
        ("浙江省杭州市西湖区", 4.5, ["浙江省杭", "州市西湖", "区"]),
        # No line starts with closing punctuation: the character before it comes down too.
        ("一二三，四五", 3, ["一二", "三，四", "五"]),
        ("一二三。", 3, ["一二", "三。"]),
        ("一二三）", 3, ["一二", "三）"]),
        # … nor with a run of it.
        ("一二三好。」后面", 5, ["一二三", "好。」后面"]),
        ("一二三好。」后面", 4, ["一二三", "好。」后", "面"]),
        # No line ends with opening punctuation: it goes down with what it opens.
        ("一二（三）四", 3, ["一二", "（三）", "四"]),
        ("一二【三】", 3, ["一二", "【三】"]),
        ("一「『二』」三", 5, ["一", "「『二』」", "三"]),
        # Hard line breaks are kept, empty lines included.
        ("一二\n\n三", 5, ["一二", "", "三"]),
        ("一二三四\n五", 2, ["一二", "三四", "五"]),
        ("一二\n", 5, ["一二", ""]),
        ("", 5, [""]),
    ],
)
def test_wrap_table(text: str, ems: float, lines: list[str]) -> None:
    assert wrap_text(text, FONT, SIZE, ems * EM) == lines


@pytest.mark.parametrize(
    ("text", "width_of", "lines"),
    [
        # Latin words and numbers break at spaces only.
        ("Hello world again", "Hello world", ["Hello world", "again"]),
        ("Hello world again", "Hello worl", ["Hello", "world", "again"]),
        ("运单号 SF1000731000000 已发出", "SF1000731000000 ", ["运单号", "SF1000731000000", "已发出"]),
        ("收件人电话138-1234-1234", "收件人电话138-1", ["收件人电话", "138-1234-1234"]),
        ("规格70x140cm燕麦色", "规格70x14", ["规格", "70x140cm", "燕麦色"]),
        ("尺寸70×140cm", "尺寸70×1", ["尺寸70×", "140cm"]),
        ("Café crème brûlée", "Café crème", ["Café crème", "brûlée"]),
        ("Café crème brûlée", "Café crè", ["Café", "crème", "brûlée"]),
        # A space before closing punctuation does not let it start a line; spaces inside what is carried stay.
        ("一二三四 SF ，", "一二三四 SF", ["一二三四", "SF ，"]),
        ("一二三 （ SF", "一二三 （", ["一二三", "（ SF"]),
        # Spaces at a break vanish.
        ("ab    cd", "ab", ["ab", "cd"]),
        ("  ab", "ab", ["ab"]),
    ],
)
def test_wrap_keeps_words_whole(text: str, width_of: str, lines: list[str]) -> None:
    assert wrap_text(text, FONT, SIZE, w(width_of)) == lines


def test_a_word_wider_than_the_line_breaks_between_letters() -> None:
    text = "SF1000731000000123456789"
    width = w("SF10007310")
    lines = wrap_text(text, FONT, SIZE, width)
    assert "".join(lines) == text
    assert len(lines) >= 3
    assert all(w(line) <= width + EPSILON for line in lines)
    assert all(w(line + next_line[0]) > width for line, next_line in itertools.pairwise(lines))


def test_kinsoku_gives_way_rather_than_overflow() -> None:
    # Taking "Hellowo" down with "。" would make a line wider than the box: the width wins.
    width = w("a Hellowo")
    lines = wrap_text("a Hellowo。再来", FONT, SIZE, width)
    assert all(w(line) <= width + EPSILON for line in lines), lines
    assert "".join(lines).replace(" ", "") == "aHellowo。再来"


# --- properties of wrapping ------------------------------------------------------------------------------------------

CJK = "浙江省杭州市西湖区文三路号室收件人电话"
LATIN = ["SF", "A-2", "350ml", "Box", "12", "x", "Café", "GB"]
PUNCT_CLOSE = "，。、；：？！）】」』》"
PUNCT_OPEN = "（【「『《"

pieces = st.one_of(
    st.sampled_from(list(CJK)),
    st.sampled_from([f" {word} " for word in LATIN] + LATIN),
    st.sampled_from(list(PUNCT_CLOSE)),
    st.sampled_from(list(PUNCT_OPEN)),
)


def _no_long_punctuation_runs(parts: list[str]) -> bool:
    run = 0
    for part in parts:
        run = run + 1 if part in PUNCT_CLOSE or part in PUNCT_OPEN else 0
        if run > 2:
            return False
    return True


def content(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(parts=st.lists(pieces, max_size=40), ems=st.floats(min_value=8, max_value=16))
def test_wrapped_lines_fit_lose_nothing_and_obey_kinsoku(parts: list[str], ems: float) -> None:
    # Kinsoku gives way only when what it would carry down cannot fit a line: at most two punctuation marks
    # each side of a word no wider than 3 ems always fits in 8 ems.
    text = "".join(parts)
    assume(_no_long_punctuation_runs(parts))
    assume(all(w(word) <= 3 * EM for word in re.findall(r"[A-Za-z0-9é-]+", text)))
    width = ems * EM
    lines = wrap_text(text, FONT, SIZE, width)
    assert all(w(line) <= width + EPSILON for line in lines)
    assert content("".join(lines)) == content(text)
    assert all(line == line.strip() for line in lines)
    for line in lines[1:]:
        assert line[:1] not in CLOSING, lines
    for line in lines[:-1]:
        assert line[-1:] not in OPENING, lines
    # Latin words and numbers are never split unless wider than a line: each one is whole on some line.
    words = [word for word in re.findall(r"[A-Za-z0-9é-]+", text) if w(word) <= width]
    for word in words:
        assert any(word in line for line in lines), (word, lines)


@settings(deadline=None)
@given(
    paragraphs=st.lists(st.text(alphabet=CJK + " ab1，（", max_size=30), min_size=1, max_size=5),
    ems=st.floats(min_value=1, max_value=12),
)
def test_hard_newlines_are_kept(paragraphs: list[str], ems: float) -> None:
    lines = wrap_text("\n".join(paragraphs), FONT, SIZE, ems * EM)
    assert len(lines) >= len(paragraphs)
    joined = [wrap_text(p, FONT, SIZE, ems * EM) for p in paragraphs]
    assert lines == [line for paragraph in joined for line in paragraph]


# --- fit_text ---------------------------------------------------------------------------------------------------------


def room(height: float, size: int, line_height: float = 1.2) -> int:
    return max(1, math.floor(height / (size * line_height) + 1e-6))


def fits(text: str, font: Font, size: int, width: float, height: float) -> bool:
    lines = wrap_text(text, font, size, width)
    return len(lines) <= room(height, size) and all(font.width(line, size) <= width + EPSILON for line in lines)


def test_text_that_fits_keeps_its_size() -> None:
    fitted = fit_text("浙江省杭州市", FONT, width=10 * EM, height=SIZE * 1.2, size=SIZE, min_size=12)
    assert (fitted.size, fitted.lines, fitted.shrunk, fitted.truncated) == (SIZE, ("浙江省杭州市",), False, False)


def test_text_shrinks_to_the_largest_size_that_fits() -> None:
    text = "浙江省杭州市西湖区文三路478号华星时代广场A座1203室"
    width, height = 200.0, 2 * 24 * 1.2
    fitted = fit_text(text, FONT, width=width, height=height, size=24, min_size=10)
    assert fitted.shrunk and not fitted.truncated
    assert 10 <= fitted.size < 24
    assert not fits(text, FONT, fitted.size + 1, width, height)
    assert list(fitted.lines) == wrap_text(text, FONT, fitted.size, width)
    assert content("".join(fitted.lines)) == content(text)


def test_ellipsis_only_at_the_minimum_size() -> None:
    text = "请务必在工作日白天派送，" * 10
    width, height = 10 * 16.0, 2 * 16 * 1.2
    fitted = fit_text(text, FONT, width=width, height=height, size=16, min_size=12)
    assert fitted.size == 12
    assert fitted.shrunk and fitted.truncated
    assert len(fitted.lines) == room(height, 12)
    assert fitted.lines[-1].endswith(ELLIPSIS)
    assert not any(line.endswith(ELLIPSIS) for line in fitted.lines[:-1])
    assert all(FONT.width(line, 12) <= width + EPSILON for line in fitted.lines)
    assert content(text).startswith(content("".join(fitted.lines))[:-1])


def test_truncated_at_the_preferred_size_is_not_shrunk() -> None:
    fitted = fit_text("一二三四五六七八九十", FONT, width=4 * EM, height=SIZE * 1.2, size=SIZE, min_size=SIZE)
    assert (fitted.size, fitted.shrunk, fitted.truncated) == (SIZE, False, True)
    assert fitted.lines == ("一二三" + ELLIPSIS,)


def test_max_lines_limits_the_lines() -> None:
    text = "一二三四五六七八九十"
    fitted = fit_text(text, FONT, width=5 * EM, height=10 * EM, size=SIZE, min_size=SIZE, max_lines=1)
    assert fitted.lines == ("一二三四" + ELLIPSIS,) and fitted.truncated
    two = fit_text(text, FONT, width=5 * EM, height=10 * EM, size=SIZE, min_size=SIZE, max_lines=2)
    assert two.lines == ("一二三四五", "六七八九十") and not two.truncated


def test_no_wrap_shrinks_then_cuts_one_line() -> None:
    text = "SF1000731000000"
    at_20 = w(text)
    fitted = fit_text(text, FONT, width=at_20 * 0.8, height=10 * EM, size=SIZE, min_size=10, wrap=False)
    assert fitted.lines == (text,) and fitted.shrunk and not fitted.truncated
    assert fitted.size == 16  # 20 × 0.8: the largest whole size that fits
    cut = fit_text(text, FONT, width=at_20 * 0.4, height=10 * EM, size=SIZE, min_size=12, wrap=False)
    assert cut.size == 12 and cut.truncated and len(cut.lines) == 1 and cut.lines[0].endswith(ELLIPSIS)
    joined = fit_text("第一行\n第二行", FONT, width=10 * EM, height=10 * EM, size=SIZE, min_size=10, wrap=False)
    assert joined.lines == ("第一行 第二行",)


def test_fit_keeps_hard_newlines() -> None:
    fitted = fit_text("收件人\n\n地址", FONT, width=10 * EM, height=10 * EM, size=SIZE, min_size=10)
    assert fitted.lines == ("收件人", "", "地址") and not fitted.shrunk


@pytest.mark.parametrize(
    ("line", "ems", "force", "result"),
    [
        ("一二三", 3, False, "一二三"),  # fits: unchanged
        ("一二三", 3, True, "一二" + ELLIPSIS),  # forced: room made for the ellipsis
        ("一二三", 4, True, "一二三" + ELLIPSIS),
        ("一二三四五", 3, False, "一二" + ELLIPSIS),
        ("ab cd", 10, True, "ab cd" + ELLIPSIS),
        ("一 二三", 2.4, False, "一" + ELLIPSIS),  # no space left before the ellipsis
    ],
)
def test_ellipsize(line: str, ems: float, force: bool, result: str) -> None:
    assert ellipsize(line, FONT, SIZE, ems * EM, force=force) == result


text_strategy = st.lists(pieces | st.just("\n"), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    text=text_strategy,
    ems=st.floats(min_value=2, max_value=14),
    line_count=st.floats(min_value=0.5, max_value=4),
    size=st.integers(min_value=12, max_value=32),
    shrink=st.integers(min_value=0, max_value=10),
    wrap=st.booleans(),
)
def test_fit_text_properties(text: str, ems: float, line_count: float, size: int, shrink: int, wrap: bool) -> None:
    min_size = max(8, size - shrink)
    width = ems * min_size  # at least two ems at the minimum size
    height = line_count * size * 1.2
    fitted = fit_text(text, FONT, width=width, height=height, size=size, min_size=min_size, wrap=wrap)

    assert min_size <= fitted.size <= size
    assert fitted.shrunk == (fitted.size < size)
    assert all(FONT.width(line, fitted.size) <= width + EPSILON for line in fitted.lines), fitted
    assert 1 <= len(fitted.lines) <= room(height, fitted.size)
    kept = content("".join(fitted.lines))
    original = content(text)
    if fitted.truncated:
        assert fitted.size == min_size  # shrink first, ellipsis last
        assert fitted.lines[-1].endswith(ELLIPSIS)
        assert original.startswith(kept[: -len(ELLIPSIS)])
    else:
        assert kept == original  # nothing lost
        if fitted.size < size:  # shrunk only as far as needed
            bigger = fitted.size + 1
            lines = wrap_text(text, FONT, bigger, width) if wrap else [" ".join(text.split("\n"))]
            assert len(lines) > room(height, bigger) or any(FONT.width(line, bigger) > width for line in lines)
