import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import settings

from harness import static_host
from harness.browser import Visit
from harness.report import SECTIONS
from harness.site_build import BuiltSite, build_site

# The suite: 200 examples per property, no deadline (a slow example on a busy machine is not
# a bug), and derandomized so two runs of the suite do the same thing.
settings.register_profile("suite", max_examples=200, deadline=None, derandomize=True, database=None)
# Exploring (HYPOTHESIS_PROFILE=explore, run weekly): thousands of fresh random examples; a
# failure is printed with the falsifying example and a @reproduce_failure blob to replay it.
settings.register_profile("explore", max_examples=5000, deadline=None, derandomize=False, database=None,
                          print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


# Debian's Chromium by default; CHROMIUM_PATH names another Chromium-based browser.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Chromium as the probe of this workplace runs it: no background traffic to any other host.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]


def require(installed, reason):
    """Skip a test that needs a Debian package which is missing, except in CI, where it fails."""
    if not installed:
        reason += " (python3 tools/dev.py test installs it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """Chromium, driven by Playwright."""
    require(CHROMIUM.exists(), "Chromium is not installed: run `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def visit(browser):
    """Opens pages, each in a fresh context (options: Playwright's new_context), closed after the test."""
    opened = []

    def open_page(url, wait_until="load", **options):
        opened.append(Visit(browser, url, wait_until, **options))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


# The suite builds the site once, as Pages deploys it: for the address it will be published
# at, which these tests never reach; they serve it from 127.0.0.1. A page that fetched anything
# from the address it was built for would fail every browser test.
ELSEWHERE = "https://owner.github.io/optimizer-step/"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The site, built once for ELSEWHERE."""
    return BuiltSite(build_site(tmp_path_factory.mktemp("site"), site_url=ELSEWHERE), ELSEWHERE)


@pytest.fixture(scope="session")
def served(built):
    """That build, served by nginx from 127.0.0.1 under the same sub-path, as a GitHub project
    page is."""
    require(static_host.available(), "nginx is not installed: run `apt-get install nginx`")
    assert urlsplit(built.url).path == static_host.PREFIX
    host = static_host.StaticHost(built.path, static_host.free_port()).start()
    yield host
    host.stop()


@pytest.fixture(scope="session")
def site(built):
    """The built site's folder."""
    return built.path


def pytest_terminal_summary(terminalreporter):
    for section, lines in SECTIONS.items():
        terminalreporter.section(section)
        for line in lines.values():
            terminalreporter.write_line(line)
