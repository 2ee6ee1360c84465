"""The stdlib-only core, shared by the browser widget (Pyodide) and CPython.

Everything here is pure: no sockets, no files, no clocks read implicitly (callers pass ``now``).
That is what lets the same code run in both places and be tested without a browser.
"""
