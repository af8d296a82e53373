"""The console's charts as server-rendered SVG: plain functions from figures to a document, no I/O.

Hand-written on purpose: no small, well-kept Python library renders accessible, dependency-free SVG
(matplotlib and pygal are large, pygal's charts need its script for their tooltips, and neither writes a
``<title>``/``<desc>`` and labelled marks). A chart here is a few hundred bytes per bar, needs no script,
and reads on a phone: it scales by its ``viewBox``, its colours are the Okabe-Ito palette (told apart by
colour-blind readers) and every bar carries its value in an ``aria-label`` and a tooltip. Text is
Vietnamese unless ``lang="en"``.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

Lang = Literal["vi", "en"]

# Okabe & Ito's colour-blind-safe palette, yellow left out (too pale on white).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
MARKER_COLOUR = "#000000"
SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 440
PLOT_HEIGHT = 200
FONT = 13
MARGIN_LEFT, MARGIN_RIGHT = 52, 10

_TEXT: dict[str, dict[Lang, str]] = {
    "no_data": {"vi": "Chưa có dữ liệu", "en": "No data yet"},
    "weekly_title": {"vi": "Sự cố mỗi tuần theo cụm", "en": "Incidents per week by cluster"},
    "weekly_axis": {"vi": "Số sự cố", "en": "Incidents"},
    "incidents": {"vi": "sự cố", "en": "incidents"},
    "weeks": {"vi": "tuần", "en": "weeks"},
    "to": {"vi": "đến", "en": "to"},
    "ack_title": {"vi": "Thời gian xác nhận theo cụm", "en": "Time to acknowledge by cluster"},
    "ack_axis": {"vi": "Phút", "en": "Minutes"},
    "median": {"vi": "Trung vị", "en": "Median"},
    "p90": {"vi": "Phân vị 90", "en": "90th percentile"},
    "minutes": {"vi": "phút", "en": "min"},
    "none_acknowledged": {"vi": "chưa có", "en": "none"},
    "support_title": {"vi": "Chương trình hỗ trợ theo năm học", "en": "Support program by school year"},
    "total": {"vi": "Tổng", "en": "Total"},
    "department": {"vi": "Sở trực tiếp", "en": "Department"},
    "cluster": {"vi": "Cụm", "en": "Cluster"},
}
KIND_LABELS: dict[str, dict[Lang, str]] = {
    "money": {"vi": "Tiền", "en": "Money"},
    "goods": {"vi": "Hàng hoá", "en": "Goods"},
    "equipment": {"vi": "Thiết bị", "en": "Equipment"},
    "professional": {"vi": "Chuyên môn", "en": "Professional support"},
    "training": {"vi": "Tập huấn", "en": "Training"},
}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def text(key: str, lang: Lang) -> str:
    return _TEXT[key][lang]


def cluster_label(cluster_no: int | None, lang: Lang = "vi") -> str:
    """``Cụm 3``; None: the communes the Department directs itself."""
    return text("department", lang) if cluster_no is None else f"{text('cluster', lang)} {cluster_no}"


def kind_label(kind: str, lang: Lang = "vi") -> str:
    return KIND_LABELS.get(kind, {}).get(lang, kind)


def week_label(monday: date, lang: Lang = "vi") -> str:
    """A week named by its Monday: ``23/11`` (or ``Nov 23``)."""
    return (
        f"{monday.day:02d}/{monday.month:02d}"
        if lang == "vi"
        else f"{_MONTHS_EN[monday.month - 1]} {monday.day}"
    )


def number(value: float, lang: Lang = "vi", *, decimals: int = 0) -> str:
    """``1.234,5`` in Vietnamese, ``1,234.5`` in English."""
    written = f"{value:,.{decimals}f}"
    return written.translate(str.maketrans(",.", ".,")) if lang == "vi" else written


@dataclass(frozen=True)
class Series:
    """One coloured set of bars: its legend label and one value per category."""

    name: str
    values: Sequence[float]


@dataclass(frozen=True)
class AcknowledgementTimes:
    """One cluster's minutes from report to acknowledgement; None when nothing was acknowledged."""

    group: str
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class Money:
    """How VND amounts are written on an axis: in millions or billions when they are large."""

    divisor: int
    unit: dict[Lang, str]

    @staticmethod
    def for_largest(largest: float) -> Money:
        if largest >= 1e9:
            return Money(10**9, {"vi": "Tỷ đồng", "en": "Billion VND"})
        if largest >= 1e6:
            return Money(10**6, {"vi": "Triệu đồng", "en": "Million VND"})
        return Money(1, {"vi": "Đồng", "en": "VND"})


def nice_scale(largest: float, *, integers: bool) -> tuple[float, float]:
    """(top of the axis, step between ticks): 4 to 5 ticks of 1, 2 or 5 times a power of ten."""
    if largest <= 0:
        return (1.0, 1.0)
    raw = largest / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if integers:
        step = max(1.0, math.ceil(step))
    return (math.ceil(largest / step) * step, step)


class _Canvas:
    """One SVG document: title, description, legend, axes, then the marks."""

    def __init__(
        self, *, chart_id: str, title: str, desc: str, lang: Lang, legend: Sequence[tuple[str, str]]
    ):
        self.chart_id = chart_id
        self.legend_rows = _legend_rows([name for name, _ in legend])
        self.plot_top = 50 + 20 * len(self.legend_rows)  # room for the axis' unit above the plot
        self.root = ET.Element(
            "svg",
            {
                "xmlns": SVG_NS,
                "viewBox": "",  # set when the height is known
                "width": "100%",
                "style": "max-width:100%;height:auto",
                "role": "graphics-document document",
                "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
                "lang": lang,
                "font-family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                "font-size": str(FONT),
            },
        )
        ET.SubElement(self.root, "title", {"id": f"{chart_id}-title"}).text = title
        ET.SubElement(self.root, "desc", {"id": f"{chart_id}-desc"}).text = desc
        heading = ET.SubElement(
            self.root, "text", {"x": "0", "y": "16", "font-size": "15", "font-weight": "bold"}
        )
        heading.text = title
        heading.set("aria-hidden", "true")  # the <title> already says it
        self.legend = ET.SubElement(self.root, "g", {"class": "legend", "role": "list"})
        colours = dict(legend)
        for row_index, row in enumerate(self.legend_rows):
            x = 0.0
            for name in row:
                item = ET.SubElement(self.legend, "g", {"role": "listitem", "aria-label": name})
                y = 30 + 20 * row_index
                if colours[name] == "marker":
                    _line(item, x, y + 6, x + 14, y + 6, width=3, cls="legend-marker")
                else:
                    _rect(item, x, y, 14, 12, colours[name], cls="legend-swatch")
                label = ET.SubElement(item, "text", {"x": f"{x + 18:.1f}", "y": f"{y + 11}"})
                label.text = name
                x += _text_width(name) + 34

    def finish(self, height: float) -> str:
        self.root.set("viewBox", f"0 0 {WIDTH} {math.ceil(height)}")
        return ET.tostring(self.root, encoding="unicode")


def _legend_rows(names: Sequence[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    width = WIDTH + 1.0
    for name in names:
        needed = _text_width(name) + 34
        if width + needed > WIDTH:
            rows.append([])
            width = 0.0
        rows[-1].append(name)
        width += needed
    return rows


def _text_width(label: str) -> float:
    return 0.58 * FONT * len(label)


def _rect(
    parent: ET.Element, x: float, y: float, w: float, h: float, fill: str, *, cls: str, **more: str
) -> ET.Element:
    """A rectangle; ``more`` are further attributes (``aria-label`` and ``data-*`` passed as ``**{...}``)."""
    attributes = {"x": f"{x:.2f}", "y": f"{y:.2f}", "width": f"{w:.2f}", "height": f"{h:.2f}", "fill": fill}
    return ET.SubElement(parent, "rect", {**attributes, "class": cls, **more})


def _line(parent: ET.Element, x1: float, y1: float, x2: float, y2: float, *, width: float, cls: str) -> None:
    ET.SubElement(
        parent,
        "line",
        {
            "x1": f"{x1:.2f}",
            "y1": f"{y1:.2f}",
            "x2": f"{x2:.2f}",
            "y2": f"{y2:.2f}",
            "stroke": MARKER_COLOUR,
            "stroke-width": str(width),
            "class": cls,
        },
    )


def _empty(chart_id: str, title: str, lang: Lang) -> str:
    canvas = _Canvas(chart_id=chart_id, title=title, desc=text("no_data", lang), lang=lang, legend=())
    note = ET.SubElement(
        canvas.root,
        "text",
        {
            "x": str(WIDTH // 2),
            "y": str(canvas.plot_top + PLOT_HEIGHT // 2),
            "text-anchor": "middle",
            "class": "empty",
        },
    )
    note.text = text("no_data", lang)
    return canvas.finish(canvas.plot_top + PLOT_HEIGHT)


@dataclass(frozen=True)
class _Axis:
    """The value axis: where a value lands, and how its ticks read."""

    top: float
    step: float
    plot_top: float
    label: Callable[[float], str]

    def y(self, value: float) -> float:
        return self.plot_top + PLOT_HEIGHT * (1 - value / self.top)

    def height(self, value: float) -> float:
        return PLOT_HEIGHT * value / self.top

    def draw(self, root: ET.Element, title: str) -> None:
        axis = ET.SubElement(root, "g", {"class": "axis", "aria-hidden": "true", "fill": "#333"})
        ticks = round(self.top / self.step)
        for index in range(ticks + 1):
            value = index * self.step
            y = self.y(value)
            ET.SubElement(
                axis,
                "line",
                {
                    "x1": str(MARGIN_LEFT),
                    "x2": str(WIDTH - MARGIN_RIGHT),
                    "y1": f"{y:.2f}",
                    "y2": f"{y:.2f}",
                    "stroke": "#ccc" if index else "#333",
                    "stroke-width": "1",
                },
            )
            tick = ET.SubElement(
                axis, "text", {"x": str(MARGIN_LEFT - 6), "y": f"{y + 4:.2f}", "text-anchor": "end"}
            )
            tick.text = self.label(value)
        unit = ET.SubElement(axis, "text", {"x": "0", "y": f"{self.plot_top - 8:.2f}", "font-size": "12"})
        unit.text = title


def _category_labels(root: ET.Element, categories: Sequence[str], slot: float, baseline: float) -> float:
    """The labels under the bars, slanted when they would touch; returns the height they take."""
    slanted = max(map(_text_width, categories)) > slot - 4
    labels = ET.SubElement(root, "g", {"class": "categories", "aria-hidden": "true"})
    for index, category in enumerate(categories):
        x = MARGIN_LEFT + slot * (index + 0.5)
        y = baseline + 16
        attributes = {"x": f"{x:.2f}", "y": f"{y:.2f}", "text-anchor": "end" if slanted else "middle"}
        if slanted:
            attributes["transform"] = f"rotate(-40 {x:.2f} {y:.2f})"
        ET.SubElement(labels, "text", attributes).text = category
    return 16 + (0.64 * max(map(_text_width, categories)) if slanted else 4)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    axis_title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    lang: Lang,
    stacked: bool,
    describe: Callable[[float], str],
    tick: Callable[[float], str],
    integers: bool,
    desc: str,
) -> str:
    """Bars per category, one colour per series, stacked or side by side."""
    if not categories or not series or all(v <= 0 for s in series for v in s.values):
        return _empty(chart_id, title, lang)
    colours = [(s.name, PALETTE[i % len(PALETTE)]) for i, s in enumerate(series)]
    canvas = _Canvas(chart_id=chart_id, title=title, desc=desc, lang=lang, legend=colours)
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    largest = max(totals) if stacked else max(v for s in series for v in s.values)
    top, step = nice_scale(largest, integers=integers)
    axis = _Axis(top, step, canvas.plot_top, tick)
    axis.draw(canvas.root, axis_title)
    slot = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / len(categories)
    bar_width = slot * 0.7 if stacked else slot * 0.8 / len(series)
    marks = ET.SubElement(canvas.root, "g", {"class": "bars", "role": "list"})
    for index, category in enumerate(categories):
        below = 0.0
        for number_in_series, (one, (name, colour)) in enumerate(zip(series, colours, strict=True)):
            value = one.values[index]
            if value <= 0:
                continue
            start = below if stacked else 0.0
            x = (
                MARGIN_LEFT
                + slot * index
                + (slot * 0.15 if stacked else slot * 0.1 + bar_width * number_in_series)
            )
            label = f"{name}, {category}: {describe(value)}"
            bar = _rect(
                marks,
                x,
                axis.y(start + value),
                bar_width,
                axis.height(value),
                colour,
                cls="bar",
                role="listitem",
                **{
                    "aria-label": label,
                    "data-value": f"{value:g}",
                    "data-series": name,
                    "data-category": category,
                },
            )
            ET.SubElement(bar, "title").text = label
            below += value if stacked else 0.0
    baseline = canvas.plot_top + PLOT_HEIGHT
    return canvas.finish(baseline + _category_labels(canvas.root, categories, slot, baseline) + 4)


def incidents_per_week_chart(
    weeks: Sequence[date],
    clusters: Sequence[tuple[int | None, Sequence[int]]],
    *,
    lang: Lang = "vi",
    stacked: bool = True,
) -> str:
    """Incidents reported per week (by its Monday), one colour per cluster (None: the Department)."""
    series = [Series(cluster_label(cluster, lang), counts) for cluster, counts in clusters]
    labels = [week_label(monday, lang) for monday in weeks]
    noun = text("incidents", lang)
    totals = "; ".join(f"{s.name}: {number(sum(s.values), lang)}" for s in series)
    span = f"{labels[0]} {text('to', lang)} {labels[-1]}" if labels else ""
    desc = f"{text('weekly_title', lang)}, {len(labels)} {text('weeks', lang)}, {span}. {totals}."
    return bar_chart(
        chart_id="incidents-per-week",
        title=text("weekly_title", lang),
        axis_title=text("weekly_axis", lang),
        categories=labels,
        series=series,
        lang=lang,
        stacked=stacked,
        describe=lambda value: f"{number(value, lang)} {noun}",
        tick=lambda value: number(value, lang),
        integers=True,
        desc=desc,
    )


def support_totals_chart(
    years: Sequence[str], kinds: Sequence[tuple[str, Sequence[int]]], *, lang: Lang = "vi"
) -> str:
    """The support program's value in VND per school year, stacked by kind of contribution."""
    series = [Series(kind_label(kind, lang), values) for kind, values in kinds]
    totals = [sum(s.values[i] for s in series) for i in range(len(years))]
    money = Money.for_largest(max(totals, default=0))
    unit = money.unit[lang]

    def in_unit(value: float) -> str:
        scaled = value / money.divisor
        return number(scaled, lang, decimals=0 if scaled == int(scaled) or money.divisor == 1 else 1)

    desc = (
        f"{text('support_title', lang)} ({unit}). "
        + "; ".join(f"{year}: {in_unit(total)}" for year, total in zip(years, totals, strict=True))
        + "."
    )
    return bar_chart(
        chart_id="support-totals",
        title=text("support_title", lang),
        axis_title=unit,
        categories=years,
        series=series,
        lang=lang,
        stacked=True,
        describe=lambda value: f"{number(value, lang)} {'đồng' if lang == 'vi' else 'VND'}",
        tick=in_unit,
        integers=False,
        desc=desc,
    )


def time_to_acknowledge_chart(rows: Sequence[AcknowledgementTimes], *, lang: Lang = "vi") -> str:
    """Median minutes to acknowledge as a bar per cluster, the 90th percentile as a black marker across it."""
    chart_id, title = "time-to-acknowledge", text("ack_title", lang)
    measured = [row for row in rows if row.median is not None or row.p90 is not None]
    if not measured:
        return _empty(chart_id, title, lang)
    minutes = text("minutes", lang)

    def spoken(value: float | None) -> str:
        if value is None:
            return text("none_acknowledged", lang)
        return f"{number(value, lang, decimals=0 if value == round(value) else 1)} {minutes}"

    desc = (
        f"{title}. "
        + "; ".join(
            f"{row.group}: {text('median', lang)} {spoken(row.median)}, {text('p90', lang)} {spoken(row.p90)}"
            for row in rows
        )
        + "."
    )
    canvas = _Canvas(
        chart_id=chart_id,
        title=title,
        desc=desc,
        lang=lang,
        legend=[(text("median", lang), PALETTE[0]), (text("p90", lang), "marker")],
    )
    largest = max(max(row.median or 0, row.p90 or 0) for row in rows)
    top, step = nice_scale(largest, integers=True)
    axis = _Axis(top, step, canvas.plot_top, lambda value: number(value, lang))
    axis.draw(canvas.root, text("ack_axis", lang))
    slot = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / len(rows)
    marks = ET.SubElement(canvas.root, "g", {"class": "bars", "role": "list"})
    for index, row in enumerate(rows):
        label = (
            f"{row.group}: {text('median', lang)} {spoken(row.median)}, {text('p90', lang)} {spoken(row.p90)}"
        )
        item = ET.SubElement(marks, "g", {"role": "listitem", "aria-label": label})
        ET.SubElement(item, "title").text = label
        x = MARGIN_LEFT + slot * index + slot * 0.2
        if row.median is not None:
            bar = _rect(
                item, x, axis.y(row.median), slot * 0.6, axis.height(row.median), PALETTE[0], cls="bar"
            )
            bar.set("data-value", f"{row.median:g}")
            bar.set("data-category", row.group)
        if row.median is None and row.p90 is None:
            note = ET.SubElement(
                item,
                "text",
                {"x": f"{x + slot * 0.3:.2f}", "y": f"{axis.y(0) - 6:.2f}", "text-anchor": "middle"},
            )
            note.text = text("none_acknowledged", lang)
        if row.p90 is not None:
            y = axis.y(row.p90)
            _line(item, x - slot * 0.08, y, x + slot * 0.68, y, width=3, cls="p90")
            item[-1].set("data-value", f"{row.p90:g}")
    baseline = canvas.plot_top + PLOT_HEIGHT
    return canvas.finish(
        baseline + _category_labels(canvas.root, [row.group for row in rows], slot, baseline) + 4
    )
