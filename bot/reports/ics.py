"""An .ics file so people can put an event in their phone's calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from bot.models import Event


def event_ics(event: Event, place: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//500+ coordination bot//RU")
    calendar.add("version", "2.0")
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@shnor500")
    entry.add("dtstamp", datetime.now(UTC))
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.starts_at + timedelta(minutes=event.duration_minutes))
    entry.add("summary", event.title)
    entry.add("location", place)
    if event.goal or event.description:
        entry.add("description", "\n".join(filter(None, [event.goal, event.description])))
    calendar.add_component(entry)
    return calendar.to_ical()
