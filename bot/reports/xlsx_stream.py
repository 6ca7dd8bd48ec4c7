"""An XLSX of text cells written straight into a zip stream: the half-year report's writer.

Why our own and not a library: a country's report is 1.3 million cells. openpyxl's
write-only mode spends ~30 µs a cell on per-cell objects and serialisation, XlsxWriter
(constant_memory) about half of that; both were measured, and both left the country
/report well above its 10 s target (bench/RESULTS.md, «Country XLSX writer»). The report
needs a small part of what they do — inline-string cells in a fixed set of styles, column
widths, one sheet after another — so here a row is one formatted string and a sheet one
deflated zip entry, written as the rows come: nothing but the current chunk in memory and no
temporary file.

The package is what openpyxl wrote for the same report (same parts, same styles: the file a
user opens looks the same); text is cleaned and capped by `cells.xlsx_text`, stored as an
inline string (never a formula or an error value) with Excel's quotePrefix style when it
looks like a formula.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import IO
from xml.sax.saxutils import quoteattr

from bot.reports.cells import xlsx_text


class Style(IntEnum):
    """A cell's look; its quote-prefixed twin is `value + QUOTED` (styles.xml below)."""

    PLAIN = 0
    TITLE = 1  # bold 12, top
    HEADER = 2  # bold, wrapped, top
    SCHOOL = 3  # bold, top, not wrapped: runs over the empty cells to the right
    SECTION = 4  # italic, top, not wrapped
    WRAP = 5  # wrapped, top
    BOLD = 6


QUOTED = len(Style)
# Fonts as openpyxl wrote them: 0 the workbook's Calibri 11 (black: no theme part here), then
# bold 12, bold, italic.
_FONT = {
    Style.PLAIN: 0,
    Style.TITLE: 1,
    Style.HEADER: 2,
    Style.SCHOOL: 2,
    Style.SECTION: 3,
    Style.WRAP: 0,
    Style.BOLD: 2,
}
_ALIGNMENT = {
    Style.TITLE: '<alignment vertical="top"/>',
    Style.HEADER: '<alignment vertical="top" wrapText="1"/>',
    Style.SCHOOL: '<alignment vertical="top"/>',
    Style.SECTION: '<alignment vertical="top"/>',
    Style.WRAP: '<alignment vertical="top" wrapText="1"/>',
}


def _xf(style: Style, quoted: bool) -> str:
    alignment = _ALIGNMENT.get(style, "")
    applied = ' applyAlignment="1"' if alignment else ""
    quote = ' quotePrefix="1"' if quoted else ""
    return (
        f'<xf numFmtId="0" fontId="{_FONT[style]}" fillId="0" borderId="0" xfId="0"'
        f"{applied}{quote}>{alignment}</xf>"
    )


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
STYLES_XML = (
    f'{_DECLARATION}<styleSheet xmlns="{_MAIN}"><fonts count="4">'
    '<font><name val="Calibri"/><family val="2"/><sz val="11"/>'
    '<scheme val="minor"/></font><font><b val="1"/><sz val="12"/></font>'
    '<font><b val="1"/></font><font><i val="1"/></font></fonts>'
    '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/>'
    '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
    '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0"'
    f' borderId="0"/></cellStyleXfs><cellXfs count="{2 * QUOTED}">'
    + "".join(_xf(style, False) for style in Style)
    + "".join(_xf(style, True) for style in Style)
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
_SHEET_START = (
    f'{_DECLARATION}<worksheet xmlns="{_MAIN}"><sheetPr><outlinePr summaryBelow="1"'
    ' summaryRight="1"/><pageSetUpPr/></sheetPr><sheetViews><sheetView workbookViewId="0">'
    '<selection activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
    '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
)
_SHEET_END = (
    '</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5"'
    ' footer="0.5"/></worksheet>'
)
# A cell's s="…" attribute (none for the default look), plain and quote-prefixed.
_STYLE_ATTRIBUTES = {
    style: ("" if style == Style.PLAIN else f' s="{style.value}"', f' s="{style.value + QUOTED}"')
    for style in Style
}
_COLUMNS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FLUSH_ROWS = 500  # rows joined and deflated at a time


class XlsxStream:
    """Sheets written one after another, row by row, into `target` (any binary file, from
    its current position). `close` adds the workbook's parts; `abandon` after a failure."""

    def __init__(self, target: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED)
        self._names: list[str] = []
        self._entry: IO[bytes] | None = None
        self._rows: list[str] = []
        self._row = 0

    def sheet(self, name: str, widths: Sequence[float] = ()) -> None:
        """Start the next sheet (the one before is finished); `widths`: columns A, B, …"""
        self._end_sheet()
        self._names.append(name)
        self._entry = self._zip.open(f"xl/worksheets/sheet{len(self._names)}.xml", "w")
        columns = "".join(
            f'<col width="{width:g}" customWidth="1" min="{n}" max="{n}"/>'
            for n, width in enumerate(widths, start=1)
        )
        self._entry.write(
            (_SHEET_START + (f"<cols>{columns}</cols>" if columns else "") + "<sheetData>").encode()
        )
        self._row = 0

    def append(self, values: Iterable[str], style: Style = Style.PLAIN) -> None:
        """One row of the current sheet: its cells from column A."""
        self._row = row = self._row + 1
        plain, quoted = _STYLE_ATTRIBUTES[style]
        cells = []
        for letter, value in zip(_COLUMNS, values, strict=False):
            text, formula_like = xlsx_text(value)
            styled = quoted if formula_like else plain
            if text:
                space = ' xml:space="preserve"' if text != text.strip() else ""
                if "&" in text or "<" in text or ">" in text:
                    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                cells.append(
                    f'<c r="{letter}{row}"{styled} t="inlineStr"><is><t{space}>{text}</t></is></c>'
                )
            elif styled:  # an empty cell keeps its row's look
                cells.append(f'<c r="{letter}{row}"{styled}/>')
        self._rows.append(f'<row r="{row}">{"".join(cells)}</row>')
        if len(self._rows) >= _FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._rows and self._entry is not None:
            self._entry.write("".join(self._rows).encode())
        self._rows.clear()

    def _end_sheet(self) -> None:
        if self._entry is not None:
            self._flush()
            self._entry.write(_SHEET_END.encode())
            self._entry.close()
            self._entry = None

    def close(self) -> None:
        """The workbook's other parts; the XLSX is complete in the target."""
        self._end_sheet()
        sheets = range(1, len(self._names) + 1)
        parts = {
            "[Content_Types].xml": (
                f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                'content-types"><Default Extension="rels" ContentType="application/'
                'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml"'
                ' ContentType="application/xml"/><Override PartName="/xl/workbook.xml"'
                ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                'sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                + "".join(
                    f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for n in sheets
                )
                + "</Types>"
            ),
            "_rels/.rels": (
                f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1"'
                f' Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
            "xl/workbook.xml": (
                f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/>'
                '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
                + "".join(
                    f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
                    for n, name in zip(sheets, self._names, strict=True)
                )
                + '</sheets><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
            ),
            "xl/_rels/workbook.xml.rels": (
                f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_REL}">'
                + "".join(
                    f'<Relationship Id="rId{n}" Type="{_REL}/worksheet"'
                    f' Target="worksheets/sheet{n}.xml"/>'
                    for n in sheets
                )
                + f'<Relationship Id="rId{len(self._names) + 1}" Type="{_REL}/styles"'
                ' Target="styles.xml"/></Relationships>'
            ),
            "xl/styles.xml": STYLES_XML,
        }
        for name, xml in parts.items():
            self._zip.writestr(name, xml)
        self._zip.close()

    def abandon(self) -> None:
        """After a failure: the zip closed as it is (the target is thrown away)."""
        self._rows.clear()
        if self._entry is not None:
            self._entry.close()
            self._entry = None
        self._zip.close()
