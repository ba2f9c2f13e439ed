"""Server-rendered SVG charts (DESIGN §6): no script, no external asset, one string per chart.

Each chart is an inline `<svg role="img">` named by its `<title>` (`aria-labelledby`) and
described by its unit (`aria-describedby`); the figures themselves are read from the data table
the template puts under every chart. Geometry is in viewBox units, so a chart scales with its
box; colours come from the `.chart` classes of static/css/app.css, so a high-contrast theme,
forced colours and print can change them. A value is an int or, for a cell the disclosure control
withheld (reports.disclosure), a string such as "<5": such a bar is not drawn, its text is shown.

Speed: a dashboard draws a dozen charts per request, so a chart is one list of f-strings joined
once (no template, no `format_html` per bar: it costs more than the rest of a bar on this
hardware). Every piece of text goes through `_text`, which removes the characters XML refuses
and escapes the five markup characters like `django.utils.html.escape`; numbers are grouped
with the active locale's separator (`django.utils.formats.number_format`'s rules).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from html import escape

from django.utils.formats import get_format, number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

__all__ = ["Value", "bar_chart", "column_chart", "stacked_bar_chart"]

Value = int | str

WIDTH = 640
# Horizontal bars: the label column, the bars, room for the value text after the longest bar.
LABEL_WIDTH = 200
VALUE_WIDTH = 72
ROW_HEIGHT = 24
BAR_HEIGHT = 16
LABEL_CHARS = 28  # a longer label is cut, and the whole of it given in a <title>
# Columns: the y-axis labels' margin, the plot's height, at most this many x labels.
COLUMN_LEFT = 56
COLUMN_TOP = 24
COLUMN_PLOT_HEIGHT = 160
COLUMN_LABEL_CHARS = 10  # "Sept. 2026", "févr. 2026"
MAX_X_LABELS = 12
MAX_COLUMN_VALUES = 24  # above this, the columns' values would overlap: the table has them
SERIES_CLASSES = 6  # .chart-series-0 .. -5 in app.css; more series reuse them in turn

# Characters XML 1.0 refuses (a hostile label must not break the page's SVG).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ids = itertools.count(1)


def _text(value: object) -> str:
    text = str(value)
    if not text.isprintable():  # the fast test; the pattern only when something may need it
        text = _NOT_XML.sub("", text)
    return escape(text)


def _label(value: object, limit: int) -> str:
    """A label's markup: escaped, cut at `limit` characters with the whole in a <title>."""
    text = str(value)
    if not text.isprintable():
        text = _NOT_XML.sub("", text)
    if len(text) <= limit:
        return escape(text)
    return f"<title>{escape(text)}</title>{escape(text[: limit - 1])}…"


def _number_formatter() -> Callable[[int], str]:
    """Formats ints as `number_format(value, force_grouping=True)` would in the active language,
    with the locale read once per chart rather than once per bar."""
    separator = str(get_format("THOUSAND_SEPARATOR"))
    if get_format("NUMBER_GROUPING") != 3:  # e.g. Indian grouping: let Django do it
        return lambda value: _text(number_format(value, force_grouping=True))
    separator = escape(separator)

    def formatted(value: int) -> str:
        if -1000 < value < 1000:
            return str(value)
        return f"{value:,}".replace(",", separator)

    return formatted


def _checked(value: Value) -> Value:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError("Charts show counts: a value cannot be negative.")
        return value
    raise TypeError(f"A chart value is an int or a suppression marker, not {type(value).__name__}.")


def _open(html_id: str | None, kind: str, height: int, title: str, unit_label: str) -> str:
    """The <svg> element's start, its <title> and <desc> (an f-string: `format_html` would cost
    as much as the bars; every value is escaped by `_text`)."""
    chart_id = _text(html_id or f"chart-{next(_ids)}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" font-size="13">'
        f'<title id="{chart_id}-title">{_text(title)}</title>'
        f'<desc id="{chart_id}-desc">{_text(unit_label)}</desc>'
    )


def _no_data(html_id: str | None, kind: str, title: str, unit_label: str) -> SafeString:
    head = _open(html_id, kind, 48, title, unit_label)
    empty = (
        f'<text class="chart-empty" x="{WIDTH // 2}" y="29" text-anchor="middle">{_text(_("No data"))}</text>'
    )
    return mark_safe(f"{head}{empty}</svg>")  # noqa: S308  # nosec B308 B703  # every value is escaped by _text


def bar_chart(
    rows: Sequence[tuple[str, Value]], *, title: str, unit_label: str, html_id: str | None = None
) -> SafeString:
    """Horizontal bars, one per (label, value), in the given order, the value written after each.

    A string value (a suppressed cell, "<5") draws no bar, only its text. No rows: "No data".
    All zeros: the rows and their "0", no bar. `html_id` names the chart's ids (unique per page;
    a counter when not given)."""
    if not rows:
        return _no_data(html_id, "bar", title, unit_label)
    values = [_checked(value) for _, value in rows]
    largest = max((value for value in values if isinstance(value, int)), default=0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / largest if largest else 0.0
    number = _number_formatter()
    plot_height = len(rows) * ROW_HEIGHT
    height = plot_height + 28
    head = _open(html_id, "bar", height, title, unit_label)
    labels, bars, texts = [], [], []
    top = (ROW_HEIGHT - BAR_HEIGHT) // 2
    for index, ((label, _value), value) in enumerate(zip(rows, values, strict=True)):
        y = index * ROW_HEIGHT
        baseline = y + 17
        labels.append(f'<text x="{LABEL_WIDTH - 8}" y="{baseline}">{_label(label, LABEL_CHARS)}</text>')
        if isinstance(value, str):
            texts.append(
                f'<text class="chart-suppressed" x="{LABEL_WIDTH + 4}" y="{baseline}">{_text(value)}</text>'
            )
            continue
        width = round(value * scale) or (1 if value else 0)  # a count is never drawn as nothing
        if width:
            bars.append(f'<rect x="{LABEL_WIDTH}" y="{y + top}" width="{width}" height="{BAR_HEIGHT}"/>')
        texts.append(f'<text x="{LABEL_WIDTH + width + 4}" y="{baseline}">{number(value)}</text>')
    # Grouped by kind: a group's class and attributes serve all its elements (a lighter page).
    return mark_safe(  # noqa: S308  # nosec B308 B703  # every value is escaped by _text
        f'{head}<line class="chart-axis" x1="{LABEL_WIDTH}" y1="0" x2="{LABEL_WIDTH}" y2="{plot_height}"/>'
        f'<g class="chart-label" text-anchor="end">{"".join(labels)}</g>'
        f'<g class="chart-bar">{"".join(bars)}</g><g class="chart-value">{"".join(texts)}</g>'
        f'<text class="chart-unit" x="{LABEL_WIDTH}" y="{height - 8}">{_text(unit_label)}</text></svg>'
    )


def _x_label_step(count: int) -> int:
    return max(1, math.ceil(count / MAX_X_LABELS))


def column_chart(
    rows: Sequence[tuple[str, Value]], *, title: str, unit_label: str, html_id: str | None = None
) -> SafeString:
    """Vertical columns for a series in time (months), in the given order.

    At most `MAX_X_LABELS` x labels are written (every k-th, from the first); each column's
    value is written above it when there are at most `MAX_COLUMN_VALUES` columns, else in the
    column's <title>. A suppressed value draws no column; its text is always written."""
    if not rows:
        return _no_data(html_id, "column", title, unit_label)
    values = [_checked(value) for _, value in rows]
    largest = max((value for value in values if isinstance(value, int)), default=0)
    scale = COLUMN_PLOT_HEIGHT / largest if largest else 0.0
    number = _number_formatter()
    count = len(rows)
    plot_width = WIDTH - COLUMN_LEFT - 8
    # Whole viewBox units (a float per coordinate costs more to write than the rest of a column).
    column_width = max(1, plot_width * 7 // (10 * count))
    base = COLUMN_TOP + COLUMN_PLOT_HEIGHT
    height = base + 44
    step = _x_label_step(count)
    show_values = count <= MAX_COLUMN_VALUES
    right = WIDTH - 8
    parts = [
        _open(html_id, "column", height, title, unit_label),
        f'<text class="chart-unit" x="0" y="12">{_text(unit_label)}</text>',
        f'<line class="chart-grid" x1="{COLUMN_LEFT}" y1="{COLUMN_TOP}" x2="{right}" y2="{COLUMN_TOP}"/>',
        f'<text class="chart-tick" x="{COLUMN_LEFT - 6}" y="{COLUMN_TOP + 4}" text-anchor="end">'
        f"{number(largest)}</text>",
        f'<line class="chart-axis" x1="{COLUMN_LEFT}" y1="{base}" x2="{right}" y2="{base}"/>',
        f'<text class="chart-tick" x="{COLUMN_LEFT - 6}" y="{base + 4}" text-anchor="end">0</text>',
    ]
    labels, bars, texts = [], [], []
    for index, ((label, _value), value) in enumerate(zip(rows, values, strict=True)):
        middle = COLUMN_LEFT + (2 * index + 1) * plot_width // (2 * count)
        if index % step == 0:
            labels.append(f'<text x="{middle}" y="{base + 18}">{_label(label, COLUMN_LABEL_CHARS)}</text>')
        if isinstance(value, str):
            shown = _text(value)
            texts.append(
                f'<text class="chart-suppressed" x="{middle}" y="{base - 4}">'
                f"<title>{_text(label)}: {shown}</title>{shown}</text>"
            )
            continue
        column_height = round(value * scale) or (1 if value else 0)
        shown = number(value)
        if column_height:
            # Its value in a <title> only when too many columns leave no room to write it.
            tip = "/>" if show_values else f"><title>{_text(label)}: {shown}</title></rect>"
            bars.append(
                f'<rect x="{middle - column_width // 2}" y="{base - column_height}" '
                f'width="{column_width}" height="{column_height}"{tip}'
            )
        if show_values:
            texts.append(f'<text x="{middle}" y="{base - column_height - 4}">{shown}</text>')
    parts.append(
        f'<g class="chart-label" text-anchor="middle">{"".join(labels)}</g>'
        f'<g class="chart-bar">{"".join(bars)}</g>'
        f'<g class="chart-value" text-anchor="middle" font-size="11">{"".join(texts)}</g></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703  # every value is escaped by _text


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[Value]]],
    *,
    series: Sequence[str],
    title: str,
    unit_label: str,
    html_id: str | None = None,
) -> SafeString:
    """Horizontal bars cut into one segment per series (e.g. victims: women, girls, men, boys),
    with a legend above. Each row gives one value per series; the row's total is written after
    the bar, or, when a segment is suppressed, that segment's series and text ("Men: <5"): a
    suppressed segment is not drawn."""
    if not rows:
        return _no_data(html_id, "stacked", title, unit_label)
    checked = [[_checked(value) for value in values] for _, values in rows]
    if any(len(values) != len(series) for values in checked):
        raise ValueError("Each row of a stacked bar chart gives one value per series.")
    largest = max(sum(value for value in values if isinstance(value, int)) for values in checked)
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / largest if largest else 0.0
    number = _number_formatter()
    legend_height = 24
    plot_height = len(rows) * ROW_HEIGHT
    height = legend_height + plot_height + 28
    head = _open(html_id, "stacked", height, title, unit_label)
    parts = [head]
    append = parts.append
    x = LABEL_WIDTH
    for index, name in enumerate(series):
        append(
            f'<rect class="chart-swatch chart-series-{index % SERIES_CLASSES}" x="{x}" y="4" '
            'width="12" height="12"/>'
            f'<text class="chart-legend" x="{x + 16}" y="15">{_label(name, 16)}</text>'
        )
        x += 16 + 8 * min(len(str(name)), 16) + 12
    append(
        f'<line class="chart-axis" x1="{LABEL_WIDTH}" y1="{legend_height}" x2="{LABEL_WIDTH}" '
        f'y2="{legend_height + plot_height}"/>'
    )
    names = [_text(name) for name in series]
    top = (ROW_HEIGHT - BAR_HEIGHT) // 2
    for index, ((label, _values), values) in enumerate(zip(rows, checked, strict=True)):
        y = legend_height + index * ROW_HEIGHT
        row_label = _text(label)
        append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end">'
            f"{_label(label, LABEL_CHARS)}</text>"
        )
        x = LABEL_WIDTH
        for position, value in enumerate(values):
            if isinstance(value, str) or not value:
                continue
            width = max(1, round(value * scale))
            append(
                f'<rect class="chart-bar chart-series-{position % SERIES_CLASSES}" x="{x}" y="{y + top}" '
                f'width="{width}" height="{BAR_HEIGHT}"><title>{row_label}, {names[position]}: '
                f"{number(value)}</title></rect>"
            )
            x += width
        if all(isinstance(value, int) for value in values):
            total = sum(value for value in values if isinstance(value, int))
            append(f'<text class="chart-value" x="{x + 4}" y="{y + 17}">{number(total)}</text>')
        else:
            withheld = ", ".join(
                f"{names[position]}: {_text(value)}"
                for position, value in enumerate(values)
                if isinstance(value, str)
            )
            append(f'<text class="chart-value chart-suppressed" x="{x + 4}" y="{y + 17}">{withheld}</text>')
    append(f'<text class="chart-unit" x="{LABEL_WIDTH}" y="{height - 8}">{_text(unit_label)}</text></svg>')
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703  # every value is escaped by _text
