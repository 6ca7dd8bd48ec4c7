"""The people, schools and city events of Kamensk-Uralsky's «500+» year 2022.

Taken from `shared/seeds/000_…txt` (the municipality's summary of the year). The seeds
give no event dates; the dates below are spread over the school year and marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from bot.models import Role, SchoolKind

REGION = "Свердловская область"
MUNICIPALITY = "Каменск-Уральский городской округ"
AUTHORITY = "Управление образования Каменск-Уральского городского округа"
TIMEZONE = "Asia/Yekaterinburg"
YEAR = 2022


@dataclass(frozen=True)
class SchoolSeed:
    kind: SchoolKind
    number: int
    full_name: str
    director: str | None = None
    shnor: bool = False
    nonobjectivity: bool = False


SCHOOLS: list[SchoolSeed] = [
    SchoolSeed(
        SchoolKind.SECONDARY,
        1,
        "Средняя школа № 1 с углублённым изучением отдельных предметов",
        "Руднева О.В.",
        shnor=True,
    ),
    SchoolSeed(
        SchoolKind.SECONDARY,
        17,
        "Средняя школа № 17 с углублённым изучением отдельных предметов",
        "Гареева Л.Г.",
        shnor=True,
    ),
    SchoolSeed(SchoolKind.SECONDARY, 35, "Средняя школа № 35", "Анульева И.Г.", shnor=True),
    SchoolSeed(SchoolKind.SECONDARY, 38, "Средняя школа № 38", "Миколенко С.В.", shnor=True),
    SchoolSeed(SchoolKind.SECONDARY, 51, "Средняя школа № 51", "Кашкина И.В.", shnor=True),
    SchoolSeed(SchoolKind.SECONDARY, 60, "Средняя школа № 60", "Лосева Е.А.", shnor=True),
    SchoolSeed(SchoolKind.LYCEUM, 9, "Лицей № 9", "Малашенко И.В.", shnor=True),
    # Curators' own schools and the hosts of city events: in the city, not in the list.
    SchoolSeed(SchoolKind.SECONDARY, 3, "Средняя школа № 3"),
    SchoolSeed(SchoolKind.SECONDARY, 15, "Средняя школа № 15"),
    SchoolSeed(SchoolKind.SECONDARY, 16, "Средняя школа № 16"),
    SchoolSeed(SchoolKind.SECONDARY, 21, "Средняя школа № 21"),
    SchoolSeed(SchoolKind.SECONDARY, 22, "Средняя школа № 22"),
    SchoolSeed(SchoolKind.BASIC, 27, "Основная школа № 27"),
    SchoolSeed(SchoolKind.SECONDARY, 30, "Средняя школа № 30"),
    SchoolSeed(SchoolKind.SECONDARY, 31, "Средняя школа № 31"),
    SchoolSeed(SchoolKind.SECONDARY, 32, "Средняя школа № 32", nonobjectivity=True),
    SchoolSeed(SchoolKind.SECONDARY, 34, "Средняя школа № 34"),
]


@dataclass(frozen=True)
class PersonSeed:
    full_name: str
    position: str
    organisation: str
    role: Role
    # Curators: numbers of the schools they curate (kind, number); staff: their school.
    schools: tuple[tuple[SchoolKind, int], ...] = ()
    workplace: tuple[SchoolKind, int] | None = None


_S = SchoolKind.SECONDARY

PEOPLE: list[PersonSeed] = [
    PersonSeed(
        "Жигулина Марина Леонидовна",
        "региональный куратор",
        "ГАОУ ДПО СО «ИРО»",
        Role.REGIONAL_COORDINATOR,
    ),
    PersonSeed("Плотникова Тамара Андреевна", "специалист", AUTHORITY, Role.MUNICIPAL_COORDINATOR),
    PersonSeed("Зыкова Марьяна Валерьевна", "специалист", AUTHORITY, Role.MUNICIPAL_COORDINATOR),
    PersonSeed(
        "Измоденова Татьяна Михайловна",
        "директор",
        "Средняя школа № 15",
        Role.CURATOR,
        ((_S, 1),),
        (_S, 15),
    ),
    PersonSeed(
        "Баранова Елена Михайловна",
        "заместитель директора по УВР",
        "Основная школа № 27",
        Role.CURATOR,
        (),
        (SchoolKind.BASIC, 27),
    ),
    PersonSeed(
        "Смирнова Светлана Анатольевна",
        "заместитель директора по УВР",
        "Средняя школа № 34",
        Role.CURATOR,
        ((SchoolKind.LYCEUM, 9), (_S, 17)),
        (_S, 34),
    ),
    PersonSeed(
        "Телятников Александр Юрьевич",
        "заместитель директора по УВР",
        "Средняя школа № 21",
        Role.CURATOR,
        ((_S, 35), (_S, 51)),
        (_S, 21),
    ),
    PersonSeed(
        "Григорьева Марина Викторовна",
        "заместитель директора по УВР",
        "Средняя школа № 3",
        Role.CURATOR,
        ((_S, 38),),
        (_S, 3),
    ),
    PersonSeed(
        "Иванова Оксана Владимировна",
        "директор",
        "Средняя школа № 21",
        Role.CURATOR,
        ((_S, 60),),
        (_S, 21),
    ),
]


@dataclass(frozen=True)
class EventSeed:
    format: str
    title: str
    host: tuple[SchoolKind, int]
    goal: str
    day: date  # assumed: the seeds name no dates
    start: time = time(14, 0)


EVENTS: list[EventSeed] = [
    EventSeed(
        "quest",
        "Совершенствование ВСОКО в условиях обновленных ФГОС",
        (_S, 32),
        "Повышение профессиональной компетентности управленческих команд ШНОР "
        "в реализации процедуры внутренней системы оценки качества образования",
        date(2022, 2, 17),
    ),
    EventSeed(
        "business_game",
        "Эффективное управление: Что? Зачем? Почему?",
        (_S, 16),
        "Определение стратегических задач эффективного управления школой "
        "и основных путей их решения",
        date(2022, 3, 24),
    ),
    EventSeed(
        "brainstorm",
        "Организация оценочных процедур в рамках внутреннего мониторинга качества "
        "образования. Проектная деятельность – возможности развития и оценки "
        "метапредметных результатов",
        (_S, 1),
        "Повышение профессиональной компетентности управленческих команд ШНОР в области "
        "организации оценочных процедур в рамках внутреннего мониторинга качества "
        "образования",
        date(2022, 4, 21),
    ),
    EventSeed(
        "debates",
        "Сравнение традиционной и новой системы оценивания",
        (_S, 30),
        "Рассмотреть традиционные и современные подходы к оценке учебных достижений "
        "учащихся и предложить пути решения проблемы оценивания качества современного "
        "образования, повышения объективности оценивания",
        date(2022, 10, 20),
    ),
    EventSeed(
        "coaching",
        "Система управленческой деятельности в рамках ВСОКО",
        (_S, 31),
        "Обучить механизмам управленческой деятельности по решению актуальных проблем "
        "в рамках ВСОКО в целях повышения качества образования",
        date(2022, 11, 17),
    ),
    EventSeed(
        "round_table",
        "ВСОКО: механизмы оценки качества образования",
        (_S, 22),
        "Определение механизмов управления качеством образовательных результатов "
        "с целью использования их в управлении развитием внутренней системы оценки "
        "качества образования",
        date(2022, 12, 8),
    ),
    EventSeed(
        "pecha_kucha",
        "Подведение итогов по реализации 2 этапа федерального проекта «500+»",
        (_S, 60),
        "Обобщить положительный опыт работы управленческих команд совместно с кураторами "
        "и муниципальными координаторами проекта «500+»",
        date(2022, 12, 22),
    ),
]
