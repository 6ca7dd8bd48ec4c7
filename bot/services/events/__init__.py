"""Events: see ARCHITECTURE.md."""
