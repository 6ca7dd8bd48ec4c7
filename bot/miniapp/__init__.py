"""The coordinators' Mini App: static page + JSON API on the bot's own aiohttp server."""
