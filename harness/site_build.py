"""Build the site (``mkdocs build --strict``) and serve it on 127.0.0.1, as a static host would.

The site is built for the address it is served from (``SITE_URL``, read by mkdocs.yml), so
its canonical URLs, hreflang alternates and sitemap point at the local server, just as the
deployed build points at the real host. The server compresses text with gzip, as GitHub
Pages does, so that page weights measured here are the ones readers download.
"""

import functools
import gzip
import http.server
import io
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = {"en": "", "zh": "zh/"}  # locale -> URL prefix in the built site
COMPRESSED = {".html", ".css", ".js", ".json", ".xml", ".svg", ".txt"}


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


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files like a static host: gzip for text when the browser accepts it."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()  # the redirect to the folder's URL
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (wants_gzip and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    """A browser that closes a connection early (a prefetch it no longer needs) is not an error:
    only real errors are printed, so that they stand out."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@dataclass
class ServedSite:
    path: Path
    url: str  # with a trailing slash
    server: QuietServer

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def serve_built_site(destination: Path) -> ServedSite:
    """Start a server on a free port, then build the site for that address into destination."""
    destination.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(StaticHandler, directory=str(destination))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        build_site(destination, site_url=url)
    except BaseException:
        server.shutdown()
        raise
    return ServedSite(destination, url, server)


def page_names() -> list[str]:
    """Page file names of the English source, e.g. 'step.md'."""
    return sorted(p.name for p in (ROOT / "docs" / "en").glob("*.md"))


def page_path(locale: str, name: str) -> str:
    """The page's URL path below the site root, e.g. 'zh/step/'."""
    stem = name.removesuffix(".md")
    return LANGUAGES[locale] + ("" if stem == "index" else f"{stem}/")


def built_page(site: Path, locale: str, name: str) -> Path:
    return site / page_path(locale, name) / "index.html"
