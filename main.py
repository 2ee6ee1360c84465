"""The widget page: wires the DOM to chatdump. Nothing else lives here.

The page's elements and browser I/O are in ``browser/``; every decision is in
``chatdump.core`` (tested in CPython, loaded here as is).
"""

from browser.view import View
from browser.widget import Widget

await Widget(View()).start()  # noqa: F704 - PyScript runs the page's script with top-level await
