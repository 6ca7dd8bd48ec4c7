"""Access: see ARCHITECTURE.md."""
