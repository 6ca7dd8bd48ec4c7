"""Reporting: see ARCHITECTURE.md."""
