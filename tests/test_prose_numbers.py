"""Every number quoted in a page's prose is one that the site shows where the tests check it
(harness/prose_numbers.py), so a stale or mistyped number fails with its page and line."""

import tomllib

import pytest

from harness import update_outputs
from harness.programs import shown_path
from harness.prose_numbers import ALLOWED, quoted, site_pages, site_shows, unknown, value

PAGE = """# Weights {#weights-2}

```python
w = 0.9711
print(w, 4096)
```

```output
0.9711 4096
```

The weight is 0.9711 and the count 4096 (`4096`); after a step $w = 0.9444$, and
| step | w |
| --- | --- |
| 1 | 0.9711 |

$$
w = 1.5 \\cdot 1000
$$

See [issue 142323](https://github.com/pytorch/pytorch/issues/142323) and [the 7.25 notes](notes-7.25.md) <b class="x-9.75">here</b>; float64, 12 and x86_64.
"""


def page(tmp_path, text, name="page.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_prose_is_the_text_less_code_formulas_tags_and_link_targets(tmp_path):
    """Inline code, tables and link texts are typed by hand, so they are prose; one- and two-digit
    numbers are not checked."""
    assert quoted(page(tmp_path, PAGE)) == [(12, "0.9711"), (12, "4096"), (12, "4096"), (15, "0.9711"),
                                            (21, "142323"), (21, "7.25")]


def test_a_number_in_prose_must_be_shown_where_it_is_checked(tmp_path):
    path = page(tmp_path, PAGE.replace("The weight is 0.9711", "The weight is 0.9712"))
    assert unknown([path]) == [
        f"{path}:12: 0.9712 is quoted in prose, but no code block, output, formula or snippet of the site shows it: "
        f"quote the number an output prints (or, for a documented constant, add it to "
        f"harness/prose_numbers.toml with its reason)"]
    # A link's target states its own numbers only.
    path = page(tmp_path, PAGE.replace("7.25 notes", "7.5 notes"))
    assert [message.split(" is quoted")[0] for message in unknown([path])] == [f"{path}:21: 7.5"]


def test_prose_quotes_a_number_as_printed_not_rounded(tmp_path):
    path = page(tmp_path, PAGE.replace("print(w, 4096)", "print(w * 3.1, 4096)")
                .replace("0.9711 4096\n```", "3.01041 4096\n```").replace("The weight is 0.9711", "The weight is 3.01"))
    assert [message.split(" is quoted")[0] for message in unknown([path])] == [f"{path}:12: 3.01"]


def test_update_outputs_names_the_prose_numbers_it_leaves_stale(tmp_path, capsys):
    path = page(tmp_path, "```python\nx = 1234567\nprint(x + 1)\n```\n\n```output\n1234569\n```\n\n"
                          "It prints 1234569.\n")
    assert update_outputs.main([str(path)]) == 0
    assert "```output\n1234568\n```" in path.read_text(encoding="utf-8")
    assert f"{path}:10: 1234569 is quoted in prose, but no code block" in capsys.readouterr().out


ENTRIES = tomllib.loads(ALLOWED.read_text(encoding="utf-8"))["number"]


@pytest.fixture(scope="module")
def site_numbers():
    """Without the measurement tables: a constant they happen to show (PyTorch 2.7 and an LCP of
    2.7 s) is still needed, as the next run rewrites them."""
    return site_shows(measurements=False)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["number"] for entry in ENTRIES])
def test_every_allowed_constant_is_needed(entry, site_numbers):
    """An entry has its reason, is quoted on a page it names (in both languages), and is shown
    nowhere that the tests check: otherwise it is not needed."""
    assert entry["reason"].strip()
    pages = [p for p in site_pages() if p.name in entry.get("pages", [p.name])]
    quoting = {p.parent.name for p in pages if any(value(token) == value(entry["number"]) for _, token in quoted(p))}
    where = shown_path(ALLOWED)
    assert quoting == {"en", "zh"}, f"{entry['number']} is quoted in the prose of {sorted(quoting)} only: fix {where}"
    assert value(entry["number"]) not in site_numbers, f"the site shows {entry['number']}: remove it from {where}"
