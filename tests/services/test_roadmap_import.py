"""Reading roadmap files: the seed plan, row problems, and files refused whole."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from functools import partial

import pytest
from openpyxl import Workbook

from bot.services.roadmaps.roadmap_import import (
    HEADER_ROWS,
    HEADERS,
    MAX_ROWS,
    ImportRefused,
    read_roadmap,
)
from tests.support.roadmap_files import (
    CONTROL_CSV,
    MESSY_EXPECTED,
    MESSY_SECTIONS,
    RISK_TITLES,
    Built,
    built,
    many_rows_xlsx,
    messy_plan_xlsx,
    seed_002_csv_cp1251,
    seed_002_xlsx,
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
    assert [i.number for i in parsed.items] == ["1", "2", "6", "8"]
    assert parsed.items[0].risk_factor_id == 8 and parsed.items[0].due_date == "2022-12-31"
    # Kept, as a person would: the wording stays, the date and the factor are left empty.
    assert (parsed.items[1].deadline_text, parsed.items[1].due_date) == ("в теч. года?", None)
    assert parsed.items[2].risk_factor_id is None
    assert parsed.items[3].is_recurring and parsed.items[3].due_date is None
    assert parsed.problems == [
        "строка 4: формула вместо значения — вставьте значения",
        "строка 5: номер 1 повторяется",
        "строка 7: нет текста мероприятия",
        "строка 9: слишком длинный текст (2001 символов, до 2000)",
    ]
    assert parsed.notes == [
        "строка 3: срок «в теч. года?» не понял — мероприятие будет без срока, текст сохранится",
        "строка 8: фактор риска «42» не узнан — загрузится без фактора",
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
        (partial(zip_bomb), "plan.xlsx", "import_zip_bomb"),
        (table_to_xlsx([["a", "b"], ["1", "2"]]), "plan.xlsx", "import_wrong_columns"),
        (table_to_xlsx([["№", "Срок"], ["1", "май"]]), "plan.xlsx", "import_missing_column"),
        (
            ("№;Мероприятие;Срок\n" + "1;x;май 2022\n" * 1500).encode(),
            "plan.csv",
            "import_too_many_rows",
        ),
        (b"x" * (3 * 1024 * 1024), "plan.csv", "import_too_big"),
        pytest.param(
            partial(many_rows_xlsx, 50_000),
            "plan.xlsx",
            "import_too_many_rows",
            marks=pytest.mark.slow,  # a 50,000-row workbook: seconds to build and to refuse
        ),
        (partial(many_rows_xlsx, MAX_ROWS + HEADER_ROWS), "plan.xlsx", "import_too_many_rows"),
        (partial(_padded_to_a_million), "plan.xlsx", "import_too_many_rows"),
        (partial(_dense_bomb), "plan.xlsx", "import_zip_bomb"),
        (b"\xd0\xcf\x11\xe0 old excel", "plan.xls", "import_wrong_type"),
    ],
)
def test_files_refused_whole(content: bytes | Built, name: str, code: str) -> None:
    content = built(content)
    with pytest.raises(ImportRefused) as refused:
        read_roadmap(content, name, 2022, TITLES)
    assert refused.value.code == code


def test_a_merge_inside_an_item_row_changes_nothing() -> None:
    content = table_to_xlsx([HEADERS, ["1", "Р", "", "М", "май 2022", "", ""]], merge="B2:C2")
    parsed = read_roadmap(content, "plan.xlsx", 2022, TITLES)
    assert parsed.problems == []
    assert [(i.number, i.section, i.measure) for i in parsed.items] == [("1", "Р", "М")]


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


# -- files as schools keep them (issue 14) -------------------------------------------------


def test_a_messy_plan_reads_with_sections_risks_and_its_year() -> None:
    parsed = read_roadmap(messy_plan_xlsx(), "plan.xlsx", None, RISK_TITLES, fallback_year=2026)
    assert parsed.problems == []
    assert (parsed.year, parsed.year_source, parsed.year_wording) == (2023, "title", "2023 год")
    assert parsed.sections == MESSY_SECTIONS
    got = {
        i.number: (i.risk_factor_id, date.fromisoformat(i.due_date) if i.due_date else None)
        for i in parsed.items
    }
    assert got == MESSY_EXPECTED
    assert [i.section for i in parsed.items] == [MESSY_SECTIONS[0]] * 3 + [MESSY_SECTIONS[1]] * 4
    twice = next(i for i in parsed.items if i.number == "2.2")
    assert twice.deadline_text == "2 раза в год (начало и конец учебного года)"  # kept as written
    assert (
        parsed.notes[-1]
        == "строка 12: фактор риска «что-то своё» не узнан — загрузится без фактора"
    )


def test_a_year_pressed_wins_over_the_title() -> None:
    parsed = read_roadmap(messy_plan_xlsx(), "plan.xlsx", 2026, RISK_TITLES)
    assert (parsed.year, parsed.detected_year, parsed.year_source) == (2026, 2023, None)


@pytest.mark.parametrize(
    ("content", "name"),
    [(seed_002_xlsx(), "plan.xlsx"), (seed_002_csv_cp1251(), "plan.csv")],
    ids=["xlsx, merged sections", "csv, cp1251 and ;"],
)
def test_the_seed_002_plan_as_the_school_has_it(content: bytes, name: str) -> None:
    parsed = read_roadmap(content, name, None, RISK_TITLES, fallback_year=2026)
    assert parsed.problems == [] and parsed.notes == []
    assert [i.number for i in parsed.items] == [str(n) for n in range(1, 26)]
    assert len(parsed.sections) == 4 and parsed.undated == 25
    assert all(i.deadline_text == "" and i.due_date is None for i in parsed.items)
    assert parsed.items[0].section == parsed.sections[0]
    assert parsed.sections[0].startswith("Организационные мероприятия")
    assert parsed.sections[3].startswith("Мероприятия по мониторингу")
    assert [i.section for i in parsed.items].count(parsed.sections[1]) == 16
    assert parsed.items[10].measure.startswith("Семинар «Совершенствование внутришкольной")
    assert "Плотникова Т.А." in (parsed.items[10].responsible or "")
    assert (parsed.items[0].expected_result or "").startswith(
        "Отметка об исполнении: Выявлено 16 школ"
    )
    assert (parsed.year, parsed.year_source) == (2019, "title")


def test_utf8_with_a_bom_and_commas() -> None:
    rows = ["Мероприятия,Сроки", '"Педсовет, итоги",май 2027', "Семинар,июнь 2027"]
    parsed = read_roadmap(("\ufeff" + "\n".join(rows)).encode(), "p.csv", 2026, RISK_TITLES)
    assert [(i.number, i.measure) for i in parsed.items] == [
        ("1", "Педсовет, итоги"),
        ("2", "Семинар"),
    ]
    assert parsed.notes == [
        "строка 2: без номера — получит номер 1",
        "строка 3: без номера — получит номер 2",
    ]


def test_control_characters_are_stripped_from_every_cell() -> None:
    parsed = read_roadmap(CONTROL_CSV.encode(), "plan.csv", None, RISK_TITLES, fallback_year=2026)
    assert parsed.problems == []
    first, second = parsed.items
    assert (first.section, first.measure, first.deadline_text, first.responsible) == (
        "Раздел",
        "Педсовет по итогам ВПР",
        "декабрь 2026",
        "Иванов",
    )
    assert first.due_date == "2026-12-31"
    assert second.measure == "Семинар наоборот" and second.responsible is None
    assert (parsed.year, parsed.year_source) == (2026, "dates")


def test_only_the_missing_column_is_named() -> None:
    content = table_to_xlsx([["Заголовок плана"], ["№ п/п", "Сроки", "Ответственные"], ["1"]])
    with pytest.raises(ImportRefused) as refused:
        read_roadmap(content, "plan.xlsx", 2026, RISK_TITLES)
    assert refused.value.code == "import_missing_column"
    assert refused.value.params == {
        "column": "Мероприятия",
        "row": 2,
        "found": "«№ п/п», «Сроки», «Ответственные»",
    }


def test_page_breaks_and_carried_over_cells() -> None:
    """The header again after a page break, the «1 2 3» row, a cell carried to the next row."""
    header = ["№", "Мероприятия", "Сроки", "Ответственные"]
    rows = [
        header,
        ["1", "2", "3", "4"],
        ["1.", "Педсовет", "май 2027", "Директор,"],
        ["", "", "", "заместитель по УВР"],
        header,
        ["2.", "Семинар", "июнь 2027", "ШМО"],
    ]
    parsed = read_roadmap(table_to_xlsx(rows), "plan.xlsx", 2026, RISK_TITLES)
    assert parsed.problems == [] and parsed.notes == []
    assert [(i.number, i.responsible) for i in parsed.items] == [
        ("1", "Директор, заместитель по УВР"),
        ("2", "ШМО"),
    ]


@pytest.mark.parametrize(
    ("written", "factor"),
    [
        ("3", 3),
        ("№ 7", 7),
        ("Фактор риска 5", 5),
        ("9. Низкий уровень вовлечённости родителей", 9),
        ("Низкая учебная мотивация", 10),
        ("дефицит педагогов", 2),
        ("высокая доля неуспевающих с рисками учебной неуспешности", 8),
        ("Низкий уровень оснащения", 1),
        ("адаптивность учебного процесса", 4),
        ("погода", None),
        ("низкий уровень", None),  # fits 1 and 9 alike: better none than a guess
    ],
)
def test_risk_factor_by_number_or_words(written: str, factor: int | None) -> None:
    rows = [["№", "Мероприятие", "Фактор риска"], ["1", "Педсовет", written]]
    parsed = read_roadmap(table_to_xlsx(rows), "plan.xlsx", 2026, RISK_TITLES)
    assert parsed.items[0].risk_factor_id == factor


def test_a_numbered_section_over_its_numbered_items() -> None:
    rows = [
        ["№", "Мероприятие", "Срок"],
        ["1.", "Организационные мероприятия"],
        [date(2026, 1, 1), "Педсовет", "май 2027"],  # «1.1» as Russian Excel keeps it
        ["1.2", "Семинар", "июнь 2027"],
        ["2", "Отдельное мероприятие"],  # followed by no «2.1»: an item without a deadline
        ["3", "Ещё одно", "май 2027"],
    ]
    parsed = read_roadmap(table_to_xlsx(rows), "plan.xlsx", 2026, RISK_TITLES)
    assert parsed.problems == [] and parsed.notes == []
    assert [(i.number, i.section) for i in parsed.items] == [
        ("1.1", "1. Организационные мероприятия"),
        ("1.2", "1. Организационные мероприятия"),
        ("2", "1. Организационные мероприятия"),
        ("3", "1. Организационные мероприятия"),
    ]


@pytest.mark.parametrize(
    ("title", "year", "wording"),
    [
        ("Дорожная карта на 2026/2027 учебный год", 2026, "2026/2027"),
        ("План работы школы на 2023 год", 2023, "2023 год"),
        ("План на 2024-25 уч. год", 2024, "2024-25"),
        ("План работы в 2025 г.", 2025, "2025 г"),
    ],
)
def test_the_year_from_the_title(title: str, year: int, wording: str) -> None:
    rows = [[title], ["№", "Мероприятие", "Срок"], ["1", "Педсовет", "до 20.03"]]
    parsed = read_roadmap(table_to_xlsx(rows), "plan.xlsx", None, RISK_TITLES, fallback_year=2019)
    assert (parsed.year, parsed.year_source, parsed.year_wording) == (year, "title", wording)
    # A deadline without a year: in the plan's school year, or in its calendar year.
    school_year = any(mark in wording for mark in "-/")
    assert parsed.items[0].due_date == f"{year + school_year}-03-20"


def test_the_year_from_dates_or_else_the_callers() -> None:
    rows = [["№", "Мероприятие", "Срок"], ["1", "А", "декабрь 2022"], ["2", "Б", date(2023, 3, 1)]]
    parsed = read_roadmap(table_to_xlsx(rows), "plan.xlsx", None, RISK_TITLES, fallback_year=2026)
    assert (parsed.year, parsed.year_source) == (2022, "dates")  # school year 2022/23
    rows = [["№", "Мероприятие", "Срок"], ["1", "А", "до 31.05.2027"], ["2", "Б", "март"]]
    parsed = read_roadmap(table_to_xlsx(rows), "plan.xlsx", None, RISK_TITLES, fallback_year=2026)
    assert (parsed.year, parsed.year_wording) == (2026, "до 31.05.2027")  # of 2026/27
    rows = [["№", "Мероприятие", "Срок"], ["1", "А", "ежемесячно"]]
    parsed = read_roadmap(table_to_xlsx(rows), "plan.xlsx", None, RISK_TITLES, fallback_year=2026)
    assert (parsed.year, parsed.year_source, parsed.detected_year) == (2026, None, None)


def test_every_preview_page_fits_one_message() -> None:
    """1000 items with the longest texts, long sections and 1000 problems: pages, not a cut."""
    from bot import texts
    from bot.telegram_html import MESSAGE_LIMIT, visible_length

    line = texts.preview_item_line(
        "1000.999.999", "<я>" * 700, texts.preview_deadline(None, "ж" * 200, False), (8, "ф" * 90)
    )
    entries = [(f"Раздел {n // 7} " + "р" * 480, line) for n in range(1000)]
    pages = texts.preview_pages(entries)
    assert sum(page.count("1000.999.999.") for page in pages) == 1000
    problems = [f"строка {n}: " + "п" * 200 for n in range(1000)]
    for number, page in enumerate(pages):
        shown = texts.roadmap_preview(
            "Ш" * 200, 2026, ("title", "т" * 200), (1000, 143, 1000), page, number,
            len(pages), problems, problems,
        )  # fmt: skip
        assert visible_length(shown) <= MESSAGE_LIMIT
        assert f"стр. {number + 1} из {len(pages)}" in shown  # nothing cut at the end
