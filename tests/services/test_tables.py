"""The generic table reader: encodings, delimiters, merged cells, the header wherever it is."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from bot.services.tables import (
    Limits,
    TableRefused,
    cell_text,
    decode_text,
    find_header,
    read_table,
    sniff_delimiter,
)

COLUMNS = {"number": ("№",), "what": ("мероприят",), "when": ("срок",)}


@pytest.mark.parametrize(
    "content",
    [
        "№;Мероприятие\n1;Педсовет".encode("cp1251"),
        "\ufeff№;Мероприятие\n1;Педсовет".encode(),
        "№;Мероприятие\n1;Педсовет".encode(),
        "№;Мероприятие\n1;Педсовет".encode("utf-16"),
    ],
    ids=["cp1251", "utf-8 bom", "utf-8", "utf-16 bom"],
)
def test_encodings(content: bytes) -> None:
    assert decode_text(content) == "№;Мероприятие\n1;Педсовет"


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Дорожная карта на 2023 год\n№;Мероприятие;Срок\n1;Анализ, отчёт, план;май", ";"),
        ("№,Мероприятие,Срок\n1,Анализ,май\n2,Отчёт,июнь", ","),
        ("№\tМероприятие\n1\tАнализ, отчёт; план", "\t"),
    ],
)
def test_delimiters_by_consistency_not_count(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter


def test_control_characters_and_whitespace_are_cleaned() -> None:
    sheet = read_table("№;Мероприятие\n1;Пед\x00совет \x01  по\u200b итогам\n".encode(), "a.csv")
    assert sheet.rows[1] == ["1", "Педсовет по итогам"]


def test_merges_fill_down_and_mark_wide_rows() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (["План"], ["№", "Мероприятие", "Срок"], ["Раздел"], [1, "А", "май"], [2, "Б"]):
        sheet.append(row)
    sheet.merge_cells("A1:C1")
    sheet.merge_cells("A3:C3")
    sheet.merge_cells("C4:C5")
    sheet["A6"] = date(2023, 3, 15)
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "plan.xlsx")
    assert table.merged_rows == {0, 2}
    assert table.rows[4][:4] == [2, "Б", "май", None]  # the merged deadline copied down
    assert table.rows[2][:3] == ["Раздел", None, None]  # not copied across
    assert cell_text(table.rows[5][0]) == "15.03.2023"
    header = find_header(table.rows, COLUMNS)
    assert header is not None
    assert (header.row, header.columns) == (1, {"number": 0, "what": 1, "when": 2})


def test_the_header_is_the_row_naming_most_columns() -> None:
    rows = [["План мероприятий"], [], ["№ п/п", "Мероприятия", "Сроки"]]
    header = find_header(rows, COLUMNS)
    assert header is not None and header.row == 2
    assert header.labels == {"number": "№ п/п", "what": "Мероприятия", "when": "Сроки"}
    assert find_header([["x"]] * 20 + [["№", "Мероприятие"]], COLUMNS, scan=15) is None


def test_limits_are_the_caller_s() -> None:
    with pytest.raises(TableRefused) as refused:
        read_table(("a;b\n" * 30).encode(), "a.csv", Limits(rows=10, header_rows=5))
    assert (refused.value.code, refused.value.params) == ("import_too_many_rows", {"limit": 10})


def test_a_long_label_is_still_a_label_and_one_cell_names_one_column() -> None:
    when = "Срок исполнения (дата или период проведения мероприятия, например «ноябрь–декабрь»)"
    rows = [["План мероприятий и сроки их исполнения на 2023 год"], ["№", "Мероприятия", when]]
    header = find_header(rows, COLUMNS)
    assert header is not None and header.row == 1 and header.columns["when"] == 2


def test_the_first_sheet_that_holds_the_table() -> None:
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.append(["Муниципальное общеобразовательное учреждение"])
    workbook.create_sheet("План").append(["№", "Мероприятие"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    def wanted(top: list) -> bool:
        header = find_header(top, COLUMNS)
        return header is not None and "what" in header.columns

    content = buffer.getvalue()
    assert read_table(content, "a.xlsx").rows[0][0].startswith("Муниципальное")  # type: ignore[union-attr]
    assert read_table(content, "a.xlsx", wanted=wanted).rows[0][:2] == ["№", "Мероприятие"]
