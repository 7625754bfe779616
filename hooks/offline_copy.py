"""An offline copy of the whole site, both languages, built by the same build and offered on it.

Every `mkdocs build` also builds the site a second time with OFFLINE=true, in a process that
runs beside it (started before the English pages, collected after the Chinese ones), which switches on
Material's offline plugin (plain .html links instead of folder URLs, each search index also as
a script, since file:// cannot be fetched from), and zips it into DOWNLOAD. A page offers it
in a paragraph with a plain <a href="...optimizer-step-offline.zip" download> (raw HTML: the
file is not a page); this hook checks that the link resolves and adds the size after it, and
in the offline copy replaces that paragraph with a line saying which copy the reader has.

Search needs a worker, which Chromium will not start from file://. Material's offline plugin
adds the iframe-worker shim from unpkg.com; this site makes no third-party request, so the
shim is taken from the npm registry at build time instead (pinned, checked against its
published integrity hash, cached in .cache/) and served with the copy.
"""

import base64
import hashlib
import io
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent.parent
DOWNLOAD = "downloads/optimizer-step-offline.zip"
# The paragraph that offers the copy; in the copy itself it becomes a line saying what it is.
OFFER = re.compile(r'<p>((?:(?!</p>).)*?)<a href="([^"]*optimizer-step-offline\.zip)" download>(.*?)</a>(.*?)</p>', re.S)
IN_THE_COPY = {"en": "You are reading the offline copy of this site.", "zh": "你正在阅读本站的离线版。"}
SHIM_VERSION = "1.0.4"
SHIM_TARBALL = f"https://registry.npmjs.org/iframe-worker/-/iframe-worker-{SHIM_VERSION}.tgz"
SHIM_INTEGRITY = "sha512-roeaaI+Lg1LJNfgpCjoRe/+WzEjy9+Z08LoEvu85MCPbBjwm+qXz8Ag5U05lHa6V1CysZyGzE0SOkAtSUA5q7Q=="
SHIM_PATH = "assets/javascripts/iframe-worker.js"
# A fixed date for every file in the archive, so that two builds of the same pages give the same bytes.
EPOCH = (2020, 1, 1, 0, 0, 0)

# The size the offering pages state, known once the copy is zipped at the end of the build.
SIZE = "<!-- size of the offline copy -->"

state = {"serve": False, "build": None, "offers": []}


def offline(config) -> bool:
    plugin = config.plugins.get("material/offline")
    return bool(plugin and plugin.config.enabled)


def on_startup(command, dirty):
    state["serve"] = command == "serve"


def shim() -> bytes:
    """iframe-worker's shim (MIT), from the npm registry, checked against its integrity hash."""
    cached = ROOT / ".cache" / f"iframe-worker-{SHIM_VERSION}.tgz"
    if not cached.exists():
        try:
            with urllib.request.urlopen(SHIM_TARBALL, timeout=60) as response:
                data = response.read()
        except OSError as error:
            raise PluginError(f"hooks/offline_copy.py: cannot download {SHIM_TARBALL}: {error}") from error
        cached.parent.mkdir(exist_ok=True)
        cached.write_bytes(data)
    data = cached.read_bytes()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != SHIM_INTEGRITY:
        cached.unlink()
        raise PluginError(f"hooks/offline_copy.py: {SHIM_TARBALL} does not match its integrity hash")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        code = archive.extractfile("package/shim/index.js").read()
    return b"/* iframe-worker " + SHIM_VERSION.encode() + b" (MIT), https://github.com/squidfunk/iframe-worker */\n" + code


def on_config(config):
    if offline(config):
        # Material's offline plugin has added the shim from unpkg.com: serve our copy instead.
        polyfills = [url for url in config.extra.get("polyfills", []) if "iframe-worker" not in str(url)]
        config.extra["polyfills"] = [*polyfills, SHIM_PATH]
    return config


def nested(config) -> bool:
    """Whether this is the Chinese build that mkdocs-static-i18n runs inside the English one."""
    return config.plugins["i18n"].building


def on_pre_build(config):
    """Start the offline build beside this one (the other CPU); the outer build collects it."""
    if nested(config):
        return  # the English build started it
    state["build"], state["offers"] = None, []
    if offline(config) or state["serve"]:
        return  # the copy has no copy of its own; `mkdocs serve` skips it to stay quick
    work = tempfile.TemporaryDirectory()
    env = {**os.environ, "OFFLINE": "true", "NO_MKDOCS_2_WARNING": "1"}
    log = open(Path(work.name, "log"), "w+", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", config.config_file_path,
         "--site-dir", str(Path(work.name) / "optimizer-step")], cwd=ROOT, env=env, stdout=log, stderr=log)
    state["build"] = (process, work, log)


def on_build_error(error):
    if state["build"]:
        process, work, log = state["build"]
        process.kill()
        process.wait()
        log.close()
        work.cleanup()
        state["build"] = None


def archive() -> bytes:
    """Wait for the offline build and zip it."""
    process, work, log = state["build"]
    with work, log:
        if process.wait():
            log.seek(0)
            raise PluginError(f"hooks/offline_copy.py: the offline build failed:\n{log.read()}")
        site = Path(work.name) / "optimizer-step"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
            for path in sorted(site.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo(path.relative_to(site.parent).as_posix(), EPOCH)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    zipped.writestr(info, path.read_bytes())
    return buffer.getvalue()


def on_post_page(output, page, config):
    def offer(match):
        before, href, text, after = match.groups()
        if offline(config):
            return f'<p><strong>{IN_THE_COPY[config.theme["language"]]}</strong></p>'
        folder = page.url if page.url.endswith("/") or not page.url else posixpath.dirname(page.url)
        if posixpath.normpath(posixpath.join(folder, href)) != DOWNLOAD:
            raise PluginError(f"{page.file.src_uri}: the offline copy's link {href!r} does not lead to {DOWNLOAD}")
        state["offers"].append((page.file.abs_dest_path, config.theme["language"]))
        return f'<p>{before}<a href="{href}" download>{text}</a>{SIZE}{after}</p>'

    return OFFER.sub(offer, output)


@event_priority(-300)  # after hooks/search_per_language.py (-200) has split the index
def on_post_build(config):
    site = Path(config.site_dir)
    if offline(config):
        (site / SHIM_PATH).write_bytes(shim())
        for index in site.rglob("search/search_index.json"):
            index.with_suffix(".js").write_text("var __index = " + index.read_text(encoding="utf-8"), encoding="utf-8")
    elif state["build"] and not nested(config):  # both languages are built: every offer is known
        zipped = archive()
        (site / DOWNLOAD).parent.mkdir(parents=True, exist_ok=True)
        (site / DOWNLOAD).write_bytes(zipped)
        megabytes = f"{len(zipped) / 1e6:.1f} MB"
        for path, language in state["offers"]:
            page = Path(path)
            size = f"（{megabytes}）" if language == "zh" else f" ({megabytes})"
            page.write_text(page.read_text(encoding="utf-8").replace(SIZE, size), encoding="utf-8")
