import os
from pathlib import Path

import pytest
from hypothesis import settings

from harness.report import SECTIONS
from harness.site_build import serve_built_site

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


@pytest.fixture(scope="module")
def browser():
    """Chromium, driven by Playwright; the browser tests are skipped without it, except in CI."""
    if not CHROMIUM.exists():
        reason = "Chromium is not installed: run `apt-get install chromium` (python3 tools/dev.py test does it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """The site, built once for the local server that serves it, shared by every test."""
    served = serve_built_site(tmp_path_factory.mktemp("site"))
    yield served
    served.stop()


@pytest.fixture(scope="session")
def site(served):
    """The built site's folder."""
    return served.path


def pytest_terminal_summary(terminalreporter):
    for section, lines in SECTIONS.items():
        terminalreporter.section(section)
        for line in lines.values():
            terminalreporter.write_line(line)
