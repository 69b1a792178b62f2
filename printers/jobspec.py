"""What a print job needs to render its labels again, exactly as the first run did: the template and shop
profile texts (not their paths: the files may change before a resume), the layout options and the clock."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from waybill.fonts import load_font
from waybill.fonts.cells import resident_font
from waybill.layout.engine import LayoutOptions
from waybill.pipeline import LabelJob
from waybill.shop import parse_shop
from waybill.template import resolve_template
from waybill.template_parse import parse_template

__all__ = [
    "JobSettings",
]


@dataclass(frozen=True)
class JobSettings:
    template_source: str
    template_text: str
    shop_source: str | None
    shop_text: str | None
    font: str | None
    dpi: int
    mask: bool
    printed_at: str | None
    now: str
    resident_font: str | None = None  # a native profile's printer font the labels are fitted to

    @classmethod
    def capture(
        cls,
        template: str,
        shop: Path | None,
        font: Path | None,
        options: LayoutOptions,
        now: datetime,
        *,
        resident_font: str | None = None,
    ) -> JobSettings:
        template_path = resolve_template(template)
        return cls(
            template_source=str(template_path),
            template_text=template_path.read_text(encoding="utf-8"),
            shop_source=str(shop) if shop else None,
            shop_text=shop.read_text(encoding="utf-8") if shop else None,
            font=str(font.resolve()) if font else None,
            dpi=options.dpi,
            mask=options.mask,
            printed_at=options.printed_at.isoformat() if options.printed_at else None,
            now=now.isoformat(),
            resident_font=resident_font,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> JobSettings:
        return cls(**json.loads(text))

    def label_job(self) -> LabelJob:
        shop = parse_shop(self.shop_text, self.shop_source or "shop") if self.shop_text is not None else None
        outline = load_font(Path(self.font) if self.font else None)
        return LabelJob(
            template=parse_template(tomllib.loads(self.template_text), self.template_source),
            font=resident_font(self.resident_font, outline) if self.resident_font else outline,
            options=LayoutOptions(
                dpi=self.dpi,
                mask=self.mask,
                shop=shop,
                printed_at=datetime.fromisoformat(self.printed_at) if self.printed_at else None,
            ),
            now=datetime.fromisoformat(self.now),
        )
