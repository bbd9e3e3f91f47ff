"""Charts as inline SVG, drawn here: readable without a script, a font download or a
stylesheet (colours and sizes are presentation attributes, which a strict Content Security
Policy allows), printable by WeasyPrint as by a browser. Every chart is an image with a
title and a description that says in words what the bars show; the page's tables hold the
same figures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from indicator_service.rendering.labels import FULFILMENT, FULFILMENT_COLOURS
from indicator_service.rendering.numbers import NOTHING, amount, number
from indicator_service.vocabulary import Fulfilment

FONT = 'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"'
INK, MUTED, GRID = "#1f2933", "#5f6b7a", "#c9d1d9"
SURPLUS, DEFICIT = "#2e7d32", "#c62828"
TREND = "#1565c0"


@dataclass(frozen=True)
class Stack:
    label: str
    title: str  # the full name, shown as the row's tooltip and in the description
    counts: dict[Fulfilment, int]


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None


def _text(x: float, y: float, content: str, size: int = 11, **attributes: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(v)}"' for name, v in attributes.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" {FONT}{extra}>{escape(content)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{fill}"/>'


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  # every value above is escaped


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def fulfilment_stacks(chart_id: str, title: str, stacks: Sequence[Stack]) -> Markup:
    """One bar per goal or focus area, its indicators stacked by verdict; the bar's length is
    the number of indicators, so a goal with few indicators is not made to look decided."""
    width, label_w, row_h, top = 680, 190, 24, 30
    area = width - label_w - 40
    most = max([sum(s.counts.values()) for s in stacks] + [1])
    body: list[str] = []
    x: float = label_w
    for status in Fulfilment:  # the legend
        body.append(_rect(x, 6, 12, 12, FULFILMENT_COLOURS[status]))
        body.append(_text(x + 16, 16, FULFILMENT[status], 10, fill=INK))
        x += 24 + 6.2 * len(FULFILMENT[status])
    for i, stack in enumerate(stacks):
        y = top + i * row_h
        total = sum(stack.counts.values())
        body.append(f"<g><title>{escape(stack.title)}</title>")
        body.append(
            _text(label_w - 8, y + 15, _short(stack.label, 30), 11, fill=INK, text_anchor="end")
        )
        x = label_w
        for status in Fulfilment:
            count = stack.counts.get(status, 0)
            if not count:
                continue
            w = area * count / most
            body.append(_rect(x, y + 3, w, row_h - 6, FULFILMENT_COLOURS[status]))
            if w >= 14:
                light = status is not Fulfilment.PARTLY_MET
                body.append(
                    _text(
                        x + w / 2,
                        y + 16,
                        str(count),
                        10,
                        fill="#ffffff" if light else INK,
                        text_anchor="middle",
                    )
                )
            x += w
        shown = str(total) if total else "inga indikatorer"
        body.append(_text(x + 6, y + 16, shown, 10, fill=MUTED))
        body.append("</g>")
    height = top + len(stacks) * row_h + 6
    desc = "; ".join(
        f"{s.title}: "
        + (
            ", ".join(f"{s.counts.get(f, 0)} {FULFILMENT[f].lower()}" for f in Fulfilment)
            if sum(s.counts.values())
            else "inga indikatorer"
        )
        for s in stacks
    )
    return _svg(chart_id, width, height, title, desc, body)


def deviation_bars(chart_id: str, title: str, bars: Sequence[Bar], unit: str) -> Markup:
    """Budget minus forecast per activity area around a zero line: a surplus to the right
    in green, a deficit to the left in red; an area without a forecast says so."""
    width, label_w, row_h, top = 680, 230, 22, 8
    area = width - label_w - 20
    zero = label_w + area / 2
    largest = max([abs(b.value) for b in bars if b.value is not None] + [Decimal(1)])
    half = (area / 2) - 90  # room for the figure beside the bar
    body = [
        f'<line x1="{zero:.1f}" y1="{top}" x2="{zero:.1f}" '
        f'y2="{top + len(bars) * row_h}" stroke="{GRID}" stroke-width="1"/>'
    ]
    for i, bar in enumerate(bars):
        y = top + i * row_h
        body.append(
            _text(label_w - 8, y + 15, _short(bar.label, 34), 11, fill=INK, text_anchor="end")
        )
        if bar.value is None:
            body.append(_text(zero + 6, y + 15, "ingen prognos", 10, fill=MUTED))
            continue
        w = float(abs(bar.value) / largest) * half
        figure = f"{amount(bar.value)} {unit}"
        if bar.value >= 0:
            body.append(_rect(zero, y + 3, w, row_h - 6, SURPLUS))
            body.append(_text(zero + w + 4, y + 15, figure, 10, fill=INK))
        else:
            body.append(_rect(zero - w, y + 3, w, row_h - 6, DEFICIT))
            # Beside the zero line, where no bar is: left of the bar it would meet the name.
            body.append(_text(zero + 4, y + 15, figure, 10, fill=INK))
    height = top + len(bars) * row_h + 8
    desc = "; ".join(
        f"{b.label}: " + ("ingen prognos" if b.value is None else f"{number(b.value)} {unit}")
        for b in bars
    )
    return _svg(chart_id, width, height, title, desc, body)


def trend_bars(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    show: Callable[[Decimal | None], str],
    ceiling: Decimal | None = None,
) -> Markup:
    """One bar per tertial of the year so far; a tertial without data says "i.u." (ingen
    uppgift), never a zero bar. `ceiling` fixes the scale (a share: 1)."""
    width, height, left, bottom, top = 320, 190, 12, 28, 22
    plot_h = height - bottom - top
    values = [b.value for b in bars if b.value is not None]
    scale = ceiling if ceiling is not None else max([*values, Decimal(0)])
    scale = scale or Decimal(1)
    slot = (width - 2 * left) / max(len(bars), 1)
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" '
        f'y2="{height - bottom}" stroke="{GRID}" stroke-width="1"/>'
    ]
    for i, bar in enumerate(bars):
        centre = left + slot * (i + 0.5)
        body.append(_text(centre, height - 10, bar.label, 11, fill=INK, text_anchor="middle"))
        if bar.value is None:
            body.append(
                _text(centre, height - bottom - 6, "i.u.", 11, fill=MUTED, text_anchor="middle")
            )
            continue
        h = float(bar.value / scale) * plot_h
        w = min(slot * 0.6, 70)
        body.append(_rect(centre - w / 2, height - bottom - h, w, h, TREND))
        body.append(
            _text(
                centre, height - bottom - h - 5, show(bar.value), 11, fill=INK, text_anchor="middle"
            )
        )
    desc = "; ".join(
        f"{b.label}: {show(b.value) if b.value is not None else 'ingen uppgift'}" for b in bars
    )
    return _svg(chart_id, width, height, title, desc, body)


def shown_or_nothing(show: Callable[[Decimal], str]) -> Callable[[Decimal | None], str]:
    return lambda value: NOTHING if value is None else show(value)
