"""One module per ``govwatch`` command (or command group)."""
