"""Build the site (``mkdocs build --strict``) for an address, and name its pages.

The site is built for the address it will be served from (``SITE_URL``, read by
mkdocs.yml), so its canonical URLs, hreflang alternates and sitemap point there, just as the
deployed build points at the real host; ``harness.static_host`` serves it.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = {"en": "", "zh": "zh/"}  # locale -> URL prefix in the built site


def build_site(destination: Path, site_url: str | None = None) -> Path:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if site_url:
        env["SITE_URL"] = site_url
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(destination)],
        cwd=ROOT, capture_output=True, text=True, env=env,
    )
    if result.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed:\n{result.stderr}")
    return destination


@dataclass
class BuiltSite:
    path: Path
    url: str  # the address it was built for, with a trailing slash


def page_names() -> list[str]:
    """Page file names of the English source, e.g. 'step.md'."""
    return sorted(p.name for p in (ROOT / "docs" / "en").glob("*.md"))


def page_path(locale: str, name: str) -> str:
    """The page's URL path below the site root, e.g. 'zh/step/'."""
    stem = name.removesuffix(".md")
    return LANGUAGES[locale] + ("" if stem == "index" else f"{stem}/")


def built_page(site: Path, locale: str, name: str) -> Path:
    return site / page_path(locale, name) / "index.html"
