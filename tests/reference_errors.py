"""What the equivalence tests saw: examples run and the largest relative error per dtype."""

from harness.report import report

LARGEST: dict[tuple[str, str], float] = {}
EXAMPLES: dict[str, int] = {}


def count_example(name):
    EXAMPLES[name] = EXAMPLES.get(name, 0) + 1
    _report(name)


def record(name, dtype, error):
    key = (name, str(dtype).removeprefix("torch."))
    LARGEST[key] = max(LARGEST.get(key, 0.0), error)
    _report(name)


def _report(name):
    errors = ", ".join(f"{dtype} {error:.2e}" for (n, dtype), error in sorted(LARGEST.items()) if n == name)
    line = f"{name}: {EXAMPLES.get(name, 0)} hypothesis examples; largest relative error {errors}"
    report("reference optimizers vs torch.optim", name, line)
