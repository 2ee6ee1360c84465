"""The widget page's shell: browser-only code (DOM, XMLHttpRequest, postMessage) that wires the page
to ``chatdump.core``. Loaded by ``main.py`` in Pyodide; never imported by CPython code."""
