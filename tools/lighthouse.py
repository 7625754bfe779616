"""Run Lighthouse (mobile preset) on every page in both languages and print a table.

    .venv/bin/python tools/lighthouse.py [--runs 3] [--pages zh/adam ...] [--save tools/lighthouse_results.md]

Each page is audited --runs times and the table gives each figure's median over the runs
(single runs move by about 0.1 in performance on a busy machine). --save also writes the
Chinese table beside it (tools/lighthouse_results.zh.md).

Needs Node.js with npm and Debian's Chromium (/usr/bin/chromium). Lighthouse 12.2.3 is
installed into .cache/lighthouse on first use (13 needs Node 22). The site is built with
`mkdocs build --strict` and served by nginx on 127.0.0.1 under /optimizer-step/ with gzip, as GitHub Pages serves a project page. Budget: performance >= 98, accessibility,
best practices and SEO 100, at most 150 KiB, LCP at most 2.0 s and total blocking time at most
100 ms, and no request to any other host.
"""

import argparse
import json
import os
import statistics
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
CACHE = ROOT / ".cache" / "lighthouse"  # not PREFIX, the sub-path the site is served under
BINARY = CACHE / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
                "--disable-component-update --disable-sync --disable-quic")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def install():
    if not BINARY.exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--exact",
                        f"lighthouse@{LIGHTHOUSE_VERSION}", "--prefix", str(CACHE)], check=True)


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
        "tbt": audits["total-blocking-time"]["numericValue"],
    }


def median_run(url, work, runs):
    """Each figure's median over the runs."""
    results = [audit(url, work) for _ in range(runs)]
    return {key: statistics.median(result[key] for result in results) for key in results[0]}


# The table's words in each language of the site (the testing page includes its own).
WORDS = {
    "en": {"head": ["page", "perf", "a11y", "best practices", "SEO", "KiB", "requests", "third-party",
                    "FCP s", "LCP s", "TBT ms"],
           "summary": "Lighthouse {version}, mobile preset, median of {runs} run(s) per page, {day}: {verdict}",
           "within": "every page within budget", "over": "OVER BUDGET"},
    "zh": {"head": ["页面", "性能", "无障碍", "最佳实践", "SEO", "KiB", "请求数", "第三方请求",
                    "FCP（秒）", "LCP（秒）", "TBT（毫秒）"],
           "summary": "Lighthouse {version}，移动端预设，每页 {runs} 次运行的中位数，{day}：{verdict}",
           "within": "每一页都在预算之内", "over": "有页面超出预算"},
}


def render(rows, within, day, runs):
    """The results table in each language: {locale: Markdown}."""
    tables = {}
    for locale, words in WORDS.items():
        lines = ["| " + " | ".join(words["head"]) + " |", "| --- |" + " ---: |" * (len(words["head"]) - 1)]
        lines += [
            f"| `{page}` | {r['performance']} | {r['accessibility']} | {r['best-practices']} | {r['seo']} "
            f"| {r['kib']:.0f} | {r['requests']:.0f} | {r['third_party']:.0f} | {r['fcp']:.1f} | {r['lcp']:.1f} "
            f"| {r['tbt']:.0f} |"
            for page, r in rows
        ]
        verdict = words["within"] if within else words["over"]
        lines += ["", words["summary"].format(version=LIGHTHOUSE_VERSION, day=day, verdict=verdict, runs=runs)]
        tables[locale] = "\n".join(lines)
    return tables


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="also write the table (Markdown) to this file")
    parser.add_argument("--runs", type=int, default=3, help="audits per page; the table gives medians")
    parser.add_argument("--pages", nargs="+", help="only these pages, e.g. zh/adam (default: all)")
    parser.add_argument("--site", type=Path, help="audit this build (default: build the site)")
    args = parser.parse_args()
    pages = [(locale, name) for locale in LANGUAGES for name in page_names()
             if not args.pages or f"{locale}/{name.removesuffix('.md')}" in args.pages]
    install()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        port = free_port()
        site = args.site or build_site(work / "site", site_url=f"http://127.0.0.1:{port}{PREFIX}")
        served = StaticHost(site, port).start()
        try:
            rows = []
            for locale, name in pages:
                rows.append((f"/{page_path(locale, name)}", median_run(served.url + page_path(locale, name), work, args.runs)))
                print(*rows[-1], file=sys.stderr, flush=True)  # progress: a full run takes long
        finally:
            served.stop()

    within = all(r["performance"] >= 98 and r["accessibility"] == r["best-practices"] == r["seo"] == 100
                 and r["third_party"] == 0 and r["kib"] <= 150 and r["lcp"] <= 2.0 and r["tbt"] <= 100
                 for _, r in rows)
    tables = render(rows, within, date.today(), args.runs)
    print(tables["en"])
    if args.save:
        for locale, table in tables.items():
            target = args.save if locale == "en" else args.save.with_suffix(f".{locale}.md")
            target.write_text(table + "\n")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
