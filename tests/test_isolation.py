"""A copied block runs alone as it would for a reader, and two runs print the same."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.examples import MODULES, collect, is_timing, masked, measured, printed_lines, run_alone, run_key, submit
from harness.pytest_plugin import code_blocks
from harness.site_build import ROOT
from harness.standalone import shared_runner

PAGES = sorted((ROOT / "docs").glob("*/*.md"))

# What a program can see of the interpreter it runs in.
PROBE = """
import os, sys
import torch
torch.manual_seed(0)
print(torch.rand(2), torch.get_default_dtype(), torch.tensor([1 / 3]), torch.get_num_threads())
print(__name__, sys.argv, os.path.basename(__file__), os.path.isabs(__file__), sys.path[0] == os.getcwd())
print(sorted(os.listdir()))
print("reference_optim" in sys.modules, "harness" in sys.modules)
"""


@pytest.fixture(scope="module")
def runner():
    return shared_runner()


def test_a_program_runs_as_in_a_fresh_interpreter(runner, tmp_path):
    """The runner's child sees what `python example.py` in an empty folder sees."""
    (tmp_path / "example.py").write_text(PROBE)
    (tmp_path / "reference_optim.py").write_bytes((MODULES / "reference_optim.py").read_bytes())
    fresh = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True,
                           check=True).stdout
    alone = runner.run(PROBE, [MODULES / "reference_optim.py"])
    assert alone.error is None and alone.stderr == ""
    assert alone.stdout == fresh
    assert "['example.py', 'reference_optim.py']" in fresh


def test_a_failure_names_the_line_and_the_error(runner):
    result = runner.run("import torch\n\nprint(w)\n")
    assert result.error == "NameError: name 'w' is not defined"
    assert result.line == 3
    assert "example.py" in result.traceback and "harness" not in result.traceback


def test_unseeded_random_numbers_differ_between_runs(runner):
    """As in two fresh interpreters: a block that forgets its seed cannot pass by luck."""
    code = "import random, torch\nprint(torch.rand(1).item(), random.random())"
    assert runner.run(code).stdout != runner.run(code).stdout


def submit_second_runs():
    """Each distinct program once (unless collecting the pages submitted it already), then each
    a second time, in reverse order."""
    blocks = list({run_key(block): block for page in PAGES for block in code_blocks(page)}.values())
    for block in blocks:
        submit(block)
    for block in reversed(blocks):
        submit(block, shared_runner(), f"again {run_key(block)}")
    return blocks


@pytest.mark.submit_ahead.with_args(submit_second_runs)
def test_two_runs_print_the_same():
    """Every distinct program of the pages, run a second time in reverse order, prints what its
    first run printed (the doc tests' own run, shared by the block's twin in the other language)."""
    blocks = submit_second_runs()  # submitted already, unless this test runs alone
    assert blocks
    runner = shared_runner()

    def comparable(block, result):
        """What must repeat: everything, but the measured numbers of a block that prints timings."""
        lines = printed_lines(result.stdout)
        return masked(lines, measured(block, result)) if is_timing(block) else lines

    first = {str(block.origin): comparable(block, run_alone(block)) for block in blocks}
    again = {str(block.origin): comparable(block, collect(block, runner, f"again {run_key(block)}")) for block in blocks}
    assert again == first


def test_a_program_that_hangs_fails_at_the_deadline(runner):
    """A stuck program is stopped at its deadline and reported as stuck, not run again."""
    stuck = runner.run("import time\ntime.sleep(60)\n", timeout=2)
    assert stuck.error.startswith("the program did not finish in 2 s and was stopped")
    assert runner.run("print('next')\n").stdout == "next\n"


def test_results_nobody_waits_for_yet_do_not_stall_the_runner(runner, tmp_path):
    """The full suite submits every block at collection and reads the results minutes later.
    The results must not back up in the server's pipe (64 KiB): a server blocked writing one
    stops reaping the children that finish meanwhile, and their deadline passes while they
    wait to be collected (that was the "hang" once per full run)."""
    assert runner.run("print('ready')\n").stdout == "ready\n"  # torch imported, children forking
    runs = tmp_path / "runs"
    keys = [f"chatty {n} {tmp_path}" for n in range(40)]
    for n, key in enumerate(keys):  # 40 x 4 KiB: more than a pipe holds
        runner.submit(key, f"open({str(runs)!r}, 'a').write('{n} ')\nprint({n}, 'x' * 4096)\n", timeout=2)
    time.sleep(6)  # busy elsewhere, as the suite is with tests/ before docs/
    results = [runner.result(key) for key in keys]
    assert [result.error for result in results] == [None] * len(keys)
    assert [result.stdout.split()[0] for result in results] == [str(n) for n in range(len(keys))]
    assert sorted(map(int, runs.read_text().split())) == list(range(len(keys))), "each program ran once"


STARTS_A_SLEEPER = """
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("started")
"""


def test_a_program_that_leaves_a_process_running_fails_and_the_process_is_stopped(runner):
    """A multi-process block must join what it starts: a rank left behind would hold its port
    (and, in a hung collective, run forever)."""
    left = runner.run(STARTS_A_SLEEPER, timeout=20)
    assert left.stdout == "started\n"
    assert left.error.startswith("the program ended but left 1 process(es) running (python"), left.error
    assert "join or terminate every process it starts" in left.error


def test_a_stuck_program_is_stopped_with_the_processes_it_started(runner, tmp_path):
    """At the deadline the program's whole group is stopped: a rank blocked in a collective too."""
    marker = tmp_path / "rank"
    rank = f"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    code = f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {rank!r}]).wait()\n"
    stuck = runner.run(code, timeout=3)
    assert stuck.error.startswith("the program did not finish in 3 s and was stopped")
    pid = int(marker.read_text())
    time.sleep(0.2)
    assert not running(pid)


def running(pid: int) -> bool:
    """Whether a process runs (an ended one may stay a zombie until someone collects it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False
