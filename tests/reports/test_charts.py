"""The server-rendered SVG charts (reports/charts.py): escaping, empty and zero series, long
labels, suppressed values, numbers in the reader's language, accessibility, well-formed XML and
speed. No database."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from hypothesis import given
from hypothesis import strategies as st

from reports.charts import (
    LABEL_CHARS,
    LABEL_WIDTH,
    MAX_X_LABELS,
    VALUE_WIDTH,
    WIDTH,
    bar_chart,
    column_chart,
    stacked_bar_chart,
)
from tests.reports.hypothesis_settings import QUICK

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & \'quoted\' "double"'
CHARTS = {
    "bar": lambda rows, **kw: bar_chart(rows, **kw),
    "column": lambda rows, **kw: column_chart(rows, **kw),
    "stacked": lambda rows, **kw: stacked_bar_chart(
        [(label, [value, value]) for label, value in rows], series=["Women", "Girls"], **kw
    ),
}


def parsed(svg: str) -> ET.Element:
    """The chart as XML (fails on anything not well-formed). The standard library's parser, as
    a browser's SVG would be read; the input is the code under test's output, no DTD."""
    return ET.fromstring(svg)  # noqa: S314  # nosec B314


def _of_class(root: ET.Element, tag: str, css_class: str) -> list[ET.Element]:
    """Every `tag` element of that class, its own or its group's (<g class=...>), in order."""
    found: list[ET.Element] = []

    def walk(element: ET.Element, inherited: set[str]) -> None:
        classes = inherited | set((element.get("class") or "").split())
        if element.tag == f"{SVG}{tag}" and css_class in classes:
            found.append(element)
        for child in element:
            walk(child, classes)

    walk(root, set())
    return found


def texts(root: ET.Element, css_class: str) -> list[str]:
    """The text of every <text> of that class (or in a group of it), without its <title>'s."""
    found = []
    for element in _of_class(root, "text", css_class):
        title = element.find(f"{SVG}title")
        found.append((title.tail if title is not None else element.text) or "")
    return found


def bars(root: ET.Element) -> list[ET.Element]:
    return _of_class(root, "rect", "chart-bar")


# -- escaping and well-formedness ---------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_hostile_labels_titles_and_markers_are_escaped(kind: str) -> None:
    svg = CHARTS[kind](
        [(HOSTILE, 3), ("Goma", 7)], title=HOSTILE, unit_label=HOSTILE, html_id='x" onload="alert(1)'
    )
    assert "<script" not in svg and 'onload="' not in svg
    root = parsed(svg)
    assert root.find(f"{SVG}title").text == HOSTILE  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == HOSTILE  # type: ignore[union-attr]
    assert HOSTILE[: LABEL_CHARS - 1] in "".join(root.itertext())
    assert root.get("aria-labelledby") == 'x" onload="alert(1)-title'


def test_a_hostile_suppression_marker_is_escaped() -> None:
    root = parsed(bar_chart([("Bunia", "<b>5</b>")], title="t", unit_label="u"))
    assert texts(root, "chart-suppressed") == ["<b>5</b>"]


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_characters_xml_refuses_are_dropped(kind: str) -> None:
    svg = CHARTS[kind]([("Bu\x00ni\x1ba\ufffe", 3)], title="T\x07itle", unit_label="u\x0b")
    root = parsed(svg)
    assert root.find(f"{SVG}title").text == "Title"  # type: ignore[union-attr]
    assert "Bunia" in "".join(root.itertext())


@given(
    rows=st.lists(
        st.tuples(st.text(max_size=40), st.one_of(st.integers(0, 10**9), st.sampled_from(["<5", "<3", "x"]))),
        max_size=30,
    ),
    title=st.text(max_size=40),
)
@QUICK
def test_any_labels_and_values_make_well_formed_svg(rows: list[tuple[str, int | str]], title: str) -> None:
    for kind, draw in CHARTS.items():
        root = parsed(draw(rows, title=title, unit_label=title, html_id="c"))
        assert root.get("role") == "img", kind


# -- empty, zero, suppressed, long, large ---------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_an_empty_series_says_no_data(kind: str) -> None:
    root = parsed(CHARTS[kind]([], title="Incidents by month", unit_label="Incidents"))
    assert texts(root, "chart-empty") == ["No data"]
    assert not bars(root)


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_a_series_of_zeros_draws_no_bar_and_shows_its_zeros(kind: str) -> None:
    root = parsed(CHARTS[kind]([("Bunia", 0), ("Goma", 0)], title="t", unit_label="u"))
    assert not bars(root)
    assert texts(root, "chart-value") == ["0", "0"]
    assert "nan" not in ET.tostring(root, encoding="unicode").lower()


def test_a_suppressed_value_draws_no_bar_but_shows_its_text() -> None:
    root = parsed(bar_chart([("Bunia", "<5"), ("Goma", 12)], title="t", unit_label="u"))
    assert len(bars(root)) == 1
    assert texts(root, "chart-suppressed") == ["<5"]
    assert texts(root, "chart-value") == ["<5", "12"]


def test_only_suppressed_values_draw_no_bar() -> None:
    root = parsed(column_chart([("2026-01", "<5"), ("2026-02", "x")], title="t", unit_label="u"))
    assert not bars(root)
    assert texts(root, "chart-suppressed") == ["<5", "x"]


def test_a_long_label_is_cut_with_the_whole_of_it_in_a_title() -> None:
    long = "Protection of Civilians site, Bunia, Djugu territory, Ituri province"
    root = parsed(bar_chart([(long, 4), ("Goma", 9)], title="t", unit_label="u"))
    labels = _of_class(root, "text", "chart-label")
    title = labels[0].find(f"{SVG}title")
    assert title is not None and title.text == long
    assert title.tail == long[: LABEL_CHARS - 1] + "…"
    assert labels[1].find(f"{SVG}title") is None and labels[1].text == "Goma"


def test_large_numbers_are_grouped_and_bars_scale_to_the_largest() -> None:
    with translation.override("en"):
        root = parsed(bar_chart([("a", 1_234_567), ("b", 1), ("c", 617_284)], title="t", unit_label="u"))
    assert texts(root, "chart-value") == ["1,234,567", "1", "617,284"]
    widths = [int(rect.get("width", "")) for rect in bars(root)]
    assert widths == [WIDTH - LABEL_WIDTH - VALUE_WIDTH, 1, (WIDTH - LABEL_WIDTH - VALUE_WIDTH) // 2]


def test_numbers_in_french() -> None:
    with translation.override("fr"):
        svg = bar_chart([("Bunia", 1_234_567), ("Goma", 12_345)], title="t", unit_label="u")
        expected = [number_format(1_234_567, force_grouping=True), number_format(12_345, force_grouping=True)]
    assert texts(parsed(svg), "chart-value") == expected
    assert expected[0] not in ("1234567", "1,234,567") and "," not in expected[0]


@given(value=st.integers(0, 10**15), language=st.sampled_from([code for code, _ in settings.LANGUAGES]))
@QUICK
def test_numbers_are_written_as_number_format_writes_them(value: int, language: str) -> None:
    with translation.override(language):
        shown = texts(parsed(bar_chart([("a", value)], title="t", unit_label="u")), "chart-value")
        assert shown == [number_format(value, force_grouping=True)]


def test_a_negative_or_non_count_value_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        bar_chart([("a", -1)], title="t", unit_label="u")
    with pytest.raises(TypeError):
        bar_chart([("a", True)], title="t", unit_label="u")
    with pytest.raises(TypeError):
        column_chart([("a", 1.5)], title="t", unit_label="u")  # type: ignore[list-item]


# -- accessibility and styling --------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_named_by_its_title_scaled_by_its_viewbox(kind: str) -> None:
    root = parsed(CHARTS[kind]([("Bunia", 3)], title="Incidents by office", unit_label="Incidents"))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == title.get("id") and title.text == "Incidents by office"
    assert root.get("aria-describedby") == desc.get("id") and desc.text == "Incidents"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", ""))
    assert root.get("width") is None and root.get("height") is None


def test_charts_on_one_page_get_distinct_ids() -> None:
    first = parsed(bar_chart([("a", 1)], title="t", unit_label="u"))
    second = parsed(bar_chart([("a", 1)], title="t", unit_label="u"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


@pytest.mark.parametrize("kind", sorted(CHARTS))
def test_colours_come_from_the_stylesheet(kind: str) -> None:
    """No style attribute (the CSP allows none) and no colour in the markup; the classes that
    carry colour are in app.css, with a forced-colours and a print rule."""
    svg = CHARTS[kind]([("Bunia", 3), ("Goma", 9)], title="t", unit_label="u")
    assert "style=" not in svg and "fill=" not in svg and "stroke=" not in svg and "<script" not in svg
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    for name in set(re.findall(r"chart-(?:bar|axis|grid|series-\d)", svg)):
        assert f".{name}" in css, name
    assert "@media (forced-colors: active)" in css and ".chart .chart-bar" in css


# -- columns ----------------------------------------------------------------------------------------
def test_column_labels_are_thinned_when_there_are_many() -> None:
    months = [(f"{2024 + i // 12}-{i % 12 + 1:02d}", i) for i in range(36)]
    root = parsed(column_chart(months, title="t", unit_label="u"))
    shown = texts(root, "chart-label")
    assert 1 < len(shown) <= MAX_X_LABELS
    assert shown[0] == "2024-01" and shown[1] == "2024-04"
    # Values above 24 columns would overlap: each column keeps its value in its <title>.
    assert texts(root, "chart-value") == []
    assert [rect.findtext(f"{SVG}title") for rect in bars(root)][:2] == ["2024-02: 1", "2024-03: 2"]


def test_a_year_of_months_shows_every_label_and_value() -> None:
    months = [(f"2026-{m:02d}", m * 100) for m in range(1, 13)]
    root = parsed(column_chart(months, title="t", unit_label="u"))
    assert texts(root, "chart-label") == [label for label, _ in months]
    assert texts(root, "chart-value")[-1] == "1,200"  # English is the default language
    heights = [float(rect.get("height", "")) for rect in bars(root)]
    assert heights == sorted(heights) and heights[-1] == max(heights)


# -- stacked ---------------------------------------------------------------------------------------
def test_stacked_bars_have_a_legend_segments_and_totals() -> None:
    rows: list[tuple[str, list[int | str]]] = [("Bunia", [3, 5, "<5", 0]), ("Goma", [10, 2, 1, 7])]
    root = parsed(
        stacked_bar_chart(rows, series=["Women", "Girls", "Men", "Boys"], title="t", unit_label="u")
    )
    assert texts(root, "chart-legend") == ["Women", "Girls", "Men", "Boys"]
    titles = [rect.findtext(f"{SVG}title") for rect in bars(root)]
    assert titles == [
        "Bunia, Women: 3",
        "Bunia, Girls: 5",
        "Goma, Women: 10",
        "Goma, Girls: 2",
        "Goma, Men: 1",
        "Goma, Boys: 7",
    ]
    assert texts(root, "chart-value") == ["Men: <5", "20"]


def test_stacked_rows_need_one_value_per_series() -> None:
    with pytest.raises(ValueError, match="one value per series"):
        stacked_bar_chart([("Bunia", [1, 2])], series=["Women"], title="t", unit_label="u")


# -- speed -----------------------------------------------------------------------------------------
def test_a_dashboard_of_charts_is_drawn_in_a_few_milliseconds() -> None:
    """12 charts of 20 bars: about 0.7 ms of CPU here (measured with timeit, see the report);
    the bound is loose, to catch a template or format_html per bar, not a busy machine."""
    rows = [(f"Field office number {i}", i * 1234) for i in range(20)]
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for index in range(12):
            bar_chart(rows, title="Incidents by office", unit_label="Incidents", html_id=f"c{index}")
        best = min(best, time.process_time() - started)
    assert best < 0.010, f"{best * 1000:.2f} ms"
