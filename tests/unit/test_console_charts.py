"""The console's SVG charts, read back as XML: bars proportional to their values, every label there."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest

from services.console.charts.domain import (
    PALETTE,
    AcknowledgementTimes,
    incidents_per_week_chart,
    nice_scale,
    number,
    support_totals_chart,
    time_to_acknowledge_chart,
    week_label,
)
from services.console.charts.queries import weeks_since
from shared.clock import VIETNAM

NS = {"svg": "http://www.w3.org/2000/svg"}
MONDAYS = [date(2026, 11, 2) + timedelta(weeks=n) for n in range(4)]


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - the charts' own output, not input from outside
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//svg:rect[@class='bar']", NS)


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter() if element.text]


def assert_proportional(marks: list[ET.Element], size: str = "height") -> None:
    """Every mark's size over its value is the same (coordinates are written to 2 decimals)."""
    ratios = [float(mark.get(size, "0")) / float(mark.get("data-value", "1")) for mark in marks]
    assert ratios and ratios == pytest.approx([ratios[0]] * len(ratios), rel=2e-3), ratios


def test_weekly_bars_are_stacked_in_proportion_with_labels_in_vietnamese() -> None:
    svg = incidents_per_week_chart(MONDAYS, [(1, [1, 0, 2, 4]), (3, [3, 1, 0, 0]), (None, [0, 0, 1, 0])])
    root = parsed(svg)
    marks = bars(root)
    assert len(marks) == 6  # zeros draw nothing
    assert_proportional(marks)
    assert (
        root.find("svg:title", NS) is not None
        and root.find("svg:title", NS).text == "Sự cố mỗi tuần theo cụm"
    )  # type: ignore[union-attr]
    desc = root.find("svg:desc", NS).text or ""  # type: ignore[union-attr]
    assert "Cụm 1: 7" in desc and "Cụm 3: 4" in desc and "Sở trực tiếp: 1" in desc
    assert root.get("aria-labelledby") == "incidents-per-week-title incidents-per-week-desc"
    assert root.get("lang") == "vi" and root.get("viewBox", "").startswith("0 0 440 ")
    legend = [item.get("aria-label") for item in root.findall(".//svg:g[@class='legend']/svg:g", NS)]
    assert legend == ["Cụm 1", "Cụm 3", "Sở trực tiếp"]
    assert {"02/11", "09/11", "16/11", "23/11"} <= set(texts(root))
    labelled = {mark.get("aria-label") for mark in marks}
    assert "Cụm 1, 23/11: 4 sự cố" in labelled
    # Stacked: a week's segments touch, the lower one's top is the upper one's bottom.
    first_week = [mark for mark in marks if mark.get("data-category") == "02/11"]
    lower, upper = sorted(first_week, key=lambda mark: -float(mark.get("y", "0")))
    assert float(upper.get("y", "0")) + float(upper.get("height", "0")) == pytest.approx(
        float(lower.get("y", "0"))
    )
    assert {mark.get("fill") for mark in marks} == set(PALETTE[:3])


def test_weekly_bars_side_by_side_in_english() -> None:
    root = parsed(
        incidents_per_week_chart(MONDAYS, [(2, [2, 0, 0, 1]), (5, [1, 3, 0, 0])], lang="en", stacked=False)
    )
    marks = bars(root)
    assert_proportional(marks)
    assert root.find("svg:title", NS).text == "Incidents per week by cluster"  # type: ignore[union-attr]
    assert "Nov 2" in texts(root) and "Cluster 5" in {m.get("data-series") for m in marks}
    week_one = sorted(
        (m for m in marks if m.get("data-category") == "Nov 2"), key=lambda m: float(m.get("x", "0"))
    )
    assert float(week_one[0].get("x", "0")) + float(week_one[0].get("width", "0")) <= float(
        week_one[1].get("x", "0")
    )


def test_time_to_acknowledge_draws_median_bars_and_p90_markers_on_one_scale() -> None:
    rows = [
        AcknowledgementTimes("Cụm 1", 12, 40),
        AcknowledgementTimes("Cụm 2", 30, 95.5),
        AcknowledgementTimes("Cụm 3", None, None),
    ]
    root = parsed(time_to_acknowledge_chart(rows))
    medians = bars(root)
    assert [m.get("data-value") for m in medians] == ["12", "30"]
    assert_proportional(medians)
    markers = root.findall(".//svg:line[@class='p90']", NS)
    assert [m.get("data-value") for m in markers] == ["40", "95.5"]
    baseline = float(medians[0].get("y", "0")) + float(medians[0].get("height", "0"))
    per_minute = float(medians[0].get("height", "0")) / 12
    for marker in markers:
        assert baseline - float(marker.get("y1", "0")) == pytest.approx(
            per_minute * float(marker.get("data-value", "0"))
        )
    items = [g.get("aria-label") for g in root.findall(".//svg:g[@class='bars']/svg:g", NS)]
    assert items[1] == "Cụm 2: Trung vị 30 phút, Phân vị 90 95,5 phút"
    assert items[2] == "Cụm 3: Trung vị chưa có, Phân vị 90 chưa có"
    assert "chưa có" in texts(root) and "Phân vị 90" in texts(root)


def test_support_totals_stack_kinds_and_write_amounts_in_billions() -> None:
    years = ["2023-2024", "2024-2025"]
    kinds = [("money", [900_000_000, 1_200_000_000]), ("goods", [300_000_000, 0])]
    root = parsed(support_totals_chart(years, kinds))
    marks = bars(root)
    assert_proportional(marks)
    assert [m.get("data-value") for m in marks] == ["9e+08", "3e+08", "1.2e+09"]
    assert {"Tỷ đồng", "Tiền", "Hàng hoá", "2023-2024"} <= set(texts(root))
    assert "2023-2024: 1,2; 2024-2025: 1,2" in (root.find("svg:desc", NS).text or "")  # type: ignore[union-attr]
    assert "Tiền, 2024-2025: 1.200.000.000 đồng" in {m.get("aria-label") for m in marks}
    english = parsed(support_totals_chart(years, kinds, lang="en"))
    assert {"Billion VND", "Money", "Goods"} <= set(texts(english))


@pytest.mark.parametrize(
    "svg",
    [
        incidents_per_week_chart(MONDAYS, []),
        incidents_per_week_chart(MONDAYS, [(1, [0, 0, 0, 0])]),
        time_to_acknowledge_chart([AcknowledgementTimes("Cụm 1", None, None)]),
        support_totals_chart([], []),
    ],
    ids=["no clusters", "only zeros", "nothing acknowledged", "no years"],
)
def test_empty_data_says_so(svg: str) -> None:
    root = parsed(svg)
    assert bars(root) == []
    assert "Chưa có dữ liệu" in texts(root)
    assert root.find("svg:desc", NS).text == "Chưa có dữ liệu"  # type: ignore[union-attr]


def test_labels_are_escaped_and_scales_are_round() -> None:
    root = parsed(incidents_per_week_chart(MONDAYS, [(1, [1, 0, 0, 0])], lang="en"))
    assert root.find("svg:title", NS) is not None
    svg = time_to_acknowledge_chart([AcknowledgementTimes("<Cụm & 1>", 5, 9)])
    assert "<Cụm & 1>" in texts(parsed(svg)) and "&lt;Cụm &amp; 1&gt;" in svg
    assert nice_scale(7, integers=True) == (8, 2) and nice_scale(0.3, integers=True) == (1, 1)
    assert nice_scale(1_500_000_000, integers=False) == (1_500_000_000, 500_000_000)
    assert nice_scale(1_600_000_000, integers=False) == (2_000_000_000, 500_000_000)
    assert number(1234.5, "vi", decimals=1) == "1.234,5" and number(1234.5, "en", decimals=1) == "1,234.5"
    assert week_label(date(2026, 1, 5), "vi") == "05/01" and week_label(date(2026, 1, 5), "en") == "Jan 5"


def test_the_time_window_starts_on_a_vietnamese_monday() -> None:
    sunday_night_utc = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)  # Monday 30 November, 01:00 in Vinh
    assert weeks_since(sunday_night_utc, 1) == datetime(2026, 11, 30, tzinfo=VIETNAM)
    assert weeks_since(sunday_night_utc, 3) == datetime(2026, 11, 16, tzinfo=VIETNAM)
