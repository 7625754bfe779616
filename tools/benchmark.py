"""Measure the doc-test suite against the cost of importing torch, and the harness's overhead.

    .venv/bin/python tools/benchmark.py [--save tools/benchmark_results.txt]

Prints, from one run on one machine:
- the floor: wall time of `python -c "import torch"` (median of 5);
- the doc-test suite: wall time of `pytest docs` (median of 3), and its ratio to the floor;
- a standalone run: what running one block alone costs beyond its own code (a program that
  does nothing, run 100 times one after another through the fork server; median);
- the harness overhead per example: pytest on a generated page of 200 trivial examples
  minus pytest on a page of 1, divided by 199 (median of 3; the runs overlap, one per CPU).
--save writes the same figures to a file that the "How this site is tested" page includes.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


def wall(command, repeat, **kwargs):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def generated_page(directory: Path, examples: int) -> Path:
    page = directory / f"trivial_{examples}.md"
    page.write_text("".join(f"```python\nx = {i}\n```\n\n" for i in range(examples)))
    return page


def harness_overhead(repeat):
    with tempfile.TemporaryDirectory() as directory:
        env = {**os.environ, "BENCH_DIR": directory}
        command = [*PYTEST, "-o", "addopts=", "-p", "tools.bench_plugin"]
        one, many = generated_page(Path(directory), 1), generated_page(Path(directory), 200)
        t_one = wall([*command, str(one)], repeat, env=env)
        t_many = wall([*command, str(many)], repeat, env=env)
    return (t_many - t_one) / 199


def standalone_run(repeat):
    from harness.standalone import Runner

    runner = Runner()
    try:
        runner.run("pass")  # the server's start, not a block's cost
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            runner.run("pass")
            times.append(time.perf_counter() - start)
    finally:
        runner.close()
    return statistics.median(times)


def verdict(met: bool) -> str:
    return "met" if met else "not met"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    floor = wall([sys.executable, "-c", "import torch"], 5)
    suite = wall([*PYTEST, "docs"], 3)
    alone = standalone_run(100)
    overhead = harness_overhead(3)
    lines = [
        f"measured {date.today()} on {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores",
        f'floor: python -c "import torch"        {floor:6.2f} s',
        f"doc-test suite: pytest docs            {suite:6.2f} s  = {suite / floor:.1f} x the floor "
        f"(target: at most 3 x, {verdict(suite / floor <= 3)})",
        f"standalone run per block               {alone * 1000:6.2f} ms (target: at most 20 ms, "
        f"{verdict(alone <= 0.020)})",
        f"harness overhead per example           {overhead * 1000:6.2f} ms (runs overlap, one per CPU)",
    ]
    print("\n".join(lines))
    if args.save:
        args.save.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
