"""What each page costs a reader: bytes transferred until the network is idle, and DOM size.

    .venv/bin/python tools/page_weight.py [--site DIR]

Every page in both languages is opened in Chromium from nginx (gzip, under /optimizer-step/,
as tests/test_browser.py serves it), each in a fresh context (nothing cached); the table
gives the KiB transferred until the network is idle (Playwright's "networkidle"), the
number of elements in the DOM, and the page's largest request. Then each language's search
index, raw and gzipped. --site measures an existing build instead of building one.
"""

import argparse
import gzip
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.browser import Visit, page_url  # noqa: E402
from harness.site_build import LANGUAGES, build_site, page_names  # noqa: E402
from harness.static_host import StaticHost, free_port  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def index_sizes(site: Path):
    for locale, prefix in LANGUAGES.items():
        data = (site / prefix / "search" / "search_index.json").read_bytes()
        yield locale, len(data), len(gzip.compress(data, 6))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site to measure (default: build one)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as work:
        site = args.site or build_site(Path(work) / "site")
        served = StaticHost(site, free_port()).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                print("| page | KiB | DOM elements | largest request |\n| --- | ---: | ---: | --- |")
                for locale in LANGUAGES:
                    for name in page_names():
                        opened = Visit(browser, page_url(served.url, locale, name), "networkidle")
                        total, largest = opened.weight(largest=1)
                        elements = opened.page.evaluate("document.getElementsByTagName('*').length")
                        print(f"| {locale}/{name} | {total / 1024:.0f} | {elements} | {largest[0]} |", flush=True)
                        opened.close()
                browser.close()
        finally:
            served.stop()
        for locale, raw, packed in index_sizes(site):
            print(f"search index {locale}: {raw / 1024:.0f} KiB, {packed / 1024:.0f} KiB gzipped")


if __name__ == "__main__":
    main()
