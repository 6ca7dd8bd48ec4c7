"""Roadmaps: see ARCHITECTURE.md."""
