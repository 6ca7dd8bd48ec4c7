"""Directory workbooks for tests: a second region as a region would send it, and variations."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook

REGION = "Курганская область"
NORTH = "Северный городской округ"  # Asia/Yekaterinburg
EAST = "Восточный муниципальный район"  # МСК+4 → Asia/Krasnoyarsk
NORTH_SCHOOLS = 18
EAST_SCHOOLS = 14
CURATORS = 10


def curator_name(index: int) -> str:
    return f"Куратова-{index} Мария Ивановна"


def school_short(index: int) -> str:
    return f"СШ № {index}"


def school_municipality(index: int) -> str:
    return NORTH if index <= NORTH_SCHOOLS else EAST


@dataclass
class RegionBook:
    """The sheets of a region's directory as plain rows (headers first); edit, then build."""

    municipalities: list[list[object]] = field(default_factory=list)
    schools: list[list[object]] = field(default_factory=list)
    people: list[list[object]] = field(default_factory=list)
    assignments: list[list[object]] = field(default_factory=list)
    titles: dict[str, str] = field(
        default_factory=lambda: {
            "municipalities": "Муниципалитеты",
            "schools": "Школы",
            "people": "Люди",
            "assignments": "Кураторы",
        }
    )

    def xlsx(self, *, title_rows: bool = False, merge_headers: bool = False) -> bytes:
        workbook = Workbook()
        workbook.remove(workbook.active)  # type: ignore[arg-type]
        for name in ("municipalities", "schools", "people", "assignments"):
            rows: list[list[object]] = getattr(self, name)
            if not rows:
                continue
            sheet = workbook.create_sheet(self.titles[name])
            if title_rows:
                sheet.append([f"Приложение к приказу — {self.titles[name].lower()}"])
                sheet.append([])
                sheet.merge_cells("A1:E1")
            for row in rows:
                sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def region_book() -> RegionBook:
    """Two municipalities in different zones, 32 schools with flags, 10 curators, people."""
    book = RegionBook()
    book.municipalities = [
        ["№ п/п", "Наименование муниципалитета", "Часовой пояс", "Регион", "Примечание"],
        [1, NORTH, "Asia/Yekaterinburg", REGION, ""],
        [2, EAST, "МСК+4", REGION, "восток"],
    ]
    book.schools = [
        [
            "№ п/п",
            "Полное наименование ОО",
            "Краткое наименование",
            "Муниципалитет",
            "ШНОР",
            "ШНСУ",
            "Признаки необъективности",
            "Статус в проекте",
            "ФИО директора",
        ]
    ]
    for index in range(1, NORTH_SCHOOLS + EAST_SCHOOLS + 1):
        book.schools.append(
            [
                index,
                f"МБОУ «Средняя общеобразовательная школа № {index}»",
                school_short(index),
                school_municipality(index),
                "да" if index % 3 else "нет",
                "+" if index % 4 == 0 else "",
                1 if index % 5 == 0 else 0,
                "в проекте",
                f"Директорова-{index} Анна Петровна",
            ]
        )
    book.people = [
        ["№", "ФИО", "Должность", "Роль", "Область действия (регион / муниципалитет / школа)"],
        [1, "Регионова Ольга Викторовна", "методист ИРО", "Региональный координатор", REGION],
        [2, "Северова Нина Павловна", "специалист УО", "муниципальный координатор", NORTH],
        [3, "Восточнова Елена Юрьевна", "специалист УО", "Муниципальный координатор", EAST],
    ]
    for index in range(1, CURATORS + 1):
        municipality = NORTH if index <= 6 else EAST
        book.people.append(
            [
                len(book.people),
                curator_name(index),
                "заместитель директора",
                "куратор",
                municipality,
            ]
        )
    book.people.append(
        [len(book.people), "Директорова-1 Анна Петровна", "директор", "школа", school_short(1)]
    )
    book.assignments = [["Куратор", "Школа", "Муниципалитет", "Учебный год"]]
    # Curators 1–6 take North's schools 1–12 (two each); 7–10 take East's 19–26.
    for index in range(1, CURATORS + 1):
        first = 2 * index - 1 if index <= 6 else 19 + 2 * (index - 7)
        for school in (first, first + 1):
            book.assignments.append(
                [
                    curator_name(index),
                    school_short(school),
                    school_municipality(school),
                    "2026/27",
                ]
            )
    return book
