"""Pages opened in Chromium (driven by Playwright) with every request and console message recorded."""

from harness.site_build import page_path


def page_url(base, locale, name):
    return base + page_path(locale, name)


class Visit:
    """A page opened in a fresh context, with every request and console message recorded.

    Each request is described with what caused it (Chromium's initiator: the document or
    stylesheet line, or the script and line that fetched it), so a failure names the URL,
    the page and the element or code responsible."""

    def __init__(self, browser, url, wait_until="load", **context_options):
        self.url = url
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.requests, self.failures, self.console = [], [], []
        self.initiators = {}
        self.finished = []  # requests that completed, the search worker's included
        devtools = self.context.new_cdp_session(self.page)
        devtools.on("Network.requestWillBeSent", self.note_initiator)
        devtools.send("Network.enable")
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfinished", lambda request: self.finished.append(request))
        self.failed = []  # requests that failed, for counting those still open
        self.page.on("requestfailed", lambda r: self.failed.append(r) or self.failures.append(self.describe(r.url, r.failure)))
        self.page.on("response", lambda r: r.status >= 400 and self.failures.append(self.describe(r.url, f"HTTP {r.status}")))
        self.page.on("console", lambda m: m.type == "error" and self.console.append(f"{self.url}: {m.text} ({m.location})"))
        self.page.on("pageerror", lambda error: self.console.append(f"{self.url}: {error}"))
        self.page.goto(url, wait_until=wait_until)

    def wake(self, quiet_ms=150):
        """The reader's first interaction (the pointer moves), after which Material's bundle
        runs (hooks/material_on_interaction.js); returns once it has mounted the page and the
        requests that mounting starts (the search worker, the language switch's sitemap) have
        ended, with none started for quiet_ms."""
        self.page.mouse.move(10, 200)
        self.page.wait_for_function(MOUNTED)
        quiet = 0
        while quiet < quiet_ms:
            self.page.wait_for_timeout(50)
            busy = len(self.requests) > len(self.finished) + len(self.failed)
            quiet = 0 if busy else quiet + 50
        return self.page

    def note_initiator(self, event):
        initiator = event.get("initiator", {})
        frames = initiator.get("stack", {}).get("callFrames", [])
        if frames:
            where = f"script {frames[0]['url']}:{frames[0]['lineNumber'] + 1} ({frames[0]['functionName'] or 'top level'})"
        elif initiator.get("url"):
            where = f"{initiator['type']} {initiator['url']}:{initiator.get('lineNumber', -1) + 1}"
        else:
            where = initiator.get("type", "unknown")
        self.initiators[event["request"]["url"]] = where

    def describe(self, url, problem=""):
        """A request as a failure message: its URL, the page, and what asked for it."""
        elements = []
        try:
            elements = self.page.evaluate("""url => [...document.querySelectorAll("[src],[href],[srcset],[style],[poster],[data]")]
                .filter(e => ["src", "href", "poster", "data"].some(name => e.hasAttribute(name)
                                 && new URL(e.getAttribute(name), document.baseURI).href === url)
                             || ["srcset", "style"].some(name => (e.getAttribute(name) || "").includes(url)))
                .slice(0, 3).map(e => e.outerHTML.slice(0, 160))""", url)
        except Exception:  # noqa: BLE001  the page may be navigating; the initiator still names the cause
            pass
        culprit = "; ".join(elements) or f"initiated by {self.initiators.get(url, 'unknown')}"
        return f"{url} {f'({problem}) ' if problem else ''}on {self.url}: {culprit}"

    def weight(self, largest=5):
        """Bytes transferred so far (response headers and compressed bodies, as Lighthouse
        counts them), and the largest requests as "KiB URL" lines."""
        sizes = []
        for request in self.finished:
            if not request.url.startswith("data:"):
                size = request.sizes()
                sizes.append((size["responseHeadersSize"] + size["responseBodySize"], request.url))
        ranked = sorted(sizes, reverse=True)[:largest]
        return sum(size for size, _ in sizes), [f"{size / 1024:.1f} KiB {url}" for size, url in ranked]

    def close(self):
        self.context.close()


MOUNTED = "() => document.documentElement.dataset.material === 'mounted'"


def search(page, term):
    """Enter a query and return the result links.

    Material reads the query on key-up, and an input method inserts Chinese text without
    one, so a key (End) is pressed after the text, as a reader's next key would. The search
    worker builds its index after the page has loaded and ignores queries until then, so
    the query is entered again until results appear."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(".md-search__input")
    for _ in range(20):
        box.fill(term)
        box.press("End")
        try:
            page.wait_for_selector(".md-search-result__link", timeout=1000)
            break
        except PlaywrightTimeout:
            continue
    return page.eval_on_selector_all(".md-search-result__link", "links => links.map(a => a.href)")
