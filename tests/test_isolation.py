"""A copied block runs alone as it would for a reader, and two runs print the same."""

import subprocess
import sys

import pytest

from harness.examples import MODULES, collect, is_timing, masked, measured, printed_lines, submit
from harness.pytest_plugin import code_blocks
from harness.site_build import ROOT
from harness.standalone import Runner

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
    runner = Runner()
    yield runner
    runner.close()


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


def test_two_runs_print_the_same(runner):
    """Every block's program, run twice (the second time in reverse order), prints the same."""
    blocks = [block for page in PAGES for block in code_blocks(page)]
    assert blocks

    def printed(order):
        for index in order:
            submit(blocks[index], runner, str(index))
        return {index: comparable(blocks[index], collect(blocks[index], runner, str(index))) for index in order}

    def comparable(block, result):
        """What must repeat: everything, but the measured numbers of a block that prints timings."""
        lines = printed_lines(result.stdout)
        return masked(lines, measured(block, result)) if is_timing(block) else lines

    first = printed(range(len(blocks)))
    assert printed(list(reversed(range(len(blocks))))) == first


def test_a_program_that_hangs_is_run_once_more_then_reported(monkeypatch, tmp_path):
    """A stuck child is killed at the deadline and run again once (a fork of a process with
    native threads can, rarely, inherit a held lock); a program that hangs every time fails."""
    monkeypatch.setenv("STANDALONE_TIMEOUT_S", "2")
    runner = Runner()
    try:
        stuck = runner.run("import time\ntime.sleep(60)\n")
        assert stuck.error == "the program did not finish in 2 s" and stuck.restarted
        marker = tmp_path / "first-run"
        once = runner.run(f"import os, time\nif not os.path.exists({str(marker)!r}):\n"
                          f"    open({str(marker)!r}, 'w').close()\n    time.sleep(60)\nprint('ran')\n")
        assert once.error is None and once.stdout == "ran\n" and once.restarted
    finally:
        runner.close()
