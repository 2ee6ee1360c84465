"""chatdump: one-click download and archiving of meeting chat dumps.

This file is also shipped to the browser (the widget imports ``chatdump.core``), so it must stay
stdlib-only and import nothing heavy.
"""

__version__ = "0.1.0"
