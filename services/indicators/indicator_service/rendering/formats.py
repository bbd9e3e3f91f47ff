"""Which representation of the composed report a request asks for (RFC 9110 §12.5.1): the
JSON, unless the Accept header prefers one of the others by its q-value. A wildcard means
the JSON, so every client that asked for nothing in particular gets what it got before."""

from __future__ import annotations

import enum

from indicator_service.rendering.sheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE


class ReportFormat(enum.StrEnum):
    HTML = "html"
    PDF = "pdf"
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.PDF: "application/pdf",
    ReportFormat.CSV: CSV_MEDIA_TYPE,
    ReportFormat.XLSX: XLSX_MEDIA_TYPE,
}
_BY_TYPE = {media.split(";")[0]: kind for kind, media in MEDIA_TYPES.items()}
_JSON = ("application/json", "application/*", "*/*")


def negotiate(accept: str | None) -> ReportFormat | None:
    """The representation Accept prefers; None for the JSON. Equal q-values keep the order
    the client wrote; types this report has not are ignored."""
    if not accept:
        return None
    best: tuple[float, int, ReportFormat | None] | None = None
    for position, item in enumerate(accept.split(",")):
        media, *parameters = (part.strip() for part in item.split(";"))
        media = media.lower()
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        if media in _BY_TYPE:
            chosen: ReportFormat | None = _BY_TYPE[media]
        elif media in _JSON:
            chosen = None
        else:
            continue
        if best is None or (quality, -position) > (best[0], -best[1]):
            best = (quality, position, chosen)
    return None if best is None else best[2]
