"""Run a program the way a reader runs what they copied: alone, from a fresh interpreter's state.

A server process imports torch once and then forks one child per program, so a program
costs a fork instead of an interpreter start and a torch import. The child starts from the
state the server had right after ``import torch`` (nothing seeded, default print options and
dtype: the harness sets nothing), in an empty folder that holds the program as
``example.py`` and only the project files it needs, with that folder first on ``sys.path``
and the program as ``__main__``. Its stdout and stderr are captured at the file-descriptor
level, so C++ warnings are seen too.

    runner = Runner()
    runner.submit(key, code, files)   # as many as wanted, ahead of time
    result = runner.result(key)      # stdout, stderr, and the error if it raised

A thread of the client reads every result as soon as the server writes it, so the server
never waits on a full pipe while its children run: it reaps each child the moment it exits,
and a program's deadline measures the program alone.

A program may also be run under a made-up clock (``clock=1`` or ``2``, see ``_made_up_clock``),
which tells the numbers it measures from the others.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = "example.py"
# A program that runs this long is stuck (the longest block takes seconds) and fails; tests set less.
TIMEOUT_S = int(os.environ.get("STANDALONE_TIMEOUT_S", "120"))
CLOCKS = (1, 2)  # the made-up clocks a program can be run under


@dataclass
class Result:
    stdout: str
    stderr: str
    error: str | None = None  # "NameError: name 'w' is not defined"
    line: int | None = None  # line of the program where the error was raised
    traceback: str | None = None
    clocked: list[Result] | None = None  # the same program's runs under the made-up clocks, when asked for


class Runner:
    """A client of the fork server. Programs may be submitted ahead; the server runs as many at
    once as there are CPUs, and each result is collected by the key it was submitted with."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="standalone-")
        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        # The server's heap on transparent huge pages: a fork copies one entry per 2 MiB instead
        # of 512, which halves what each program costs (glibc reads this once, at start; the
        # server gives the programs back the environment it was given).
        tunables = os.environ.get("GLIBC_TUNABLES")
        env["GLIBC_TUNABLES"] = ":".join(filter(None, [tunables, "glibc.malloc.hugetlb=1"]))
        boot = (f"import sys; sys.path[0] = {str(ROOT)!r}; from harness.standalone import serve; "
                f"serve({tunables!r})")
        self.process = subprocess.Popen(
            [sys.executable, "-c", boot], cwd=self.folder, env=env, start_new_session=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
        )
        self.submitted: set[str] = set()
        self.results: dict[str, Result] = {}
        self.arrived = threading.Condition()
        self.count = 0
        # Results are read as they come, whether or not anyone waits for them yet: a server
        # blocked on a full pipe would leave its finished children unreaped past their deadline.
        self.reader = threading.Thread(target=self._read_results, name="standalone-results", daemon=True)
        self.reader.start()

    def _read_results(self) -> None:
        for line in self.process.stdout:
            answer = json.loads(line)
            key = answer.pop("key")
            with self.arrived:
                self.results[key] = Result(**answer)
                self.arrived.notify_all()
        with self.arrived:
            self.arrived.notify_all()

    def submit(self, key: str, code: str, files: list[Path] = (), timeout: float | None = None,
               clock: int | None = None) -> None:
        """Run a program under a key; a key already submitted is not run again. It is stopped
        after ``timeout`` seconds (default ``TIMEOUT_S``); ``clock`` runs it under a made-up clock."""
        if key in self.submitted:
            return
        self.submitted.add(key)
        request = {"key": key, "code": code, "files": [str(f) for f in files], "timeout": timeout or TIMEOUT_S,
                   "clock": clock}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()

    def result(self, key: str) -> Result:
        """The result of a submitted program, waiting for it; it stays there for the next caller."""
        with self.arrived:
            self.arrived.wait_for(lambda: key in self.results or not self.reader.is_alive())
            if key not in self.results:
                raise RuntimeError(f"the standalone runner stopped (exit status {self.process.wait()})")
            return self.results[key]

    def run(self, code: str, files: list[Path] = (), timeout: float | None = None) -> Result:
        self.count += 1
        key = f"run {self.count}"
        self.submit(key, code, files, timeout)
        return self.result(key)

    def close(self) -> None:
        """Stop the server (done at exit for the shared runner)."""
        if self.process.poll() is None:
            if self.submitted - self.results.keys():  # an interrupted run: stop what still runs
                self.process.terminate()  # the server stops its programs' groups, then itself
            else:
                self.process.stdin.close()
            self.process.wait()
        self.reader.join()
        shutil.rmtree(self.folder, ignore_errors=True)


def serve(tunables: str | None = None) -> None:
    """The server loop: JSON requests, one per line, on stdin; JSON results, one per line, on
    stdout, in the order the programs finish. At most one program per CPU runs at a time."""
    sys.path.pop(0)  # the repository: a program finds only what a reader's Python would
    if tunables is None:
        os.environ.pop("GLIBC_TUNABLES", None)
    else:
        os.environ["GLIBC_TUNABLES"] = tunables
    # Imported once here, so that no program pays for them: torch, and torch._dynamo, which
    # creating a program's first optimizer imports (about a second). Importing them sets nothing
    # a program can see: no seed, print option, default dtype or thread pool.
    import torch  # noqa: F401
    import torch._dynamo  # noqa: F401

    def warm(code: str) -> None:
        # Inductor, torch.compile's backend, takes seconds to import: the first program that
        # compiles pays for it here, once, and the server's later forks start with it.
        if "torch.compile" in code and "torch._inductor.compile_fx" not in sys.modules:
            import torch._inductor.compile_fx  # noqa: F401

    waiting: list[dict] = []
    running: dict[int, tuple[dict, Running]] = {}  # read end of the child's pipe -> its request

    def stop(*_):
        for _, started in running.values():
            try:
                os.killpg(started.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # ended meanwhile
        os._exit(1)

    signal.signal(signal.SIGTERM, stop)
    pending, stdin_open = b"", True
    while stdin_open or waiting or running:
        while waiting and len(running) < (os.cpu_count() or 1):
            request = waiting.pop(0)
            warm(request["code"])
            started = start(request["code"], request["files"], request["timeout"], request["clock"])
            running[started.done] = (request, started)
        readable = [0] * stdin_open + list(running)
        now = time.monotonic()
        timeout = min((s.deadline for _, s in running.values() if not s.killed), default=now + 3600) - now
        for fd in select.select(readable, [], [], max(timeout, 0) + 0.01)[0]:
            if fd == 0:
                chunk = os.read(0, 1 << 16)
                stdin_open = bool(chunk)
                *lines, pending = (pending + chunk).split(b"\n")
                waiting.extend(json.loads(line) for line in lines if line.strip())
            else:
                request, started = running.pop(fd)
                result = finish(started)
                answer = {"key": request["key"], **result.__dict__}
                sys.stdout.write(json.dumps(answer) + "\n")
                sys.stdout.flush()
        # Only after every finished child was collected: a child still running now is overdue.
        now = time.monotonic()
        for _, started in running.values():
            if now > started.deadline and not started.killed:
                # with every process it started (ranks of a hung collective): its pipe closes,
                # and it is reported as stuck above
                os.killpg(started.pid, signal.SIGKILL)
                started.killed = True


@dataclass
class Running:
    pid: int
    done: int  # read end of a pipe whose write end only the child holds: readable once it exits
    work: tempfile.TemporaryDirectory
    capture: tempfile.TemporaryDirectory
    timeout: float
    deadline: float
    killed: bool = False


def start(code: str, files: list[str], timeout: float, clock: int | None = None) -> Running:
    work, capture = tempfile.TemporaryDirectory(), tempfile.TemporaryDirectory()
    for file in files:
        shutil.copy(file, work.name)
    program = os.path.join(work.name, PROGRAM)
    Path(program).write_text(code, encoding="utf-8")
    for name in ("out", "err"):
        Path(capture.name, name).touch()
    done, keep = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)  # a group of its own: the processes it starts can be found and stopped
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # as in a fresh interpreter, not the server's
        os.close(done)
        _child(code, program, capture.name, clock)
    os.setpgid(pid, pid)  # also here, so that the group exists before the child runs
    os.close(keep)
    return Running(pid, done, work, capture, timeout, time.monotonic() + timeout)


def finish(started: Running) -> Result:
    os.close(started.done)
    status = os.waitpid(started.pid, 0)[1]
    left = [] if started.killed else _left_running(started.pid)
    capture = started.capture.name
    out, err = (Path(capture, name).read_text(encoding="utf-8", errors="replace") for name in ("out", "err"))
    report = Path(capture, "status")
    if started.killed:
        result = Result(out, err, error=f"the program did not finish in {started.timeout:g} s and was stopped "
                                        f"(STANDALONE_TIMEOUT_S sets this deadline)")
    elif report.exists():
        result = Result(out, err, **json.loads(report.read_text(encoding="utf-8")))
    else:
        result = Result(out, err, error=f"the program's process ended with status {status} and no report")
    if left and not result.error:
        result.error = (f"the program ended but left {len(left)} process(es) running ({', '.join(left)}), "
                        f"stopped now: join or terminate every process it starts before it ends")
    started.work.cleanup()
    started.capture.cleanup()
    return result


def _left_running(group: int) -> list[str]:
    """The processes of a finished program's group that still run, stopped. A process on its way
    out (multiprocessing's resource tracker ends when its program does) gets a second."""
    for _ in range(20):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return []  # the common case, found without reading /proc
        left = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                pid, rest = stat.read_text().split(" (", 1)
            except OSError:
                continue  # ended meanwhile
            command, fields = rest.rsplit(") ", 1)
            state, _, pgrp = fields.split()[:3]
            if int(pgrp) == group and state != "Z":
                left.append(f"{command} {pid}")
        if not left:
            return []
        time.sleep(0.05)
    os.killpg(group, signal.SIGKILL)
    return left


def _child(code: str, program: str, capture: str, clock: int | None) -> None:
    """Runs in the forked process; never returns."""
    import io
    import traceback
    import types

    report: dict = {}
    try:
        for fd, name in ((1, "out"), (2, "err")):
            os.dup2(os.open(os.path.join(capture, name), os.O_WRONLY), fd)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", write_through=True)
        work = os.path.dirname(program)
        os.chdir(work)
        sys.path.insert(0, work)
        sys.argv = [PROGRAM]
        for name in [name for name in sys.modules if name.split(".")[0] == "harness"]:
            del sys.modules[name]  # the program cannot see the harness
        # A fresh interpreter seeds its random generators unpredictably; a fork would share the
        # server's seeds, and a block that forgot its manual_seed would print the same numbers on
        # every run here but not for the reader. (Python's random reseeds itself after a fork.)
        import torch

        torch.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        if clock:
            _made_up_clock(clock)
        main = types.ModuleType("__main__")
        main.__file__ = program
        sys.modules["__main__"] = main
        exec(compile(code, program, "exec"), main.__dict__)
    except SystemExit as stop:
        if stop.code not in (None, 0):
            report = {"error": f"SystemExit: {stop.code}"}
    except BaseException as error:  # the reader would see this traceback
        report = {
            "error": "".join(traceback.format_exception_only(error)).strip(),
            "line": _failing_line(error, program),
            "traceback": "".join(traceback.format_exception(_from_program(error, program))),
        }
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            Path(capture, "status").write_text(json.dumps(report), encoding="utf-8")
        finally:
            os._exit(0)


def _made_up_clock(power: int) -> None:
    """Replace time.perf_counter (timeit's and torch.utils.benchmark's timer) with a clock whose
    n-th reading is 1 + 2**power + ... + n**power seconds. A duration then depends only on which
    readings it spans, and on another function of them under each clock, so a number computed from
    measured times differs between the two clocks, and nothing else does."""
    import itertools
    import time

    readings = itertools.accumulate(n**power for n in itertools.count(1))
    time.perf_counter = lambda: float(next(readings))
    time.perf_counter_ns = lambda: int(time.perf_counter() * 1e9)
    sys.modules.pop("timeit", None)  # imported by torch, its default timer bound to the real clock


def _from_program(error: BaseException, program: str) -> BaseException:
    """The error with its traceback starting at the program's first frame (no harness frames)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != program:
        tb = tb.tb_next
    return error.with_traceback(tb) if tb is not None else error


def _failing_line(error: BaseException, program: str) -> int | None:
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == program:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None and isinstance(error, SyntaxError) and error.filename == program:
        line = error.lineno
    return line


_shared: Runner | None = None


def shared_runner() -> Runner:
    """The session's runner, started on first use and stopped at exit."""
    global _shared
    if _shared is None:
        import atexit

        _shared = Runner()
        atexit.register(_shared.close)
    return _shared
