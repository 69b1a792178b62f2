from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from printers.encode import encode_labels
from printers.profiles import get_profile
from printers.testing import line_art
from waybill.app.cli import main


def test_profiles_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printers", "profiles"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["name", "language", "dpi", "head"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert sorted(rows) == [
        "escpos-4inch",
        "escpos-4inch-native",
        "escpos-80mm",
        "tspl-203",
        "tspl-203-native",
        "tspl-300",
        "zpl-203",
        "zpl-203-native",
        "zpl-300",
    ]
    assert rows["tspl-203-native"][7] == "native/TSS24.BF2"  # text, symbols and rules by command
    assert rows["zpl-203-native"][7] == "native/E:ANMDS.TTF"
    assert rows["escpos-4inch-native"][7] == "native/GB18030-24"
    assert rows["tspl-300"][1:4] == ["tspl", "300", "1248"]
    assert rows["zpl-203"][1:4] == ["zpl", "203", "832"]
    assert rows["zpl-203"][7] == "Z64|ACS"  # how the image goes: ^GF graphic fields
    assert rows["escpos-80mm"][1:4] == ["escpos", "203", "576"]


def test_profiles_with_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "printers.toml"
    path.write_text('[profiles.shelf]\nbase = "tspl-203"\noffset_x_dots = 24\n', encoding="utf-8")
    assert main(["printers", "profiles", "--profiles", str(path)]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert " 24,0 " in rows["shelf"] and " 0,0 " in rows["tspl-203"]


def test_bad_profiles_file_is_one_line_exit_5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "printers.toml"
    path.write_text("[profiles.tspl-203]\ngap_mm = -2\n", encoding="utf-8")
    assert main(["printers", "profiles", "--profiles", str(path)]) == 5
    err = capsys.readouterr().err
    assert err == f"waybill: error: {path}: [profiles.tspl-203] gap_mm: must be a number from 0 to 100\n"


@pytest.mark.parametrize("name", ["escpos-4inch", "tspl-203"])
def test_decode_writes_numbered_pngs(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    profile = get_profile(name)
    images = [line_art((608, 1040), seed=1), line_art((608, 1040), seed=2)]
    encoded = list(encode_labels(images, profile))
    stream = tmp_path / "job.bin"
    stream.write_bytes(b"".join(label.data for label in encoded) + b"\x1b!?")
    out = tmp_path / "out" / "labels"
    assert main(["decode", str(stream), "-o", str(out), "--profile", name]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["label-0001.png", "label-0002.png"]
    for index, (image, sent) in enumerate(zip(images, encoded, strict=True), start=1):
        with Image.open(out / f"label-{index:04d}.png") as png:
            assert png.mode == "1" and png.width == (832 if name == "escpos-4inch" else 608)
            printed = image.copy()
            for dot in sent.altered_dots:
                printed.putpixel(dot, 255)
            assert png.crop((0, 0, 608, 1040)).tobytes() == printed.tobytes()
    report = capsys.readouterr().out
    assert "label-0002.png" in report and "0 commands not understood" in report


def test_decode_lists_unknown_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stream = tmp_path / "receipt.bin"
    stream.write_bytes(b"\x1b@Total 12.50\n\x1d\x76\x30\x00\x01\x00\x01\x00\xff\x1d\x56\x41\x00")
    assert main(["decode", str(stream), "-o", str(tmp_path)]) == 0
    report = capsys.readouterr().out.splitlines()
    assert report[-2:] == [
        "1 label (escpos); 1 command not understood",
        "  offset 2: text (not rendered) [54 6f 74 61 6c 20 31 32 2e 35 30]",
    ]
    assert (tmp_path / "label-0001.png").exists()


def test_decode_forced_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stream = tmp_path / "label.tspl"
    stream.write_bytes(b"CLS\r\nBITMAP 0,0,1,1,0,\x00\r\nPRINT 1,1\r\n")
    assert main(["decode", str(stream), "-o", str(tmp_path / "a"), "--lang", "escpos"]) == 0
    assert "0 labels (escpos)" in capsys.readouterr().out
    assert main(["decode", str(stream), "-o", str(tmp_path / "b"), "--lang", "tspl"]) == 0
    assert "1 label (tspl); 0 commands not understood" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["decode", "{tmp}/absent.bin", "-o", "{tmp}/out"], 2, "cannot read {tmp}/absent.bin"),
        (["decode", "{tmp}/job.bin", "-o", "{tmp}/job.bin"], 2, "cannot create the output directory {tmp}/job.bin"),
        (["decode", "{tmp}/job.bin", "-o", "{tmp}/out", "--profile", "zebra"], 5, "unknown printer profile 'zebra'"),
    ],
)
def test_decode_user_mistakes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    (tmp_path / "job.bin").write_bytes(b"\x1b@")
    assert main([arg.format(tmp=tmp_path) for arg in argv]) == code
    err = capsys.readouterr().err
    assert err.startswith(f"waybill: error: {message.format(tmp=tmp_path)}") and "Traceback" not in err
