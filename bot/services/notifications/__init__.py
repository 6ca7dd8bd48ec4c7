"""Notifications: see ARCHITECTURE.md."""
