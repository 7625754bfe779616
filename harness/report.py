"""Figures that tests hand to the end-of-run report (printed by tests/conftest.py)."""

SECTIONS: dict[str, dict[str, str]] = {}


def report(section: str, key: str, line: str) -> None:
    SECTIONS.setdefault(section, {})[key] = line
