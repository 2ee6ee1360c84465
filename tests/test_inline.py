"""The page as served: its own stylesheets and scripts inlined, each admitted by its hash."""

import base64
import hashlib

import pytest

from chatdump.server.inline import csp_hash, inline_page
from chatdump.server.widget_files import REPO_ROOT

FILES = {"browser/a.css": "p { color: red; }", "browser/b.js": "document.title = 'b';"}
PAGE = (
    '<head><link rel="stylesheet" href="./browser/a.css">'
    '<link rel="stylesheet" href="./vendor/x/core.css">'
    '<script src="./browser/b.js"></script>'
    '<script type="module" src="./vendor/x/core.js"></script></head>'
)


def test_the_pages_own_files_are_inlined_and_hashed_as_csp_sources() -> None:
    page = inline_page(PAGE, FILES.__getitem__)
    assert "<style>p { color: red; }</style>" in page.html
    assert "<script>document.title = 'b';</script>" in page.html
    digest = base64.b64encode(hashlib.sha256(FILES["browser/b.js"].encode()).digest()).decode()
    assert page.script_hashes == (f"'sha256-{digest}'",)
    assert page.style_hashes == (csp_hash(FILES["browser/a.css"]),)


def test_the_runtime_and_module_scripts_stay_links() -> None:
    html = inline_page(PAGE, FILES.__getitem__).html
    assert '<link rel="stylesheet" href="./vendor/x/core.css">' in html
    assert '<script type="module" src="./vendor/x/core.js"></script>' in html


@pytest.mark.parametrize("text", ["a</script>b", "x = '</SCRIPT>'", "<!-- x", "p{}</style>"])
def test_a_file_that_would_break_out_of_its_element_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="cannot be inlined"):
        inline_page(PAGE, lambda _path: text)


def test_the_real_page_inlines_its_two_stylesheets_and_two_scripts() -> None:
    page = inline_page(
        (REPO_ROOT / "index.html").read_text(),
        lambda path: (REPO_ROOT / path).read_text(encoding="utf-8"),
    )
    assert len(page.script_hashes) == 2 and len(page.style_hashes) == 2
    assert 'src="./browser/' not in page.html and 'href="./browser/' not in page.html
    # boot.js must still run before PyScript's core.js (tests/test_embed.py says why).
    assert page.html.index("indexedDB") < page.html.index('src="./vendor/pyscript-')
