"""Results: see ARCHITECTURE.md."""
