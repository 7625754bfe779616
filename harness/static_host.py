"""Serve a built site the way a static host does: nginx, gzip on, under a sub-path.

A GitHub project page lives at ``https://<owner>.github.io/<repo>/``, so the tests serve the
site under ``/optimizer-step/`` rather than at the root: a URL that only works at the root
fails here. Files may be cached for ten minutes, as GitHub Pages allows. Each language's
missing pages get that language's 404 page, as hosts that look for ``/<locale>/404.html``
serve them. nginx comes from Debian's packages
(``python3 tools/dev.py test`` installs it as root, as it installs Chromium).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.site_build import LANGUAGES

NGINX = Path(os.environ.get("NGINX_PATH", shutil.which("nginx") or "/usr/sbin/nginx"))
MIME_TYPES = "/etc/nginx/mime.types"  # Debian's nginx-common
PREFIX = "/optimizer-step/"  # as a GitHub project page: https://<owner>.github.io/<repo>/

CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    gzip on;
    gzip_types text/css application/javascript text/javascript application/json application/xml
               text/xml image/svg+xml text/plain;
    gzip_min_length 256;
    expires 10m;  # Cache-Control: max-age=600, as GitHub Pages sends for every file
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
{locations}
    }}
}}
"""
LOCATION = """\
        location {prefix} {{
            alias {root}/;
            error_page 404 {prefix}404.html;
        }}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def available() -> bool:
    return NGINX.exists()


@dataclass
class StaticHost:
    """nginx serving ``site`` at ``http://127.0.0.1:<port><prefix>``."""

    site: Path
    port: int
    prefix: str = PREFIX
    process: subprocess.Popen | None = None
    run: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="nginx-")))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    def config(self) -> str:
        locations = [LOCATION.format(prefix=self.prefix + folder, root=(self.site / folder).resolve())
                     for folder in sorted(LANGUAGES.values(), reverse=True)]
        return CONFIG.format(run=self.run, port=self.port, mime_types=MIME_TYPES, locations="\n".join(locations))

    def start(self) -> "StaticHost":
        (self.run / "nginx.conf").write_text(self.config(), encoding="utf-8")
        self.process = subprocess.Popen([str(NGINX), "-p", str(self.run), "-c", str(self.run / "nginx.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx did not start:\n{self.process.stderr.read().decode()}\n"
                                   f"{(self.run / 'error.log').read_text(errors='replace') if (self.run / 'error.log').exists() else ''}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen on port {self.port} within 10 s")

    def errors(self) -> str:
        """What nginx logged at warning level or above (a missing file is logged as an error)."""
        log = self.run / "error.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.run, ignore_errors=True)
