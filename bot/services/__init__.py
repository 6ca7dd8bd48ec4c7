"""Domain services: rules and database work, no Telegram. They flush; callers commit."""
