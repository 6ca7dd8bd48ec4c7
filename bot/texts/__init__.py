"""Every word the bot says, in Russian. Handlers name messages; user input is escaped here.

One module per feature; functions take plain values and return ready HTML. Everything public
is re-exported here, so callers keep writing `from bot import texts` / `texts.X`:

    common         formatting helpers, roles, commands, welcome and help, shared buttons
    errors         ERRORS: the message for each code a service raises; error()
    access         invitations and the audit log
    visits         curators' visits
    followups      follow-ups after visits, review threads of roadmap reports
    roadmaps       roadmaps, the import preview, reports and their review, risk profiles
    events         city events
    notifications  reminders, the weekly digest, notification settings
    reports        summaries, the school card, overdue lists, half-year reports
    exports        words inside the report and export files
    directory      the directory: file import and changes by taps
    school_year    recurring items, the rollover, carrying over or closing last year's items
    results        assessment results, the practice bank, teacher training
    cli            lines the command line prints

A name lives in exactly one module (tests/test_texts_catalog.py checks), so the order below
never decides which text wins.
"""

from __future__ import annotations

from bot.texts.access import *
from bot.texts.cli import *
from bot.texts.common import *
from bot.texts.directory import *
from bot.texts.errors import *
from bot.texts.events import *
from bot.texts.exports import *
from bot.texts.followups import *
from bot.texts.notifications import *
from bot.texts.reports import *
from bot.texts.results import *
from bot.texts.roadmaps import *
from bot.texts.school_year import *
from bot.texts.visits import *
