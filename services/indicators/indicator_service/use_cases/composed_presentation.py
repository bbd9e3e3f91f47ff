"""The composed report as a reader asks for it: a page in Swedish, a PDF of that page, CSV or
XLSX, or the JSON with its evaluation texts in Swedish. Each is rendered from the composed
report as the JSON has it (composed_report.document: live, or frozen once approved) and
stored like it, under its own key, so each representation has its own ETag.

The page reads more from the peers than the JSON does: the municipality's and the board's
names for its heading, and the year's earlier procurement tertials for the trend. Their
ETags (or why they are unavailable) join the stored page's variant, so a change there
renders the page again."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from indicator_service.rendering import page, reasons, sheets
from indicator_service.rendering.formats import MEDIA_TYPES, ReportFormat
from indicator_service.schemas_out import ComposedReport
from indicator_service.use_cases import composed_report
from indicator_service.use_cases.composed_report import ComposedDocument, Peers
from municipal_shared.contracts.budget import BoardName, MunicipalityName
from municipal_shared.contracts.procurement import ProcurementMeasurement
from municipal_shared.kit.documents import Rendered
from municipal_shared.kit.peers import PeerReading
from municipal_shared.kit.problems import ProblemError
from municipal_shared.types import Tertial


class PdfRendererMissing(ProblemError):
    status, slug, title = 503, "pdf-renderer-missing", "PDF rendering unavailable"


Convert = Callable[[ComposedReport, page.PageContext], Awaitable[bytes]]


async def document(
    peers: Peers,
    municipality_code: str,
    board_code: str,
    year: int,
    tertial: Tertial,
    representation: ReportFormat,
) -> ComposedDocument:
    base = await composed_report.document(peers, municipality_code, board_code, year, tertial)
    context, validators = page.PageContext(), ""
    if representation in (ReportFormat.HTML, ReportFormat.PDF):
        context, validators = await _page_context(
            peers, municipality_code, board_code, year, tertial
        )
    convert = _CONVERTERS[representation]
    media_type = MEDIA_TYPES[representation]

    async def render(session: AsyncSession) -> Rendered:
        report = ComposedReport.model_validate_json((await base.render(session)).body)
        # Ends the read transaction: the conversion below (seconds for a PDF) holds no
        # pooled connection; storing the result opens a new one.
        await session.rollback()
        return Rendered(await convert(report, context), media_type=media_type)

    return ComposedDocument(_variant(base.variant, representation, validators), render)


async def in_swedish(
    peers: Peers, municipality_code: str, board_code: str, year: int, tertial: Tertial
) -> ComposedDocument:
    """The JSON as it is, its evaluation texts in Swedish (`lang=sv`)."""
    base = await composed_report.document(peers, municipality_code, board_code, year, tertial)

    async def render(session: AsyncSession) -> Rendered:
        report = ComposedReport.model_validate_json((await base.render(session)).body)
        return Rendered.of(reasons.in_swedish(report))

    return ComposedDocument(_variant(base.variant, "sv", ""), render)


def _variant(base: str, representation: str, validators: str) -> str:
    """Bounded whatever the peers answered: the stored document's variant column is."""
    digest = hashlib.blake2b(f"{base}|{validators}".encode(), digest_size=16).hexdigest()
    return f"{representation}:{digest}"


async def _page_context(
    peers: Peers, municipality: str, board: str, year: int, tertial: Tertial
) -> tuple[page.PageContext, str]:
    registry = f"{peers.budget_url}/v1/municipalities/{municipality}"
    earlier = [t for t in Tertial if t.value < tertial.value]
    async with asyncio.TaskGroup() as group:  # every read at once
        names = group.create_task(peers.reader.read(registry, MunicipalityName))
        boards = group.create_task(peers.reader.read(f"{registry}/boards/{board}", BoardName))
        trend = {
            t: group.create_task(
                peers.reader.read(
                    f"{peers.procurement_url}/v1/measurements/{municipality}/{year}/{t}",
                    ProcurementMeasurement,
                )
            )
            for t in earlier
        }
    readings = [names.result(), boards.result(), *(task.result() for task in trend.values())]
    context = page.PageContext(
        municipality_name=_field(names.result()[0], "name"),
        board_name=_field(boards.result()[0], "name"),
        earlier_procurement={t: task.result()[0] for t, task in trend.items()},
    )
    validators = "|".join(etag or f"{r.status}:{r.detail}" for r, etag in readings)
    return context, validators


def _field(reading: PeerReading, name: str) -> str | None:
    return None if reading.data is None else str(reading.data[name])


async def _html(report: ComposedReport, context: page.PageContext) -> bytes:
    return page.html(report, context).encode()


async def _pdf(report: ComposedReport, context: page.PageContext) -> bytes:
    try:  # WeasyPrint takes seconds: in a thread, so the service keeps answering meanwhile
        return await asyncio.to_thread(page.pdf, page.html(report, context))
    except page.PdfUnavailable as exc:
        raise PdfRendererMissing(
            "This host lacks the system libraries (pango) the PDF renderer needs; the page "
            f"itself is available as text/html. ({exc})"
        ) from exc


async def _csv(report: ComposedReport, context: page.PageContext) -> bytes:
    return sheets.csv_text(report).encode()


async def _xlsx(report: ComposedReport, context: page.PageContext) -> bytes:
    return sheets.xlsx(report)


_CONVERTERS: dict[ReportFormat, Convert] = {
    ReportFormat.HTML: _html,
    ReportFormat.PDF: _pdf,
    ReportFormat.CSV: _csv,
    ReportFormat.XLSX: _xlsx,
}
