"""Reading roadmap files: the seed plan, row problems, and files refused whole."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from bot.services.roadmap_import import (
    HEADER_ROWS,
    HEADERS,
    MAX_ROWS,
    ImportRefused,
    read_roadmap,
)
from tests.support.roadmap_files import (
    many_rows_xlsx,
    seed_plan_rows,
    seed_plan_xlsx,
    table_to_xlsx,
    zip_bomb,
)

TITLES = {
    1: "Низкий уровень оснащения школы",
    8: "Высокая доля обучающихся с рисками учебной неуспешности",
}


def test_the_seed_plan_reads_whole() -> None:
    parsed = read_roadmap(seed_plan_xlsx(), "plan.xlsx", 2022, TITLES)
    assert parsed.problems == []
    assert [item.number for item in parsed.items] == [str(n) for n in range(1, 26)]
    assert parsed.items[0].section.startswith("Организационные мероприятия")
    assert parsed.items[0].due_date == date(2020, 5, 31).isoformat()
    assert parsed.items[10].measure.startswith("Семинар «Совершенствование внутришкольной")
    assert "Плотникова Т.А." in (parsed.items[10].responsible or "")
    assert len(parsed.sections) >= 3


def test_csv_form_reads_the_same() -> None:
    content = "\n".join(";".join(row) for row in seed_plan_rows()).encode("cp1251", "replace")
    parsed = read_roadmap(content, "plan.csv", 2022, TITLES)
    assert len(parsed.items) == 25


def test_row_problems_are_named_and_good_rows_kept() -> None:
    rows = [
        HEADERS,
        ["1", "Раздел", "8", "Хорошее мероприятие", "ноябрь–декабрь 2022", "Иванов", ""],
        ["2", "Раздел", "", "Неясный срок", "в теч. года?", "", ""],
        ["3", "Раздел", "", "=A1+1", "май 2022", "", ""],
        ["1", "Раздел", "", "Повтор номера", "май 2022", "", ""],
        ["", "", "", "", "", "", ""],
        ["5", "Раздел", "", "", "май 2022", "", ""],
        ["6", "Раздел", "42", "Фактор вне списка", "май 2022", "", ""],
        ["7", "Раздел", "", "я" * 2001, "май 2022", "", ""],
        ["8", "Раздел", "1", "Ежемесячный контроль", "ежемесячно", "", ""],
    ]
    parsed = read_roadmap(table_to_xlsx(rows), "plan.xlsx", 2022, TITLES)
    assert [i.number for i in parsed.items] == ["1", "8"]
    assert parsed.items[0].risk_factor_id == 8 and parsed.items[0].due_date == "2022-12-31"
    assert parsed.items[1].is_recurring and parsed.items[1].due_date is None
    assert parsed.problems == [
        "строка 3: не понял срок «в теч. года?»",
        "строка 4: формула вместо значения — вставьте значения",
        "строка 5: номер 1 повторяется",
        "строка 7: нет текста мероприятия",
        "строка 8: неизвестный фактор риска «42»",
        "строка 9: слишком длинный текст (2001 символов, до 2000)",
    ]


def _padded_to_a_million() -> bytes:
    """One value in row 1,000,000: read_only fills the gap with empty rows."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["№", "Мероприятие", "Срок"])
    sheet["A1000000"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _dense_bomb() -> bytes:
    """Under the total cap, but one member inflates 1000 times over."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b" " * (5 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"not a spreadsheet at all", "plan.xlsx", "import_not_xlsx"),
        (b"%PDF-1.4", "plan.pdf", "import_wrong_type"),
        (zip_bomb(), "plan.xlsx", "import_zip_bomb"),
        (table_to_xlsx([["a", "b"], ["1", "2"]]), "plan.xlsx", "import_wrong_columns"),
        (
            ("№;Мероприятие;Срок\n" + "1;x;май 2022\n" * 1500).encode(),
            "plan.csv",
            "import_too_many_rows",
        ),
        (b"x" * (3 * 1024 * 1024), "plan.csv", "import_too_big"),
        (many_rows_xlsx(50_000), "plan.xlsx", "import_too_many_rows"),
        (many_rows_xlsx(MAX_ROWS + HEADER_ROWS), "plan.xlsx", "import_too_many_rows"),
        (_padded_to_a_million(), "plan.xlsx", "import_too_many_rows"),
        (_dense_bomb(), "plan.xlsx", "import_zip_bomb"),
        (b"\xd0\xcf\x11\xe0 old excel", "plan.xls", "import_wrong_type"),
    ],
)
def test_files_refused_whole(content: bytes, name: str, code: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        read_roadmap(content, name, 2022, TITLES)
    assert refused.value.code == code


def test_merged_cells_are_a_problem_not_a_guess() -> None:
    content = table_to_xlsx([HEADERS, ["1", "Р", "", "М", "май 2022", "", ""]], merge="B2:C2")
    parsed = read_roadmap(content, "plan.xlsx", 2022, TITLES)
    assert parsed.items == []
    assert parsed.problems == ["объединённые ячейки (B2:C2) — разъедините их в файле"]


def test_many_rows_under_the_limit_read() -> None:
    parsed = read_roadmap(many_rows_xlsx(1000), "plan.xlsx", 2022, TITLES)
    assert len(parsed.items) == 1000 and parsed.problems == []


def test_excel_dates_and_numbers_read_as_typed() -> None:
    rows = [
        HEADERS,
        [1.0, "Раздел", 8, "Дата ячейкой", date(2023, 3, 15), "", ""],
        [2, "Раздел", "", "Пустые строки выше и ниже", "до 20.03.2023", "", ""],
    ]
    rows.insert(2, [None] * 7)
    parsed = read_roadmap(table_to_xlsx([*rows, [None] * 7]), "plan.xlsx", 2022, TITLES)
    assert parsed.problems == []
    assert [(i.number, i.deadline_text, i.due_date) for i in parsed.items] == [
        ("1", "15.03.2023", "2023-03-15"),
        ("2", "до 20.03.2023", "2023-03-20"),
    ]
    assert parsed.items[0].risk_factor_id == 8


def test_csv_formulas_and_semicolons() -> None:
    content = '№;Мероприятие;Срок\n1;=HYPERLINK("x");май 2022\n2;Хорошее;июнь 2022\n'.encode()
    parsed = read_roadmap(content, "plan.csv", 2022, TITLES)
    assert [i.number for i in parsed.items] == ["2"]
    assert parsed.problems == ["строка 2: формула вместо значения — вставьте значения"]
