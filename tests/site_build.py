"""Build the site once per test session (``mkdocs build --strict``) for the tests that read it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = {"en": "", "zh": "zh/"}  # locale -> URL prefix in the built site


def build_site(destination: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(destination)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed:\n{result.stderr}")
    return destination


def page_names() -> list[str]:
    """Page file names of the English source, e.g. 'step.md'."""
    return sorted(p.name for p in (ROOT / "docs" / "en").glob("*.md"))


def built_page(site: Path, locale: str, name: str) -> Path:
    stem = name.removesuffix(".md")
    relative = "index.html" if stem == "index" else f"{stem}/index.html"
    return site / LANGUAGES[locale] / relative
