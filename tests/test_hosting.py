"""The site as a static host serves it: nginx with gzip, under a sub-path, from any address.

The browser tests (tests/test_browser.py) already run every page from nginx under
/optimizer-step/, built for that address. These add what only hosting shows: a build for
one address served from another (a fork's Pages, a preview, a mirror) requests nothing from
the address it was built for, missing pages get the 404 page of their language, and text is
served compressed.
"""

import gzip
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from harness import static_host
from harness.browser import page_url
from harness.site_build import LANGUAGES, build_site, page_names

PAGES = page_names()
ELSEWHERE = "https://owner.github.io/optimizer-step/"  # built for a host these tests never reach


@pytest.fixture(scope="module")
def served_elsewhere(tmp_path_factory, browser):
    """A build for ELSEWHERE, served from 127.0.0.1 under the same sub-path."""
    site = build_site(tmp_path_factory.mktemp("elsewhere"), site_url=ELSEWHERE)
    host = static_host.StaticHost(site, static_host.free_port()).start()
    yield host
    host.stop()


def test_a_build_for_another_address_loads_every_page_from_where_it_is(served_elsewhere, visit):
    """Canonical and hreflang links name the address the site was built for; nothing that a
    page fetches does. Every page in both languages, and its language switch, with no failed
    request and no request to any other host."""
    from harness.report import report

    local = urlsplit(served_elsewhere.url).netloc
    problems, requests = [], 0
    for locale in LANGUAGES:
        for name in PAGES:
            opened = visit(page_url(served_elsewhere.url, locale, name), wait_until="networkidle")
            assert opened.page.eval_on_selector("link[rel=canonical]", "l => l.getAttribute('href')") == \
                page_url(ELSEWHERE, locale, name)
            requests += len(opened.requests)
            problems += [opened.describe(url) for url in opened.requests if urlsplit(url).netloc != local]
            problems += opened.failures + opened.console
            opened.close()
    report("hosting", "elsewhere", f"a build for {ELSEWHERE} served from {local}: {len(LANGUAGES) * len(PAGES)} pages, "
           f"{requests} requests, {len(problems)} failed or to another host")
    assert problems == []


@pytest.mark.parametrize("locale", LANGUAGES)
def test_a_missing_page_shows_the_404_page_of_its_language(served, visit, locale):
    """Styled like every other page, in its language, with working links; nothing but the
    missing page itself fails to load."""
    home = served.url + LANGUAGES[locale]
    header = visit(home).page.eval_on_selector(".md-header", "h => getComputedStyle(h).backgroundColor")
    url = home + "no/such/page/"
    opened = visit(url, wait_until="networkidle")
    page = opened.page
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
