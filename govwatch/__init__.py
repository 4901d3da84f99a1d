"""The ``govwatch`` command line, the targets file, the demo, and reports."""
