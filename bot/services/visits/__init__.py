"""Visits: see ARCHITECTURE.md."""
