"""The «500+» coordination bot."""

import os

# python-telegram-bot 22 warns (PTBDeprecationWarning) every time it builds a RetryAfter or
# reads another duration unless the application opts in to the timedelta values its next
# major version will use. The bot reads durations through helpers that accept both.
os.environ.setdefault("PTB_TIMEDELTA", "true")
