"""Messages in the reader's language: English (the message ids) or Simplified Chinese (``zh_CN``).

Every layer imports ``_`` (``gettext``) and ``ngettext`` from here; the catalogs are gettext's
(``waybill/locale``, compiled .mo files shipped in the wheel). The language is ``WAYBILL_LANG`` if set, else
the locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English; ``waybill --lang`` calls
``set_language`` over both. Messages use named ``{placeholders}`` filled by ``str.format`` after
translation, so a translation may reorder them. Machine-readable output (JSON keys, CSV/XLSX keys) never
goes through here.
"""

from __future__ import annotations

import argparse
import gettext as gettext_module
import os
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "current_language",
    "gettext",
    "language_from_env",
    "ngettext",
    "normalise_language",
    "set_language",
]

DOMAIN = "waybill"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("en", "zh_CN")

_translations: gettext_module.NullTranslations = gettext_module.NullTranslations()
_language = "en"


def normalise_language(name: str) -> str | None:
    """``zh-CN``, ``zh_CN.UTF-8``, ``zh``, ``zh_Hans`` → ``zh_CN``; ``en_US``, ``C``, ``POSIX`` → ``en``; else None."""
    base = name.split(".")[0].split("@")[0].replace("-", "_").strip()
    lang = base.split("_")[0].lower()
    if lang == "zh" and base.lower() not in ("zh_tw", "zh_hk", "zh_mo", "zh_hant"):
        return "zh_CN"
    if lang == "en" or base.upper() in ("C", "POSIX"):
        return "en"
    return None


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``WAYBILL_LANG``, then the first of gettext's locale variables that is set; English when none names a
    language we have (``LANGUAGE`` may list several, ``zh_TW:en``)."""
    env = os.environ if environ is None else environ
    for variable in ("WAYBILL_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if not value:
            continue
        for name in value.split(":"):
            found = normalise_language(name) if name else None
            if found:
                return found
        if variable != "WAYBILL_LANG":
            return "en"  # the locale names a language we have no catalog for
    return "en"


def set_language(language: str | None = None) -> str:
    """Switch every later message to ``language`` (None: from the environment); returns the one chosen."""
    global _translations, _language
    chosen = normalise_language(language) if language else language_from_env()
    _language = chosen or "en"
    if _language == "en":
        _translations = gettext_module.NullTranslations()
    else:
        _translations = gettext_module.translation(DOMAIN, LOCALE_DIR, languages=[_language])
    return _language


def current_language() -> str:
    return _language


def gettext(message: str) -> str:
    return _translations.gettext(message)


_ = gettext  # the name gettext's tools look for (``from waybill.i18n import _``)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; ``_()`` translates it where it is shown."""
    return message


# argparse's own words (usage, option headings, its errors) come from gettext's global domain: routed to
# our catalog, the help under zh_CN is Chinese throughout. Listed here so extraction finds them.
_ARGPARSE = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
)
argparse._ = _  # type: ignore[attr-defined]
argparse.ngettext = ngettext  # type: ignore[attr-defined]

set_language()
