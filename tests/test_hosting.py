"""The site as a static host serves it: nginx with gzip, under a sub-path, from any address.

The browser tests (tests/test_browser.py) already run every page from nginx under
/optimizer-step/ on 127.0.0.1, from a build for the address Pages would publish it at (so a
page that fetched anything from the address it was built for fails there). These add what
only hosting shows: missing pages get the 404 page of their language, and text is served
compressed.
"""

import gzip
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from harness.site_build import LANGUAGES


@pytest.mark.parametrize("locale", LANGUAGES)
def test_a_missing_page_shows_the_404_page_of_its_language(served, visit, locale):
    """Styled like every other page, in its language, with working links; nothing but the
    missing page itself fails to load, before or after the reader's first interaction."""
    home = served.url + LANGUAGES[locale]
    header = visit(home).page.eval_on_selector(".md-header", "h => getComputedStyle(h).backgroundColor")
    url = home + "no/such/page/"
    opened = visit(url, wait_until="networkidle")
    page = opened.wake()  # Material's bundle runs there too, with nothing failing
    assert page.evaluate("document.documentElement.lang") == locale
    assert [failure for failure in opened.failures if not failure.startswith(f"{url} (HTTP 404)")] == []
    assert [line for line in opened.console if "404" not in line] == []
    assert page.eval_on_selector(".md-header", "h => getComputedStyle(h).backgroundColor") == header
    assert page.evaluate("document.fonts.ready.then(() => document.styleSheets.length)") >= 2
    for language_root in LANGUAGES.values():
        assert page.locator(f'article a[href="{urlsplit(served.url).path + language_root}"]').count() == 1
    page.click(f'article a[href="{urlsplit(home).path}"]')
    page.wait_for_load_state("load")
    assert page.url == home
    assert page.evaluate("document.documentElement.lang") == locale


def test_text_is_served_compressed(served):
    for path in ("", "zh/step/", "search/search_index.json", "assets/site.css"):
        request = urllib.request.Request(served.url + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip", path
            gzip.decompress(response.read())


def test_a_missing_page_is_a_404_not_a_redirect(served):
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(served.url + "zh/no-such-page/")
    assert error.value.code == 404
    assert '<html lang="zh"' in error.value.read().decode("utf-8")
