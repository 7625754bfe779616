"""Time from a reader's first keystroke in the search box to the first result, on a slow phone.

    .venv/bin/python tools/search_latency.py [--site DIR] [--runs 3] [--locale zh]

The search index is downloaded only when the reader starts a search (hooks/search_on_demand.js),
so the first query pays for the index, Material's worker and building the index. This opens
the home page of the language with the largest index, served by nginx as the tests serve it,
throttled as Lighthouse's mobile preset is (DevTools slow 4G: 562.5 ms round trip, 1474.56
kbit/s down, 675 kbit/s up; CPU 4x slower), waits until the network is idle, then clicks
into the search box and enters a query at once, as an input method commits it (then a key,
which Material reads the query on); the page's own clock times the first input to the first
result in the list. Each run uses a fresh browser context (nothing cached).
Prints each run and the median. A measurement, not a test: nothing is asserted.
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.browser import page_url  # noqa: E402
from harness.site_build import LANGUAGES, build_site  # noqa: E402
from harness.static_host import StaticHost, free_port  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SLOW_4G = {"offline": False, "latency": 562.5, "downloadThroughput": 1474.56 * 1024 / 8,
           "uploadThroughput": 675 * 1024 / 8}
CPU_SLOWDOWN = 4
QUERY = {"en": "momentum", "zh": "动量"}

TIMER = """() => {
    window.firstKey = null;
    window.firstResult = null;
    for (const type of ["keydown", "input"])  // an input method commits text without keys
        document.addEventListener(type, () => { window.firstKey ??= performance.now(); }, true);
    new MutationObserver(() => {
        if (window.firstKey !== null && document.querySelector(".md-search-result__item"))
            window.firstResult ??= performance.now();
    }).observe(document.querySelector(".md-search-result__list"), {childList: true});
}"""


def first_result_ms(browser, url, query):
    context = browser.new_context()
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.emulateNetworkConditions", SLOW_4G)
    devtools.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.goto(url, wait_until="networkidle")
    page.evaluate(TIMER)
    page.locator(".md-search__input").click()
    page.keyboard.insert_text(query)  # as an input method commits it
    page.keyboard.press("End")  # Material reads the query on key-up
    page.wait_for_function("() => window.firstResult !== null", timeout=60_000)
    elapsed = page.evaluate("window.firstResult - window.firstKey")
    context.close()
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--locale", default="zh", choices=LANGUAGES, help="zh has the largest index")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as work:
        site = args.site or build_site(Path(work) / "site")
        index_kib = (site / LANGUAGES[args.locale] / "search" / "search_index.json").stat().st_size / 1024
        served = StaticHost(site, free_port()).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                url = page_url(served.url, args.locale, "index.md")
                times = []
                for run in range(args.runs):
                    times.append(first_result_ms(browser, url, QUERY[args.locale]))
                    print(f"run {run + 1}: {times[-1]:.0f} ms", flush=True)
                browser.close()
        finally:
            served.stop()
    print(f"first keystroke to first result, {args.locale} ({index_kib:.0f} KiB index, "
          f"slow 4G, CPU/{CPU_SLOWDOWN}): median {statistics.median(times):.0f} ms of {args.runs} runs")


if __name__ == "__main__":
    main()
