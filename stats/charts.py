"""Charts drawn on the server as SVG: a heat map, trend lines and bars.

No chart library and no JavaScript: the SVG is part of the page, scales with it, prints, and carries
its own title and description for screen readers; every chart has its numbers in a table beside it.
Colours are the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies), and
the heat map's cells also print their value, so colour is never the only carrier of a number.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
# Light to dark, perceptually even enough: cell text turns white from the fifth step on.
HEAT = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b")
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> SafeString:
    ident = "chart-" + hashlib.sha256(f"{title}|{description}".encode()).hexdigest()[:10]
    return mark_safe(  # noqa: S308 - every text in body went through escape()
        f'<svg class="stats-chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'role="img" aria-labelledby="{ident}-t {ident}-d" {FONT} font-size="12" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _number(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "–"
    decimals = 1 if isinstance(value, float) and value != int(value) else 0
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True) + unit


def month_label(month: datetime.date) -> str:
    return f"{month.month:02d}/{month.year % 100:02d}"


# Heat map -----------------------------------------------------------------------------------------


def heatmap(
    *, title: str, description: str, columns: list[str], rows: list[tuple[str, list[float | None]]]
) -> SafeString:
    """``rows``: (label, one share in % per column, None where there is nobody to count)."""
    label_width, cell_w, cell_h, top = 170, 58, 20, 26
    width = label_width + cell_w * len(columns) + 4
    height = top + cell_h * len(rows) + 4
    body = []
    for index, column in enumerate(columns):
        x = label_width + cell_w * index + cell_w / 2
        body.append(f'<text x="{x}" y="16" text-anchor="middle" font-weight="600">{escape(column)}</text>')
    for row_index, (label, values) in enumerate(rows):
        y = top + cell_h * row_index
        body.append(
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{escape(_clip(label, 26))}</text>'
        )
        for index, value in enumerate(values):
            x = label_width + cell_w * index
            if value is None:
                fill, ink = "#ffffff", "#555555"
            else:
                step = min(len(HEAT) - 1, int(value / 100 * len(HEAT)))
                fill, ink = HEAT[step], "#ffffff" if step >= 5 else "#1a1a1a"
            text = _number(value, "%")
            body.append(
                f"<g><title>{escape(label)} · {escape(columns[index])}: {escape(text)}</title>"
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}" '
                f'stroke="#d0d7de"/>'
                f'<text x="{x + cell_w / 2}" y="{y + 14}" text-anchor="middle" fill="{ink}">'
                f"{escape(text)}</text>"
                "</g>"
            )
    return _svg(width, height, title, description, body)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


# Trend lines --------------------------------------------------------------------------------------


@dataclass
class Series:
    label: str
    values: list[float | int | None]


def lines(
    *, title: str, description: str, months: list[datetime.date], series: list[Series], unit: str = ""
) -> SafeString:
    left, right, top, bottom = 52, 24, 12, 46
    width, plot_h = 640, 200
    plot_w = width - left - right
    height = top + plot_h + bottom
    peak = max([v for s in series for v in s.values if v is not None] + [1])
    if unit == "%":
        peak = 100
    scale = _nice(peak)
    if all(isinstance(v, int) for s in series for v in s.values if v is not None):
        scale = max(scale, 4)  # counts of people: ticks at whole numbers, never 0.25
    body = []
    for tick in range(5):
        value = scale * tick / 4
        y = top + plot_h - plot_h * tick / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y}" y2="{y}" stroke="#e1e4e8"/>')
        body.append(
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" fill="#444">'
            f"{escape(_number(value, unit))}</text>"
        )
    step = plot_w / max(1, len(months) - 1)
    for index, month in enumerate(months):
        x = left + step * index
        if len(months) <= 13 or index % 2 == 0:
            body.append(
                f'<text x="{x}" y="{top + plot_h + 16}" text-anchor="middle" fill="#444">'
                f"{escape(month_label(month))}</text>"
            )
    for index, line in enumerate(series):
        colour, dash = PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]
        points = [
            (left + step * i, top + plot_h - plot_h * v / scale)
            for i, v in enumerate(line.values)
            if v is not None
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
                f'stroke-dasharray="{dash}"/>'
            )
            body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>' for x, y in points)
        lx = left + 150 * index
        body.append(
            f'<line x1="{lx}" x2="{lx + 24}" y1="{height - 10}" y2="{height - 10}" stroke="{colour}" '
            f'stroke-width="2.5" stroke-dasharray="{dash}"/>'
            f'<text x="{lx + 30}" y="{height - 6}">{escape(_clip(line.label, 20))}</text>'
        )
    return _svg(width, height, title, description, body)


def _nice(peak: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``peak``: round axis ticks."""
    magnitude = 10 ** (len(str(int(peak))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= peak:
            return factor * magnitude
    return 10 * magnitude


# Bars ---------------------------------------------------------------------------------------------


def bars(
    *, title: str, description: str, categories: list[str], series: list[str], values: list[list[int]]
) -> SafeString:
    """Horizontal grouped bars: one group per category, its name above it, one bar per series
    (``values[category][series]``)."""
    left, right, bar_h, label_h, gap, top = 4, 70, 10, 16, 10, 4
    width = 640
    plot_w = width - left - right
    group_h = label_h + bar_h * len(series) + gap
    height = top + group_h * len(categories) + 24
    peak = max([v for row in values for v in row] + [1])
    body = []
    for row_index, (category, row) in enumerate(zip(categories, values, strict=True)):
        y = top + group_h * row_index
        body.append(f'<text x="{left}" y="{y + 12}" font-weight="600">{escape(_clip(category, 80))}</text>')
        for index, value in enumerate(row):
            w = plot_w * value / peak
            by = y + label_h + bar_h * index
            body.append(
                f"<g><title>{escape(category)} · {escape(series[index])}: {escape(_number(value))}</title>"
                f'<rect x="{left}" y="{by}" width="{w:.1f}" height="{bar_h - 1}" '
                f'fill="{PALETTE[index % len(PALETTE)]}"/>'
                f'<text x="{left + w + 4:.1f}" y="{by + bar_h - 1}" font-size="10" fill="#444">'
                f"{escape(_number(value))}</text></g>"
            )
    for index, name in enumerate(series):
        lx = left + 140 * index
        body.append(
            f'<rect x="{lx}" y="{height - 16}" width="12" height="12" '
            f'fill="{PALETTE[index % len(PALETTE)]}"/>'
            f'<text x="{lx + 16}" y="{height - 6}">{escape(name)}</text>'
        )
    return _svg(width, height, title, description, body)


def empty(message: str | None = None) -> SafeString:
    return mark_safe(f'<p class="help-block">{escape(message or _("No data for these filters."))}</p>')  # noqa: S308
