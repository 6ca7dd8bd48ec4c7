"""Files the bot produces: spreadsheets, calendars, charts."""
