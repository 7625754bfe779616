"""Run every block of every page through the standalone runner, round after round, as the full
suite runs them, and count the programs that got stuck.

    .venv/bin/python tools/stress_standalone.py [--rounds 18] [--busy 15] [--deadline 10] [--load 2]

The full suite submits every block when pytest collects and reads the results minutes later,
after tests/ (browser tests, site builds) have kept both cores busy. Each round here does the
same: it submits every block of both languages, stays away for --busy seconds while --load
processes spin on the CPUs, then collects every result. Each program is stopped after --deadline
seconds (every block takes well under one): shorter than --busy, so a runner that stopped
collecting its children while its results wait to be read would show them stuck in every round. Prints the programs run, the stuck ones
(stopped at the deadline) and any other failure, by page and line. 18 rounds of the 288 blocks
run over 5,000 programs.
"""

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.examples import collect, failure_of, read_blocks, submit  # noqa: E402
from harness.standalone import Runner  # noqa: E402


def spin(stop):
    while not stop.is_set():
        sum(range(10_000))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=18)
    parser.add_argument("--busy", type=float, default=15, help="seconds before a round's results are read")
    parser.add_argument("--deadline", type=float, default=10, help="seconds before a program is stopped")
    parser.add_argument("--load", type=int, default=2, help="processes spinning on the CPUs meanwhile")
    args = parser.parse_args()
    blocks = [block for page in sorted((ROOT / "docs").glob("*/*.md"))
              for block in read_blocks(page.read_text(encoding="utf-8"), page)]
    stop = multiprocessing.Event()
    load = [multiprocessing.Process(target=spin, args=(stop,), daemon=True) for _ in range(args.load)]
    for process in load:
        process.start()
    runner = Runner()
    stuck, failed, started = [], [], time.perf_counter()
    try:
        for round_ in range(args.rounds):
            for block in blocks:
                submit(block, runner, f"{block.origin} #{round_}", timeout=args.deadline)
            time.sleep(args.busy)
            for block in blocks:
                result = collect(block, runner, f"{block.origin} #{round_}")
                if result.error and "did not finish" in result.error:
                    stuck.append(f"{block.origin} (round {round_ + 1})")
                elif failure := failure_of(block, result):
                    failed.append(failure.splitlines()[0])
            print(f"round {round_ + 1}/{args.rounds}: {(round_ + 1) * len(blocks)} programs, "
                  f"{len(stuck)} stuck", flush=True)
    finally:
        runner.close()
        stop.set()
    print(f"{args.rounds * len(blocks)} programs in {time.perf_counter() - started:.0f} s "
          f"({args.load} spinning processes, results read {args.busy:g} s after each round's submission, "
          f"deadline {args.deadline:g} s): "
          f"{len(stuck)} stuck, {len(failed)} other failures")
    for line in stuck + failed:
        print(f"  {line}")
    return 1 if stuck or failed else 0


if __name__ == "__main__":
    sys.exit(main())
