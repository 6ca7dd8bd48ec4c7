"""Reading roadmap files: the seed plan, row problems, and files refused whole."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.roadmap_import import HEADERS, ImportRefused, read_roadmap
from tests.support.roadmap_files import seed_plan_rows, seed_plan_xlsx, table_to_xlsx, zip_bomb

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
