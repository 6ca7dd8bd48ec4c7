"""The demo's people as the tests log in with them: one name, one place.

All are seeded by `bot/seed/kamensk_2022.py` (Kamensk-Uralsky, Sverdlovsk oblast, 2022) and
loaded by the `demo` fixture (`tests/support/bot_fixtures.py`); `BotHarness.login(name)`
binds a Telegram user to the person of that full name. A test that needs someone outside
the demo (another municipality, another region) builds them itself
(`tests/support/scope_world.py`).

The names by person say who it is; the names by role say why a test picked them, and a
module may use either (`COORDINATOR` and `PLOTNIKOVA` are the same person).
"""

from __future__ import annotations

# -- coordinators --------------------------------------------------------------------------
ZHIGULINA = "Жигулина Марина Леонидовна"  # regional coordinator (ГАОУ ДПО СО «ИРО»)
PLOTNIKOVA = "Плотникова Тамара Андреевна"  # municipal coordinator, Kamensk-Uralsky
ZYKOVA = "Зыкова Марьяна Валерьевна"  # the city's second municipal coordinator

# -- curators ------------------------------------------------------------------------------
SMIRNOVA = "Смирнова Светлана Анатольевна"  # curates СШ № 17 and Лицей № 9 (works at СШ № 34)
TELYATNIKOV = "Телятников Александр Юрьевич"  # curates СШ № 35 and СШ № 51 (works at СШ № 21)

# -- school staff (names as the directory of schools gives them) ---------------------------
GAREEVA = "Гареева Л.Г."  # director of СШ № 17
MALASHENKO = "Малашенко И.В."  # director of Лицей № 9

# -- by role -------------------------------------------------------------------------------
REGIONAL = ZHIGULINA
COORDINATOR = PLOTNIKOVA
CURATOR = SMIRNOVA
CURATOR_17 = SMIRNOVA
CURATOR_35 = TELYATNIKOV
DIRECTOR = GAREEVA
DIRECTOR_17 = GAREEVA
DIRECTOR_9 = MALASHENKO
