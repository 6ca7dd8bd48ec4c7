"""People who keep using the bot while it is killed under them.

Each answers the latest question of one flow, as it stands in the chat. When no answer
comes in a few seconds (a restart is slow, or the kill came before the update was written
to the inbox), they do it again, as people do; when that does not help either (a stale
button), they start the flow over with its command.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter

from bot import texts
from bot.fake_bot_api import FakeTelegram
from bot.fake_bot_api.records import FakeUser, SentMessage
from bot.services.roadmaps.roadmap_import import HEADERS
from tests.support.roadmap_files import table_to_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ANSWER_WAIT = 4.0  # longer than a restart: an answer still coming is not asked for twice
IMPORT_ITEMS = 5


class PatientUser:
    command = ""

    def __init__(self, fake: FakeTelegram, user: FakeUser) -> None:
        self.fake, self.user = fake, user
        self.step = "—"  # the question last answered: where a kill found this person
        self.repeats = 0  # answers given twice because none came
        self.restarts = 0  # flows started over
        self.seen_errors: set[str] = set()  # texts nobody should ever get

    def recognise(self, message: SentMessage) -> str | None:
        raise NotImplementedError

    def act(self, step: str, message: SentMessage) -> None:
        raise NotImplementedError

    def _latest(self) -> tuple[str, SentMessage] | None:
        for message in reversed(self.fake.sent):
            if message.chat_id != self.user.id:
                continue
            if texts.INTERNAL_ERROR in message.plain_text or "Traceback" in message.plain_text:
                self.seen_errors.add(message.plain_text)
            step = self.recognise(message)
            if step is not None:
                return step, message
        return None

    @staticmethod
    def _shape(found: tuple[str, SentMessage] | None) -> object:
        if found is None:
            return None
        step, message = found
        return step, message.message_id, message.text, tuple(message.button_texts)

    async def run(self, stop: asyncio.Event) -> None:
        unanswered = 0
        while not stop.is_set():
            found = self._latest()
            if found is None or unanswered >= 2:
                self.restarts += found is not None
                self.step = f"{self.command} (again)" if found else self.command
                self.fake.send_text(self.user, self.command)
                unanswered = 0
            else:
                self.step = found[0]
                self.repeats += unanswered > 0
                try:
                    self.act(*found)
                except AssertionError:  # the button is gone: start over on the next turn
                    unanswered = 2
                    continue
            before = self._shape(found)
            try:
                await self.fake.wait_for(
                    lambda before=before: stop.is_set() or self._shape(self._latest()) != before,
                    limit=ANSWER_WAIT,
                )
                unanswered = 0
            except TimeoutError:
                unanswered += 1


class VisitingCurator(PatientUser):
    """Records visits, one after another. Every finding typed is numbered anew, so two visits
    with one number can only come from one draft saved twice. The schools alternate: the
    director of СШ № 17 is told of half of them (one message a second per chat is all
    Telegram allows, and a longer queue to one person only makes the test slower)."""

    command = "/visit"

    def __init__(self, fake: FakeTelegram, user: FakeUser) -> None:
        super().__init__(fake, user)
        self.typed = 0
        self.saving: int | None = None  # the visit whose card «Сохранить» was pressed on
        self.confirmed: set[int] = set()  # visits the bot said were saved
        self._acknowledged: set[int] = set()

    def recognise(self, message: SentMessage) -> str | None:
        text = message.plain_text
        for step, marker in [
            ("school", texts.VISIT_CHOOSE_SCHOOL),
            ("date", texts.VISIT_CHOOSE_DATE),
            ("format", texts.VISIT_CHOOSE_FORMAT),
            ("purpose", texts.VISIT_PURPOSE),
            ("participants", texts.VISIT_PARTICIPANTS),
            ("findings", texts.VISIT_FINDINGS),
            ("recommendations", texts.VISIT_RECOMMENDATIONS),
            ("next steps", "Договорённости (необязательно)"),
            ("attachments", "Вложения (необязательно)"),
            ("card", "Проверьте посещение"),
            ("saved", texts.VISIT_SAVED),
            ("resume", "незаконченная запись посещения"),
        ]:
            if text.startswith(marker) or (step == "resume" and marker in text):
                return step
        return None

    def act(self, step: str, message: SentMessage) -> None:
        user, press = self.user, self.fake.press_button
        if step == "saved":
            if message.message_id not in self._acknowledged:
                self._acknowledged.add(message.message_id)
                if self.saving is not None:
                    self.confirmed.add(self.saving)
            self.fake.send_text(user, self.command)
        elif step == "card":
            found = re.search(r"посещении (\d+)", message.plain_text)
            self.saving = int(found.group(1)) if found else None
            press(user, texts.BUTTON_SAVE)
        elif step == "participants":
            ticked = "✅ Директор" in message.button_texts
            press(user, texts.BUTTON_DONE if ticked else "Директор")
        elif step in ("next steps", "attachments"):
            press(user, texts.BUTTON_DONE)
        elif step == "findings":
            self.typed += 1
            self.fake.send_text(user, f"Выявлено в посещении {self.typed}")
        elif step in ("purpose", "recommendations"):
            typed = {
                "purpose": "Анализ результатов ВПР",
                "recommendations": "Составить индивидуальные планы",
            }
            self.fake.send_text(user, typed[step])
        elif step == "school":
            press(user, "СШ № 17" if self.typed % 2 == 0 else "Лицей № 9")
        else:
            press(user, _BUTTONS[step])


_BUTTONS = {
    "date": texts.BUTTON_YESTERDAY,
    "format": "Выезд в школу",
    "resume": texts.BUTTON_RESUME,
}


def roadmap_file(number: int) -> bytes:
    """File `number`: items «number.1»…«number.5», so each file's items are told apart."""
    rows: list[list[object]] = [list(HEADERS)]
    rows += [
        [f"{number}.{i}", "Раздел", "", f"Мероприятие {i} из файла {number}", "май 2027", "", ""]
        for i in range(1, IMPORT_ITEMS + 1)
    ]
    return table_to_xlsx(rows)


class ImportingDirector(PatientUser):
    """Imports roadmap files for their school, one after another, confirming each."""

    command = "/import"

    def __init__(self, fake: FakeTelegram, user: FakeUser) -> None:
        super().__init__(fake, user)
        self.number = 1
        self.sent_files: Counter[int] = Counter()
        self.confirming: int | None = None  # the file whose preview «Загрузить» was pressed on
        self.confirmed: set[int] = set()  # files the bot said were loaded
        self._acknowledged: set[int] = set()

    def recognise(self, message: SentMessage) -> str | None:
        text = message.plain_text
        if text.startswith("Пришлите файл дорожной карты"):
            return "send file"
        if "Мероприятий прочитано" in text and texts.BUTTON_UPLOAD in message.button_texts:
            return "preview"
        if text.startswith("Дорожная карта загружена"):
            return "loaded"
        return None

    def act(self, step: str, message: SentMessage) -> None:
        if step == "send file":
            self.sent_files[self.number] += 1
            self.fake.send_document(
                self.user, f"plan{self.number}.xlsx", roadmap_file(self.number), XLSX
            )
        elif step == "preview":
            found = re.search(r"^(\d+)\.1\. ", message.plain_text, re.MULTILINE)
            self.confirming = int(found.group(1)) if found else None
            self.fake.press_button(self.user, texts.BUTTON_UPLOAD)
        else:
            if message.message_id not in self._acknowledged:
                self._acknowledged.add(message.message_id)
                if self.confirming is not None:
                    self.confirmed.add(self.confirming)
                self.number = max(self.number, (self.confirming or 0) + 1)
            self.fake.send_text(self.user, self.command)
