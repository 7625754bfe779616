"""Set up the project's virtual environment and run the site or the test suite.

    python3 tools/dev.py serve            # install, then serve the site at http://127.0.0.1:8000
    python3 tools/dev.py test             # install (Chromium and nginx too, as root), then run every test
    python3 tools/dev.py update-outputs   # rewrite every shown output to what its code prints
    python3 tools/dev.py compat [VERSION] # what another PyTorch release would change (default: newest)

Extra arguments after the command go to mkdocs, pytest or update-outputs (pages). The environment lives in .venv and
is reinstalled only when pyproject.toml changes.
"""

import hashlib
import os
import tomllib
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
NGINX = Path(os.environ.get("NGINX_PATH", shutil.which("nginx") or "/usr/sbin/nginx"))  # as harness/static_host.py
# Debian packages the browser tests need, by the file each installs.
PACKAGES = {"chromium": CHROMIUM, "fonts-noto-cjk": Path("/usr/share/fonts/opentype/noto"), "nginx": NGINX}


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


def ensure_browser_packages() -> None:
    """The browser tests drive Debian's Chromium against pages served by nginx; install
    what is missing where we may (root with apt-get)."""
    missing = [package for package, installed in PACKAGES.items() if not installed.exists()]
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Installing {', '.join(missing)} for the browser tests (apt-get)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)
    else:
        print(f"{', '.join(missing)} missing, so the browser tests will be skipped; "
              f"install with: sudo apt-get install {' '.join(missing)}", flush=True)


COMPAT = ROOT / ".venv-compat"
# What a release must still get right: every example of every page (harness.compat), then
# the reference optimizers' properties, the example files run alone, and the figures' data.
COMPAT_TESTS = ["tests/test_reference_optim.py", "tests/test_snippets.py", "tests/test_figures.py"]


def compat(version: str | None) -> int:
    """Run the examples and the torch-dependent tests against another PyTorch release, in
    .venv-compat (never the project's .venv); report what would change, change nothing."""
    python = COMPAT / BIN.relative_to(VENV) / "python"
    if not python.exists():
        print(f"Creating {COMPAT}", flush=True)
        venv.create(COMPAT, with_pip=True)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [pin for pin in project["dependencies"] + project["optional-dependencies"]["test"]
            if not pin.startswith("torch==")]
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *pins], check=True)
    # Without a version: the newest release pip can install here.
    subprocess.run([*pip, *([f"torch=={version}"] if version else ["--upgrade", "torch"])], check=True)
    installed = subprocess.run([str(python), "-c", "import torch; print(torch.__version__)"],
                               capture_output=True, text=True, check=True).stdout.strip()
    print(f"Checking the site against torch {installed} (pinned: "
          f"{next(p for p in project['dependencies'] if p.startswith('torch=='))})", flush=True)
    examples = subprocess.run([str(python), "-m", "harness.compat"], cwd=ROOT).returncode
    tests = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *COMPAT_TESTS], cwd=ROOT).returncode
    print(f"\ntorch {installed}: examples {'as shown' if examples == 0 else 'CHANGE (above)'}; "
          f"reference, example-file and figure tests {'pass' if tests == 0 else 'FAIL (above)'}")
    return 1 if examples or tests else 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test", "update-outputs", "compat"}:
        print(__doc__, file=sys.stderr)
        return 2
    command, extra = sys.argv[1], sys.argv[2:]
    # Material's end-of-life notice is printed on every build; it is not about this site.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    if command == "compat":
        return compat(extra[0] if extra else None)
    ensure_environment()
    if command == "serve":
        argv = [str(BIN / "mkdocs"), "serve", "--dev-addr", "127.0.0.1:8000", *extra]
    elif command == "update-outputs":
        argv = [str(BIN / "python"), "-m", "harness.update_outputs", *extra]
    else:
        ensure_browser_packages()
        argv = [str(BIN / "pytest"), *extra]
    return subprocess.run(argv, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
