"""A visit being filled in: plain JSON-able data kept in the persisted conversation."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from bot.models import VisitFormat

PARTICIPANT_CODES = (
    "director",
    "deputy_uvr",
    "shmo_heads",
    "teachers",
    "students",
    "parents",
    "other",
)
MAX_TEXT = 2000
MAX_FORMAT_OTHER = 200  # the length of visits.format_other
MAX_PARTICIPANTS_OTHER = 300  # the length of visits.participants_other
MAX_FOLLOW_UPS = 10
MAX_ATTACHMENTS = 20


@dataclass
class DraftAttachment:
    kind: str  # photo | document | location
    file_id: str | None = None
    file_unique_id: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class VisitDraft:
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    visit_id: int | None = None  # set when an existing visit is being edited
    school_id: int | None = None
    visit_date: str | None = None  # ISO
    format: str | None = None
    format_other: str | None = None
    purpose: str | None = None
    roadmap_item_id: int | None = None
    risk_factor_id: int | None = None
    participants: list[str] = field(default_factory=list)
    participants_other: str | None = None
    findings: str | None = None
    recommendations: str | None = None
    follow_ups: list[list[str]] = field(default_factory=list)  # [what, ISO date]
    attachments: list[dict[str, Any]] = field(default_factory=list)
    editing: bool = False  # came from the summary card: return there after the field
    step: int | None = None  # the conversation state last shown, to resume an interrupted draft

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> VisitDraft:
        if not data:
            return cls()
        known = {key: value for key, value in data.items() if key in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def day(self) -> date | None:
        return date.fromisoformat(self.visit_date) if self.visit_date else None

    @property
    def visit_format(self) -> VisitFormat | None:
        return VisitFormat(self.format) if self.format else None

    def has_content(self) -> bool:
        """Something worth asking about before it is thrown away."""
        return bool(self.visit_id or self.visit_date or self.format or self.purpose)

    def toggle_participant(self, code: str) -> None:
        if code not in PARTICIPANT_CODES:
            return
        if code in self.participants:
            self.participants.remove(code)
        else:
            self.participants.append(code)

    def add_attachment(self, attachment: DraftAttachment) -> bool:
        if len(self.attachments) >= MAX_ATTACHMENTS:
            return False
        self.attachments.append(asdict(attachment))
        return True
