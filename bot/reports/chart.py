"""A PNG bar chart of roadmap progress per school, for phones: one bar per school."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported when a picture is drawn (it is slow to import)
    from matplotlib.figure import Figure

from bot import texts

# Telegram refuses photos whose width + height exceed 10,000 px or whose sides differ more than
# 20 times; 60 bars at 120 dpi make about 770 × 3,400 px. Callers pass the schools that matter.
MAX_BARS = 60


def progress_chart_png(rows: list[tuple[str, int, int]]) -> bytes:
    """rows: (school, accepted, total). Bars show the accepted share, labelled «7/25».

    Only the first MAX_BARS rows are drawn (the title says how many were left out).
    """
    from matplotlib import pyplot

    figure = build_progress_figure(rows)
    try:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)


def build_progress_figure(rows: list[tuple[str, int, int]]) -> Figure:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib import pyplot

    left_out = max(0, len(rows) - MAX_BARS)
    rows = rows[:MAX_BARS]
    names = [name for name, _, _ in rows][::-1]
    shares = [(done / total * 100 if total else 0.0) for _, done, total in rows][::-1]
    labels = [f"{done}/{total}" for _, done, total in rows][::-1]
    height = max(2.5, 0.45 * len(rows) + 1.2)
    figure, axes = pyplot.subplots(figsize=(6.4, height), dpi=120)
    bars = axes.barh(names, shares, color="#2e7d32")
    axes.set_xlim(0, 100)
    axes.set_xlabel(texts.CHART_AXIS)
    axes.set_title(texts.chart_title(left_out))
    for bar, label in zip(bars, labels, strict=True):
        axes.text(
            min(bar.get_width() + 1, 88),
            bar.get_y() + bar.get_height() / 2,
            label,
            va="center",
            fontsize=8,
        )
    figure.tight_layout()
    return figure
