from __future__ import annotations

from datetime import date

import pytest

from bot.services.roadmaps.deadlines import Deadline, DeadlineUnreadable, parse_deadline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.03.2023", Deadline(date(2023, 3, 15), False)),
        ("до 20.03.2021", Deadline(date(2021, 3, 20), False)),
        ("до 20.03.2021 г.", Deadline(date(2021, 3, 20), False)),
        ("до 01.09", Deadline(date(2022, 9, 1), False)),
        ("ноябрь–декабрь 2019 г.", Deadline(date(2019, 12, 31), False)),
        ("ноябрь - декабрь 2019", Deadline(date(2019, 12, 31), False)),
        ("сентябрь", Deadline(date(2022, 9, 30), False)),
        ("май 2023", Deadline(date(2023, 5, 31), False)),
        ("февраль 2024", Deadline(date(2024, 2, 29), False)),
        ("в течение года", Deadline(date(2022, 12, 31), False)),
        ("В течение 2022 года", Deadline(date(2022, 12, 31), False)),
        ("I полугодие 2022", Deadline(date(2022, 6, 30), False)),
        ("II полугодие 2022 г.", Deadline(date(2022, 12, 31), False)),
        ("2 полугодие", Deadline(date(2022, 12, 31), False)),
        ("III квартал 2022", Deadline(date(2022, 9, 30), False)),
        ("ежемесячно", Deadline(None, True)),
        ("Ежеквартально", Deadline(None, True)),
        ("постоянно", Deadline(None, True)),
        ("по мере необходимости", Deadline(None, True)),
        ("2019-2020 учебный год", Deadline(date(2020, 5, 31), False)),
        ("в течение 2019-2020 учебного года", Deadline(date(2020, 5, 31), False)),
        ("2022", Deadline(date(2022, 12, 31), False)),
        ("2019-2020", Deadline(date(2020, 5, 31), False)),
        ("учебный год 2021-2022", Deadline(date(2022, 5, 31), False)),
        ("в течение 2019/20 учебного года", Deadline(date(2020, 5, 31), False)),
        ("2019-2020 уч. год", Deadline(date(2020, 5, 31), False)),
        ("1 полугодие 2022/2023 учебного года", Deadline(date(2022, 12, 31), False)),
        ("II полугодие 2022-2023 учебного года", Deadline(date(2023, 5, 31), False)),
        ("II четверть 2022-2023 учебного года", Deadline(date(2022, 12, 31), False)),
        ("III четверть 2022-2023 учебного года", Deadline(date(2023, 3, 31), False)),
        ("4 четверть", Deadline(date(2022, 5, 31), False)),
        ("до 1 сентября 2023", Deadline(date(2023, 9, 1), False)),
        ("к 15 мая", Deadline(date(2022, 5, 15), False)),
        ("до 30.12.22", Deadline(date(2022, 12, 30), False)),
        ("15.03.2023 г.", Deadline(date(2023, 3, 15), False)),
        ("01.09.2022-31.05.2023", Deadline(date(2023, 5, 31), False)),
        ("сентябрь 2022 – май 2023", Deadline(date(2023, 5, 31), False)),
        ("ноябрь 2019 г.-май 2020 г.", Deadline(date(2020, 5, 31), False)),
        ("март, апрель 2023", Deadline(date(2023, 4, 30), False)),
        ("май-июнь", Deadline(date(2022, 6, 30), False)),
        ("IV квартал", Deadline(date(2022, 12, 31), False)),
        ("до конца года", Deadline(date(2022, 12, 31), False)),
        ("до конца 2023 года", Deadline(date(2023, 12, 31), False)),
        ("в течение I полугодия", Deadline(date(2022, 6, 30), False)),
        ("1 раз в четверть", Deadline(None, True)),
        ("по итогам четверти", Deadline(None, True)),
        ("до 25 числа каждого месяца", Deadline(None, True)),
        ("еженедельно", Deadline(None, True)),
        ("по графику ВШК", Deadline(None, True)),
        ("  ЕЖЕМЕСЯЧНО  ", Deadline(None, True)),
    ],
)
def test_wordings(text: str, expected: Deadline) -> None:
    assert parse_deadline(text, default_year=2022) == expected


@pytest.mark.parametrize(
    "text",
    ["в теч. года?", "", "   ", "когда-нибудь", "31.02.2023", "скоро", "до 32 мая", "31 февраля"],
)
def test_unreadable(text: str) -> None:
    with pytest.raises(DeadlineUnreadable):
        parse_deadline(text, default_year=2022)
