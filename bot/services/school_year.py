"""The school year (1 September – 31 August) as the project's working period.

A school year is named by the calendar year it starts in: 2026 is «2026/27». Curator
assignments (`CuratorAssignment.year`), roadmaps and half-year reports all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

FIRST_MONTH = 9  # September

_LABEL = re.compile(
    r"^\s*(\d{4})\s*(?:[/\-–—]\s*(\d{2}|\d{4}))?\s*(?:г\.?|гг\.?|уч\.?\s*г\.?)?\s*$"
)


@dataclass(frozen=True, order=True)
class SchoolYear:
    start: int

    @classmethod
    def containing(cls, day: date) -> SchoolYear:
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> SchoolYear | None:
        """«2026/27», «2026/2027», «2026-2027», «2026»; None when it is not a school year."""
        match = _LABEL.match(text or "")
        if match is None:
            return None
        start = int(match.group(1))
        end_text = match.group(2)
        if end_text is not None:
            end = int(end_text) if len(end_text) == 4 else (start // 100) * 100 + int(end_text)
            if end != start + 1:
                return None
        if not 2000 <= start <= 2100:
            return None
        return cls(start)

    @property
    def first_day(self) -> date:
        return date(self.start, FIRST_MONTH, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, FIRST_MONTH - 1, 31)

    @property
    def label(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"

    def next(self) -> SchoolYear:
        return SchoolYear(self.start + 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day <= self.last_day
