"""The page's client of the token endpoint: ``chatdump.endpoint_client`` (the CLI's, over urllib),
made to work here by pyodide-http, which turns ``urllib.request.urlopen`` into a synchronous
XMLHttpRequest.

Synchronous: while one runs, Firefox drops the page's input events, so a click made then is lost
(it was, in tests/browser/test_engines.py, when the URL was asked for after "ready"). The widget
therefore asks for its signed URL before it says "ready", and afterwards only inside a download.
"""

import js
import pyodide_http
from pyscript import window

from chatdump.endpoint_client import EndpointClient


def page_client(grant: str) -> EndpointClient:
    """An endpoint client holding ``grant``, for this page's own chatdump server."""
    pyodide_http.patch_all()
    # The page's own base, not the origin: behind a proxy the API lives under the page's prefix.
    return EndpointClient(str(js.URL.new("./", window.location.href).href), grant)
