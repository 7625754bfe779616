"""Run Lighthouse (mobile preset) on every page in both languages and print a table.

    .venv/bin/python tools/lighthouse.py [--save tools/lighthouse_results.md]

--save also writes the Chinese table beside it (tools/lighthouse_results.zh.md).

Needs Node.js with npm and Debian's Chromium (/usr/bin/chromium). Lighthouse 12.2.3 is
installed into .cache/lighthouse on first use (13 needs Node 22). The site is built with
`mkdocs build --strict` and served by nginx on 127.0.0.1 under /optimizer-step/ with gzip, as GitHub Pages serves a project page. Budget: performance >= 98, accessibility,
best practices and SEO 100, and no request to any other host.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.site_build import LANGUAGES, build_site, page_names, page_path  # noqa: E402
from harness.static_host import PREFIX, StaticHost, free_port  # noqa: E402

LIGHTHOUSE_VERSION = "12.2.3"
PREFIX = ROOT / ".cache" / "lighthouse"
BINARY = PREFIX / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
                "--disable-component-update --disable-sync --disable-quic")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def install():
    if not BINARY.exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--exact",
                        f"lighthouse@{LIGHTHOUSE_VERSION}", "--prefix", str(PREFIX)], check=True)


def audit(url, work):
    report = work / "report.json"
    subprocess.run(
        [str(BINARY), url, "--quiet", "--output=json", f"--output-path={report}",
         f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}"],
        check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
    )
    result = json.loads(report.read_text())
    audits = result["audits"]
    requests = audits["network-requests"]["details"]["items"]
    host = urlsplit(url).netloc
    return {
        **{c: round(result["categories"][c]["score"] * 100) for c in CATEGORIES},
        "kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "requests": len(requests),
        "third_party": sum(urlsplit(r["url"]).netloc not in (host, "") for r in requests
                           if r["url"].startswith("http")),
        "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
    }


# The table's words in each language of the site (the testing page includes its own).
WORDS = {
    "en": {"head": ["page", "perf", "a11y", "best practices", "SEO", "KiB", "requests", "third-party",
                    "FCP s", "LCP s"],
           "summary": "Lighthouse {version}, mobile preset, {day}: {verdict}",
           "within": "every page within budget", "over": "OVER BUDGET"},
    "zh": {"head": ["页面", "性能", "无障碍", "最佳实践", "SEO", "KiB", "请求数", "第三方请求",
                    "FCP（秒）", "LCP（秒）"],
           "summary": "Lighthouse {version}，移动端预设，{day}：{verdict}",
           "within": "每一页都在预算之内", "over": "有页面超出预算"},
}


def render(rows, within, day):
    """The results table in each language: {locale: Markdown}."""
    tables = {}
    for locale, words in WORDS.items():
        lines = ["| " + " | ".join(words["head"]) + " |", "| --- |" + " ---: |" * (len(words["head"]) - 1)]
        lines += [
            f"| `{page}` | {r['performance']} | {r['accessibility']} | {r['best-practices']} | {r['seo']} "
            f"| {r['kib']:.0f} | {r['requests']} | {r['third_party']} | {r['fcp']:.1f} | {r['lcp']:.1f} |"
            for page, r in rows
        ]
        verdict = words["within"] if within else words["over"]
        lines += ["", words["summary"].format(version=LIGHTHOUSE_VERSION, day=day, verdict=verdict)]
        tables[locale] = "\n".join(lines)
    return tables


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="also write the table (Markdown) to this file")
    args = parser.parse_args()
    install()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        port = free_port()
        site = build_site(work / "site", site_url=f"http://127.0.0.1:{port}{PREFIX}")
        served = StaticHost(site, port).start()
        try:
            rows = [(f"/{page_path(locale, name)}", audit(served.url + page_path(locale, name), work))
                    for locale in LANGUAGES for name in page_names()]
        finally:
            served.stop()

    within = all(r["performance"] >= 98 and r["accessibility"] == r["best-practices"] == r["seo"] == 100
                 and r["third_party"] == 0 for _, r in rows)
    tables = render(rows, within, date.today())
    print(tables["en"])
    if args.save:
        for locale, table in tables.items():
            target = args.save if locale == "en" else args.save.with_suffix(f".{locale}.md")
            target.write_text(table + "\n")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
