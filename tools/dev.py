"""Set up the project's virtual environment and run the site or the test suite.

    python3 tools/dev.py serve            # install, then serve the site at http://127.0.0.1:8000
    python3 tools/dev.py test             # install (Chromium too, as root), then run every test
    python3 tools/dev.py update-outputs   # rewrite every shown output to what its code prints

Extra arguments after the command go to mkdocs, pytest or update-outputs (pages). The environment lives in .venv and
is reinstalled only when pyproject.toml changes.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / "installed-pyproject.sha256"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))  # as tests/conftest.py


def ensure_environment() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"Creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium; install it where we may (root with apt-get)."""
    if CHROMIUM.exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing Chromium and CJK fonts for the browser tests (apt-get)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "fonts-noto-cjk"], check=True, env=env)
    else:
        print("Chromium is missing, so the browser tests will be skipped; "
              "install it with: sudo apt-get install chromium fonts-noto-cjk", flush=True)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test", "update-outputs"}:
        print(__doc__, file=sys.stderr)
        return 2
    command, extra = sys.argv[1], sys.argv[2:]
    ensure_environment()
    # Material's end-of-life notice is printed on every build; it is not about this site.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if command == "serve":
        argv = [str(BIN / "mkdocs"), "serve", "--dev-addr", "127.0.0.1:8000", *extra]
    elif command == "update-outputs":
        argv = [str(BIN / "python"), "-m", "harness.update_outputs", *extra]
    else:
        ensure_chromium()
        argv = [str(BIN / "pytest"), *extra]
    return subprocess.run(argv, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
