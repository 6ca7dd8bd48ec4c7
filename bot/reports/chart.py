"""A PNG bar chart of roadmap progress per school, for phones: one bar per school."""

from __future__ import annotations

import io


def progress_chart_png(rows: list[tuple[str, int, int]]) -> bytes:
    """rows: (school, accepted, total). Bars show the accepted share, labelled «7/25»."""
    from matplotlib import pyplot

    figure = build_progress_figure(rows)
    try:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)


def build_progress_figure(rows: list[tuple[str, int, int]]):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    from matplotlib import pyplot

    names = [name for name, _, _ in rows][::-1]
    shares = [(done / total * 100 if total else 0.0) for _, done, total in rows][::-1]
    labels = [f"{done}/{total}" for _, done, total in rows][::-1]
    height = max(2.5, 0.45 * len(rows) + 1.2)
    figure, axes = pyplot.subplots(figsize=(6.4, height), dpi=120)
    bars = axes.barh(names, shares, color="#2e7d32")
    axes.set_xlim(0, 100)
    axes.set_xlabel("Принято мероприятий, %")
    axes.set_title("Выполнение дорожных карт")
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
