"""The public names of the printers package: explicit, and each one there."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "printers.profiles": {
        "BUILTIN_PROFILES",
        "DEFAULT_PROFILE",
        "ImageCommand",
        "LabelEnd",
        "Language",
        "PrinterProfile",
        "get_profile",
        "load_profiles",
        "require_same_dpi",
    },
    "printers.encode": {
        "EncodedLabel",
        "encode_for_session",
        "encode_job",
        "encode_label",
        "encode_label_for_session",
        "encode_labels",
        "session_opening",
    },
    "printers.encode.escpos": {"JOB_START", "encode_job", "encode_label", "label_end"},
    "printers.encode.tspl": {"encode_job", "encode_label", "setup"},
    "printers.encode.tspl_native": {"encode_native_label", "quote"},
    "printers.decode.tspl_draw": {"DRAWING_COMMANDS", "Drawing", "NotDrawn", "parse_drawing"},
    "printers.encode.realtime": {"HAZARD_BIT", "defuse", "find_hazards", "hazard_pattern"},
    "printers.decode": {
        "Command",
        "DecodeResult",
        "DecodedLabel",
        "Decoder",
        "LanguageChoice",
        "UnknownCommand",
        "crop_label",
        "decode",
        "detect_language",
    },
    "printers.languages": {"LANGUAGES", "all_drivers", "driver_for"},
    "printers.layout_fonts": {"layout_font"},
    "printers.languages.base": {
        "AckWhenPrinted",
        "LanguageDriver",
        "LanguageParser",
        "SimAction",
        "StatusBack",
    },
    "printers.languages.escpos": {"DRIVER", "EscposDriver"},
    "printers.languages.tspl": {"DRIVER", "TsplDriver"},
    "printers.languages.zpl": {"DRIVER", "HS_QUERY", "ZplDriver", "ZplResponses", "host_status", "parse_host_status"},
    "printers.encode.zpl": {"encode_job", "encode_label", "graphic_data", "setup"},
    "printers.encode.zpl_graphics": {"acs", "crc16", "unacs", "unz64", "z64"},
    "printers.decode.zpl": {"ZPL_SETUP", "ZplParser"},
    "printers.transports.memory": {"MemoryPrinter"},
    "printers.testing": {"ink", "line_art", "naive_hazards", "noise", "variant"},
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_all_is_explicit_and_complete(module: str) -> None:
    loaded = importlib.import_module(module)
    assert set(loaded.__all__) == PUBLIC[module]
    for name in loaded.__all__:
        assert hasattr(loaded, name), name
