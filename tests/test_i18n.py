"""Messages in Chinese: every message has its translation, the shipped catalogs are current, the language
follows the locale and --lang, and the CLI speaks Chinese under zh_CN."""

from __future__ import annotations

import ast
import gettext
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from waybill.app.cli import main
from waybill.i18n import LOCALE_DIR, language_from_env, normalise_language, set_language
from waybill.orders import MAX_QTY

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("waybill", "printers", "stall_monitor")
PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "waybill.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}  # as in README: pybabel extract -F babel.cfg -k N_ …


def _catalog() -> Catalog:
    with PO.open("rb") as file:
        return read_po(file, locale="zh_CN")


def _extracted() -> set[str | tuple[str, str]]:
    """What Babel extracts from the packages right now (as `pybabel extract` does)."""
    found: set[str | tuple[str, str]] = set()
    for package in PACKAGES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def _calls() -> Iterator[tuple[str, int, ast.Call]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_", "ngettext")
                ):
                    yield str(path.relative_to(ROOT)), node.lineno, node


def _placeholders(text: str) -> set[str]:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    return names | set(re.findall(r"%\((\w+)\)[sdr]", text)) | ({"%s"} if "%s" in text else set())


def test_babel_extracts_every_message_the_code_uses() -> None:
    """A message inside an f-string or built at run time is invisible to extraction, so never translated."""
    extracted = _extracted()
    for path, line, call in _calls():
        literal = [isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args]
        if call.func.id == "ngettext":  # type: ignore[attr-defined]
            assert literal[:2] == [True, True], f"{path}:{line}: ngettext needs literal singular and plural"
            ids = (call.args[0].value, call.args[1].value)  # type: ignore[attr-defined]
            assert ids in extracted, f"{path}:{line}: {ids[0]!r} not extracted (inside an f-string?)"
        elif literal and literal[0]:
            text = call.args[0].value  # type: ignore[attr-defined]
            assert text in extracted, f"{path}:{line}: {text!r} not extracted (inside an f-string?)"
        else:  # _(NAME[key]): the message must be one marked with N_ where it is defined
            assert call.func.id == "_" and not isinstance(call.args[0], ast.JoinedStr), f"{path}:{line}"  # type: ignore[attr-defined]


def test_the_template_is_current() -> None:
    with (LOCALE_DIR / "waybill.pot").open("rb") as file:
        template = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(file) if m.id}
    assert template == _extracted(), "run the pybabel extract / update / compile commands of the README"


def test_every_message_has_its_chinese_translation() -> None:
    catalog = _catalog()
    for message_id in _extracted():
        key = message_id if isinstance(message_id, str) else message_id[0]
        message: Message | None = catalog.get(key)
        assert message is not None, f"no Chinese for {key!r}"
        assert not message.fuzzy, f"fuzzy Chinese for {key!r}"
        strings = tuple(message.string) if isinstance(message.string, tuple | list) else (message.string or "",)
        assert strings and all(strings), f"empty Chinese for {key!r}"
        ids = message_id if isinstance(message_id, tuple) else (message_id,)
        for text in strings:  # a translation keeps every placeholder, so .format() fills it
            assert _placeholders(text) == _placeholders(ids[-1]), (key, text)
    assert not catalog.fuzzy


def test_the_shipped_catalog_is_compiled_from_the_po() -> None:
    """The .mo in the wheel says what the .po says (`pybabel compile` after every change)."""
    with MO.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    for message in _catalog():
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string, message.id
        else:
            assert isinstance(message.string, tuple | list)
            assert compiled.ngettext(message.id[0], message.id[1], 1) == message.string[0], message.id


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),  # LC_ALL wins over LANG
        ({"LANGUAGE": "zh_TW:zh_CN:en", "LANG": "en_US.UTF-8"}, "zh_CN"),  # the first listed we have
        ({"LC_MESSAGES": "zh_SG.UTF-8"}, "zh_CN"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "WAYBILL_LANG": "zh-CN"}, "zh_CN"),  # WAYBILL_LANG overrides the locale
        ({"LANG": "zh_CN.UTF-8", "WAYBILL_LANG": "en"}, "en"),
    ],
)
def test_the_language_follows_the_locale(environ: dict[str, str], language: str) -> None:
    assert language_from_env(environ) == language


def test_language_names() -> None:
    assert [normalise_language(n) for n in ("zh-CN", "zh_CN.UTF-8", "zh", "en_GB", "C", "zh_TW", "fr")] == [
        "zh_CN",
        "zh_CN",
        "zh_CN",
        "en",
        "en",
        None,
        None,
    ]


def test_help_under_zh_cn(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("WAYBILL_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    with pytest.raises(SystemExit):
        main(["stall", "report", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("用法：waybill stall report")
    assert "显示此帮助信息并退出" in out and "Excel 工作簿" not in out and "--section" in out
    assert "CSV：只输出这一部分" in out
    with pytest.raises(SystemExit):
        main(["--lang", "en", "stall", "report", "--help"])  # --lang overrides the locale
    assert "show this help message and exit" in capsys.readouterr().out


def test_errors_under_zh_cn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "w.db")
    assert main(["--lang", "zh-CN", "stall", "scan", "--db", db, "--at", "next tuesday"]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "waybill：错误：--at 'next tuesday' 不是 1970 至 2199 年间的 ISO 8601 时间，例如 2022-12-15T08:00+08:00\n"
    )
    bad = tmp_path / "inv.jsonl"
    bad.write_text('{"order_id": "A1", "requested_at": "2023-01-01 09:00"}\nnot json\n', encoding="utf-8")
    assert main(["--lang", "zh-CN", "invoice", "ingest", str(bad), "--db", db]) == 10
    out = capsys.readouterr()
    assert out.out == f"发票 {bad}：写入开票申请 1 条，工单 0 个，拒收 1 条\n"
    (line,) = out.err.splitlines()  # one line, naming file and line
    assert line == f"拒收：{bad}:2: 不是有效的 JSON（第 1 列：Expecting value）"
    with pytest.raises(SystemExit):
        main(["--lang", "zh-CN", "stall", "report", "--format", "pdf"])
    assert "无效的选项：'pdf'" in capsys.readouterr().err


def test_a_subcommand_lang_is_not_the_global_one(capsys: pytest.CaptureFixture[str]) -> None:
    """`decode --lang zpl` names the stream's language; only --lang before the command is ours."""
    with pytest.raises(SystemExit):
        main(["decode", "--lang", "zpl", "--help"])
    assert "stream language" in capsys.readouterr().out


def test_set_language_switches_messages() -> None:
    from waybill.i18n import _, ngettext

    assert set_language("zh-CN") == "zh_CN"
    assert _("stalled") == "物流停滞" and ngettext("{n} point", "{n} points", 2).format(n=2) == "2 分"
    assert set_language("en") == "en"
    assert ngettext("{n} point", "{n} points", 1).format(n=1) == "1 point"
    assert ngettext("{n} point", "{n} points", 2).format(n=2) == "2 points"


def test_printer_faults_in_chinese() -> None:
    from printers.errors import AlreadyPrintedError
    from printers.status import PrinterStatus

    set_language("zh-CN")
    assert PrinterStatus(paper_end=True, cover_open=True).describe() == "缺纸，机盖打开"
    assert PrinterStatus(online=False).faults == ("离线",)
    error = AlreadyPrintedError({f"SF{n:010d}": 1 for n in range(12)})
    assert str(error).startswith("12 个运单以前已打印：SF0000000000（任务 1），SF0000000001（任务 1），")
    assert "等，另有 2 个；未发送任何内容。" in str(error)
    set_language("en")
    assert PrinterStatus(paper_end=True).describe() == "paper out"


def test_order_problems_in_chinese_name_file_line_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    orders = tmp_path / "orders.jsonl"
    good = '{"order_id": "A1", "carrier": "SF", "recipient": {"name": "张三", "phone": "13800000000", '
    good += '"province": "浙江省", "address": "文一西路 1 号"}, "items": [{"sku": "S", "name": "毛巾", "qty": 1}]}'
    orders.write_text(good.replace('"qty": 1', '"qty": 0').replace('"SF"', '"XX"') + "\n", encoding="utf-8")
    assert main(["--lang", "zh-CN", "render", str(orders), "-t", "100x180", "-o", str(tmp_path / "out")]) == 3
    head, *lines = capsys.readouterr().err.splitlines()
    assert head == "waybill：错误：输入中有 3 个问题；未写出任何内容"
    assert lines[0].startswith(
        f"  {orders}:1: carrier: 未知的快递公司 'XX'；支持：SF, "
    )  # each a line: file:line: field
    assert set(lines[1:]) == {
        f"  {orders}:1: items[0].qty: 必须是 1 到 {MAX_QTY:,} 之间的整数，而不是 0",
        f"  {orders}:1: sender: 缺失，且没有店铺配置（--shop）为这家快递公司提供寄件人",
    }
