from __future__ import annotations

from pathlib import Path

import pytest

from printers.errors import ProfileError
from printers.profiles import BUILTIN_PROFILES, PrinterProfile, get_profile, load_profiles


@pytest.mark.parametrize(
    ("name", "language", "dpi", "head", "label_end"),
    [
        ("escpos-80mm", "escpos", 203, 576, "cut"),
        ("escpos-4inch", "escpos", 203, 832, "gap_feed"),
        ("tspl-203", "tspl", 203, 832, "gap_feed"),
        ("tspl-300", "tspl", 300, 1248, "gap_feed"),
    ],
)
def test_builtin_profiles(name: str, language: str, dpi: int, head: int, label_end: str) -> None:
    profile = get_profile(name)
    assert (profile.name, profile.language, profile.dpi, profile.head_width_dots, profile.label_end) == (
        name,
        language,
        dpi,
        head,
        label_end,
    )


def test_tspl_203_facts() -> None:
    profile = get_profile("tspl-203")
    assert profile.head_speed_mm_s == 152
    assert profile.dots_per_mm == 8.0


@pytest.mark.parametrize(
    ("name", "mm", "dots"),
    [
        ("tspl-203", (100, 180), (800, 1440)),
        ("tspl-300", (100, 180), (1181, 2126)),
        ("tspl-203", (76, 130), (608, 1040)),
    ],
)
def test_mm_to_dots(name: str, mm: tuple[int, int], dots: tuple[int, int]) -> None:
    profile = get_profile(name)
    assert (profile.dots(mm[0]), profile.dots(mm[1])) == dots


def test_builtins_are_read_only() -> None:
    with pytest.raises(TypeError):
        BUILTIN_PROFILES["x"] = BUILTIN_PROFILES["tspl-203"]  # type: ignore[index]  # the write under test


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "printers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_override_changes_only_given_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, "[profiles.tspl-203]\noffset_x_dots = 12\noffset_y_dots = 4\n")
    loaded = load_profiles(path)
    builtin = BUILTIN_PROFILES["tspl-203"]
    assert loaded["tspl-203"] == PrinterProfile(**{**builtin.__dict__, "offset_x_dots": 12, "offset_y_dots": 4})
    assert loaded["tspl-300"] is BUILTIN_PROFILES["tspl-300"]
    assert get_profile("tspl-203", path).offset_x_dots == 12
    assert get_profile("tspl-203").offset_x_dots == 0


def test_new_profile_from_base_and_from_scratch(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
[profiles.shelf-left]
base = "escpos-4inch"
image_command = "graphics"
max_band_bytes = 100000

[profiles.bench]
language = "tspl"
dpi = 203
head_width_dots = 864
max_band_bytes = 50000
label_end = "none"
head_speed_mm_s = 127
""",
    )
    loaded = load_profiles(path)
    shelf = loaded["shelf-left"]
    assert (shelf.language, shelf.head_width_dots, shelf.image_command, shelf.max_band_bytes) == (
        "escpos",
        832,
        "graphics",
        100000,
    )
    assert shelf.realtime_disable is True  # inherited from the base
    bench = loaded["bench"]
    assert (bench.dots_per_mm, bench.head_width_dots, bench.label_end, bench.head_speed_mm_s) == (8.0, 864, "none", 127)
    assert bench.gap_mm == 3.0 and bench.offset_x_dots == 0  # defaults


def test_dpi_300_is_300_over_25_4(tmp_path: Path) -> None:
    path = _write(tmp_path, '[profiles.x]\nbase = "tspl-203"\ndpi = 300\n')
    assert load_profiles(path)["x"].dots_per_mm == pytest.approx(11.811, abs=1e-3)
    assert load_profiles(path)["x"].dots(100) == 1181


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[profiles.tspl-203]\nlanguage = "epl"\n', "[profiles.tspl-203] language: must be one of escpos, tspl"),
        ("[profiles.tspl-203]\noffset_x_dots = -3\n", "[profiles.tspl-203] offset_x_dots: must be a whole number"),
        ("[profiles.tspl-203]\noffset_x_dots = 1.5\n", "[profiles.tspl-203] offset_x_dots: must be a whole number"),
        ("[profiles.tspl-203]\nhead_width_dots = true\n", "[profiles.tspl-203] head_width_dots: must be a whole"),
        ("[profiles.tspl-203]\nanswers_ack = 1\n", "[profiles.tspl-203] answers_ack: must be true or false"),
        ("[profiles.tspl-203]\nhead_speed = 3\n", "[profiles.tspl-203] head_speed: is not a profile setting"),
        ('[profiles.tspl-203]\nlabel_end = "tear"\n', "[profiles.tspl-203] label_end: must be one of gap_feed"),
        ('[profiles.tspl-203]\nimage_command = "column"\n', "[profiles.tspl-203] image_command: must be one of"),
        ("[profiles.tspl-203]\ngap_mm = -1\n", "[profiles.tspl-203] gap_mm: must be a number from 0 to 100"),
        ("[profiles.tspl-203]\ndpi = 0\n", "[profiles.tspl-203] dpi: must be a number above 0"),
        ("[profiles.tspl-203]\ndpi = nan\n", "[profiles.tspl-203] dpi: must be a number above 0, at most 1200"),
        ("[profiles.tspl-203]\nhead_width_dots = 1000000000000\n", "head_width_dots: must be a whole number from 1 to"),
        ("[profiles.tspl-203]\ngap_mm = inf\n", "[profiles.tspl-203] gap_mm: must be a number from 0 to 100"),
        ("[profiles.mine]\nbase = []\n", "[profiles.mine] base: unknown profile []"),
        ("[profiles.tspl-203]\ndpi = 300\ndots_per_mm = 8\n", "[profiles.tspl-203] dpi: give dpi or dots_per_mm"),
        ('[profiles.x]\nbase = "nope"\n', "[profiles.x] base: unknown profile 'nope'"),
        ('[profiles.x]\nlanguage = "tspl"\n', "[profiles.x] dots_per_mm: missing"),
        ('[profiles.x]\nname = "y"\n', "[profiles.x] name: the name is the table's name"),
        ("[printers.x]\n", "printers: unknown table"),
        ("profiles = 3\n", "profiles: must be a table"),
        ("[profiles]\nx = 3\n", "[profiles.x]: must be a table"),
        ("[profiles.x\n", "not valid TOML"),
    ],
)
def test_bad_profile_file_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profiles(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read the profile file"):
        load_profiles(tmp_path / "absent.toml")


def test_unknown_profile_lists_known() -> None:
    with pytest.raises(
        ProfileError,
        match=r"unknown printer profile 'zebra'; known: escpos-4inch, escpos-4inch-native, escpos-80mm, tspl-203",
    ):
        get_profile("zebra")


def test_invalid_profile_in_code_is_a_profile_error() -> None:
    with pytest.raises(ProfileError, match="'bad': head_width_dots: must be a whole number from 1 to 8,192"):
        PrinterProfile("bad", "tspl", 8.0, 0, 1000, "gap_feed")
