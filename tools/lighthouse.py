"""Run Lighthouse (mobile preset) on every page in both languages and print a table.

    .venv/bin/python tools/lighthouse.py [--save tools/lighthouse_results.md]

Needs Node.js with npm and Debian's Chromium (/usr/bin/chromium). Lighthouse 12.2.3 is
installed into .cache/lighthouse on first use (13 needs Node 22). The site is built with
`mkdocs build --strict` and served on 127.0.0.1 with gzip, as GitHub Pages serves it. Budget: performance >= 98, accessibility,
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

from harness.site_build import LANGUAGES, page_names, page_path, serve_built_site  # noqa: E402

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="also write the table (Markdown) to this file")
    args = parser.parse_args()
    install()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        served = serve_built_site(work / "site")
        rows = [(f"/{page_path(locale, name)}", audit(served.url + page_path(locale, name), work))
                for locale in LANGUAGES for name in page_names()]
        served.stop()

    header = ("| page | perf | a11y | best practices | SEO | KiB | requests | third-party | FCP s | LCP s |\n"
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    lines = [header] + [
        f"| `{page}` | {r['performance']} | {r['accessibility']} | {r['best-practices']} | {r['seo']} "
        f"| {r['kib']:.0f} | {r['requests']} | {r['third_party']} | {r['fcp']:.1f} | {r['lcp']:.1f} |"
        for page, r in rows
    ]
    within = all(r["performance"] >= 98 and r["accessibility"] == r["best-practices"] == r["seo"] == 100
                 and r["third_party"] == 0 for _, r in rows)
    summary = (f"Lighthouse {LIGHTHOUSE_VERSION}, mobile preset, {date.today()}: "
               f"{'every page within budget' if within else 'OVER BUDGET'}")
    table = "\n".join(lines + ["", summary])
    print(table)
    if args.save:
        args.save.write_text(table + "\n")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
