"""What the equivalence tests saw: examples run and the largest relative error per dtype."""

LARGEST: dict[tuple[str, str], float] = {}
EXAMPLES: dict[str, int] = {}


def count_example(name):
    EXAMPLES[name] = EXAMPLES.get(name, 0) + 1


def record(name, dtype, error):
    key = (name, str(dtype).removeprefix("torch."))
    LARGEST[key] = max(LARGEST.get(key, 0.0), error)


def summary_lines():
    for name, count in EXAMPLES.items():
        errors = ", ".join(f"{dtype} {error:.2e}" for (n, dtype), error in sorted(LARGEST.items()) if n == name)
        yield f"{name}: {count} hypothesis examples; largest relative error {errors}"
