"""The doc-test harness fails loudly, naming the file and line, on every kind of bad page.

The fixture pages live in tests/fixtures/ (and the snippets they include in
tests/fixtures/snippets/), outside docs/, so they are never part of the site.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sybil.example import SybilFailure

from harness import update_outputs
from harness.examples import DocExampleError, fence_language, read_blocks, update_command
from harness.parity import differences
from harness.programs import snippet_preprocessor
from harness.pytest_plugin import doc_pages

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = FIXTURES.parent.parent


@pytest.fixture(autouse=True)
def fixture_snippets(monkeypatch):
    """Includes also find the fixture snippets, as if they were in snippets/."""
    preprocessor = snippet_preprocessor()
    monkeypatch.setattr(preprocessor, "base_path", [*preprocessor.base_path, str(FIXTURES / "snippets")])


def run_page(path):
    """Parse and run a page the way the suite runs a docs page."""
    examples = list(doc_pages.parse(Path(path)))
    for example in examples:
        example.evaluate()
    return examples


def page(tmp_path, text, name="page.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "info, language",
    [
        ("python", "python"),
        ('python title="a.py" hl_lines="2 3"', "python"),
        ('{.python linenums="1"}', "python"),
        ('{ .py .extra }', "py"),
        ("pycon", "pycon"),
        ("", ""),
    ],
)
def test_fence_language(info, language):
    assert fence_language(info) == language


def test_every_fence_form_is_executed():
    assert len(run_page(FIXTURES / "fence_forms.md")) == 8


def test_wrong_output_fails_with_file_and_line():
    with pytest.raises(SybilFailure) as failure:
        run_page(FIXTURES / "wrong_output.md")
    message = str(failure.value)
    assert "wrong_output.md, line 3" in message
    assert "tests/fixtures/wrong_output.md:7 does not match" in message
    assert "-3" in message and "+2" in message
    assert message.endswith("run: python3 tools/dev.py update-outputs tests/fixtures/wrong_output.md")


def test_the_update_command_of_a_site_page_names_both_languages():
    assert update_command("docs/zh/step.md") == "python3 tools/dev.py update-outputs docs/zh/step.md docs/en/step.md"


def test_an_exception_fails_with_the_page_line_and_error():
    with pytest.raises(SybilFailure) as failure:
        run_page(FIXTURES / "exception.md")
    message = str(failure.value)
    assert "block at tests/fixtures/exception.md:3 fails when run alone" in message
    assert "line 2 of the copied program, from tests/fixtures/exception.md:5" in message
    assert "ValueError: broken example" in message


def test_unshown_output_fails():
    with pytest.raises(SybilFailure, match="printed output that the page does not show"):
        run_page(FIXTURES / "unshown_output.md")


def test_writing_to_stderr_fails(tmp_path):
    text = "```python\nimport warnings\nwarnings.warn('careful')\n```\n"
    with pytest.raises(SybilFailure, match=r"(?s)writes to stderr.*UserWarning: careful"):
        run_page(page(tmp_path, text))


@pytest.mark.parametrize(
    "page_name, message",
    [
        ("missing_include.md", r"missing_include.md:4: include failed: .*no_such_snippet.py"),
        ("missing_section.md", r"missing_section.md:4: include failed: .*no_such_section.* \(looked in snippets/, "
                               r".*tests/fixtures/snippets/; snippets/training_loop.py has the sections: loop\)"),
        ("pycon.md", r"pycon.md:3: code block with language 'pycon'"),
        ("no_language.md", r"no_language.md:3: code block with no language"),
        ("unclosed.md", r"unclosed.md:3: code block is never closed"),
    ],
)
def test_bad_page_is_a_collection_error(page_name, message):
    with pytest.raises(DocExampleError, match=message):
        run_page(FIXTURES / page_name)


def test_an_include_outside_a_fence_may_not_bring_in_a_code_block():
    with pytest.raises(DocExampleError, match=r"include_outside_fence.md:3: .* brings in a code block"):
        run_page(FIXTURES / "include_outside_fence.md")


# The copied program: setup declared on the section's start marker, then the code shown.

def test_a_block_runs_with_its_declared_setup(tmp_path):
    path = page(tmp_path, '```python\n--8<-- "setups.py:double"\n```\n\n```output\n4\n```\n')
    [block] = read_blocks(path.read_text(), path)
    assert block.code == "print(value * 2)\n"
    assert block.program.copied == "value = 2\n\nprint(value * 2)"
    assert [str(origin) for origin in block.program.origins] == [
        "tests/fixtures/snippets/setups.py:4", "tests/fixtures/snippets/setups.py:8",
        "tests/fixtures/snippets/setups.py:8"]
    run_page(path)


def test_a_block_that_fails_alone_names_the_missing_name_and_its_source(tmp_path):
    path = page(tmp_path, '# A page\n\n```python\n--8<-- "setups.py:without_setup"\n```\n')
    with pytest.raises(SybilFailure) as failure:
        run_page(path)
    message = str(failure.value)
    assert f"block at {path}:3 fails when run alone" in message
    assert "from tests/fixtures/snippets/setups.py:12" in message
    assert "NameError: name 'value' is not defined" in message
    assert message.endswith(
        "`value` is defined by setups.py:value (tests/fixtures/snippets/setups.py:3): declare the setup on the start "
        "marker at tests/fixtures/snippets/setups.py:11: # --8<-- [start:without_setup] setup: value")


@pytest.mark.parametrize(
    "section, message",
    [
        ("missing_section", r"setups.py:15: setup names a missing section 'setups.py:no_such_section' "
                            r"\(tests/fixtures/snippets/setups.py has the sections: value, double, "),
        ("missing_file", r"setups.py:19: setup names a missing file 'no_such_file.py' \(looked in snippets/, "),
        ("cycle_a", r"setups.py:\d+: setup sections depend on each other in a cycle: setups.py:cycle_"),
        ("setup_typo.py:typo", r"setup_typo.py:3: unknown text after the section marker: 'setpu: value'"),
    ],
)
def test_a_bad_setup_is_an_error_with_file_and_line(tmp_path, section, message):
    target = section if ".py:" in section else f"setups.py:{section}"
    path = page(tmp_path, f'```python\n--8<-- "{target}"\n```\n')
    with pytest.raises(DocExampleError, match=message):
        run_page(path)


def test_a_block_that_shows_its_setup_section_does_not_repeat_it(tmp_path):
    path = page(tmp_path, '```python\n--8<-- "setups.py:value"\n--8<-- "setups.py:double"\n```\n')
    [block] = read_blocks(path.read_text(), path)
    assert block.program.setup == []
    assert block.program.copied == "value = 2\nprint(value * 2)"


def test_annotation_markers_are_not_copied(tmp_path):
    path = page(tmp_path, "```python\nx = 1  # (1)!\nprint(x)\n```\n\n```output\n1\n```\n\n1. One.\n")
    [block] = read_blocks(path.read_text(), path)
    assert block.program.copied == "x = 1\nprint(x)"
    run_page(path)


# update-outputs

def test_update_outputs_restores_a_spoiled_output(tmp_path):
    original = (ROOT / "docs" / "en" / "step.md").read_text(encoding="utf-8")
    spoiled = re.sub(r"after  tensor\(\[ 0\.8000, -1\.6000\]\)", "after  tensor([ 0.8001, -1.6000])", original)
    assert spoiled != original
    path = page(tmp_path, spoiled, "step.md")
    assert update_outputs.main([str(path)]) == 0
    assert path.read_text(encoding="utf-8") == original
    assert update_outputs.main([str(path)]) == 0  # a second run changes nothing
    assert path.read_text(encoding="utf-8") == original


@pytest.mark.parametrize(
    "bad, message",
    [
        ("# Unclosed\n\n```python\nprint(1)\n", r"bad.md:3: code block is never closed"),
        ('```python\n--8<-- "no_such_snippet.py:x"\n```\n', r"bad.md:2: include failed"),
        ("```python\nprint(1)\nraise ValueError('no')\n```\n\n```output\n1\n```\n",
         r"bad.md:1: the block's program raised: ValueError: no"),
    ],
)
def test_update_outputs_writes_nothing_when_a_page_is_bad(tmp_path, capsys, bad, message):
    good = page(tmp_path, "```python\nprint(2)\n```\n\n```output\n3\n```\n", "good.md")
    broken = page(tmp_path, bad, "bad.md")
    assert update_outputs.main([str(good), str(broken)]) == 1
    assert re.search(message, capsys.readouterr().err)
    assert good.read_text() == "```python\nprint(2)\n```\n\n```output\n3\n```\n"
    assert broken.read_text() == bad


# Outputs are compared exactly as the reader sees them.

@pytest.mark.parametrize(
    "code, shown, message",
    [
        ("print(1)\nprint()", "1", r"prints a blank last line, which a page cannot show"),
        ("print(1)\nprint()", "1\n", r"prints a blank last line"),
        ("print(1)", "1\n", r"does not match"),
        ("print()\nprint(1)", "1", r"does not match"),
        ("print(1)\nprint()\nprint(2)", "1\n2", r"does not match"),
    ],
)
def test_blank_lines_in_outputs_count(tmp_path, code, shown, message):
    path = page(tmp_path, f"```python\n{code}\n```\n\n```output\n{shown}\n```\n")
    with pytest.raises(SybilFailure, match=message):
        run_page(path)


def test_a_leading_blank_line_is_shown_and_checked(tmp_path):
    run_page(page(tmp_path, "```python\nprint()\nprint(1)\n```\n\n```output\n\n1\n```\n"))


def test_a_failing_output_names_the_snippet_that_printed_it(tmp_path):
    path = page(tmp_path, '```python\n--8<-- "setups.py:double"\n```\n\n```output\n5\n```\n')
    with pytest.raises(SybilFailure, match=r"does not match what was printed by setups.py:value, setups.py:double"):
        run_page(path)


# A timing block shows one run's measured numbers: those match any number; its words and every
# number that does not come from the clock must not change.
MEASURES = ("import time\nstart = time.perf_counter()\nsum(range(1000))\nseconds = time.perf_counter() - start\n"
            "print(f'3 sums: {seconds * 1e6:.0f} us, {3 * seconds * 1e6:.1f} us in all, in 1 process')")


def timing_page(tmp_path, code, shown):
    return page(tmp_path, f"```python\n{code}\n```\n\n```timing\n{shown}\n```\n")


def test_a_timing_block_accepts_other_measured_numbers(tmp_path):
    run_page(timing_page(tmp_path, MEASURES, "3 sums: 7 us, 21.5 us in all, in 1 process"))


@pytest.mark.parametrize("shown", ["4 sums: 7 us, 21.5 us in all, in 1 process",  # a number not measured
                                   "3 sums: 7 us, 21.5 us in all, in 2 process",
                                   "3 sums: 7 ms, 21.5 us in all, in 1 process",  # a word
                                   "3 sums: 7 us, 21.5 us in all, in 1 process\n3 sums: 7 us"])
def test_a_timing_block_checks_everything_but_the_measured_numbers(tmp_path, shown):
    with pytest.raises(SybilFailure, match=r"does not match"):
        run_page(timing_page(tmp_path, MEASURES, shown))


@pytest.mark.parametrize("measure", [
    "import time\nstart = time.perf_counter()\nsum(range(100))\nseconds = time.perf_counter() - start",
    "import timeit\nseconds = timeit.timeit('sum(range(100))', number=5)",
    "from torch.utils import benchmark\nseconds = benchmark.Timer('sum(range(100))').timeit(5).mean",
], ids=["perf_counter", "timeit", "torch.utils.benchmark"])
def test_a_timing_block_may_measure_with_each_clock_the_rule_names(tmp_path, measure):
    run_page(timing_page(tmp_path, f"{measure}\nprint(f'{{seconds * 1e6:.0f}} us')", "12345 us"))


def test_a_timing_block_whose_program_measures_nothing_fails(tmp_path):
    """An output block relabelled timing would hide any wrong number: it is refused."""
    path = timing_page(tmp_path, "print('ratio', 2.5)", "ratio 2.5")
    with pytest.raises(SybilFailure, match=rf"{re.escape(str(path))}:5 is a timing block, but its program prints the "
                                           r"same whatever time.perf_counter says.*make it an output block"):
        run_page(path)


def test_a_timing_block_whose_words_follow_the_clock_fails(tmp_path):
    code = ("import time\nstart = time.perf_counter()\nseconds = time.perf_counter() - start\n"
            "print('slow' if seconds > 2 else 'fast', seconds)")
    with pytest.raises(SybilFailure, match=r"page.md:1 prints other lines or words, not only other numbers"):
        run_page(timing_page(tmp_path, code, "fast 1.0"))


@pytest.mark.parametrize(
    "shown, kept",
    [("3 sums: 7 us, 21.5 us in all, in 1 process", True), ("3 sums: 7 us, 21.5 us in all, in 2 process", False),
     ("3 sums: 7 us", False)],
)
def test_update_outputs_keeps_a_timing_block_that_still_matches(tmp_path, shown, kept):
    path = timing_page(tmp_path, MEASURES, shown)
    assert update_outputs.main([str(path)]) == 0
    body = path.read_text(encoding="utf-8").split("```timing\n")[1].removesuffix("\n```\n")
    if kept:
        assert body == shown
    else:
        assert re.fullmatch(r"3 sums: \d+ us, [\d.]+ us in all, in 1 process", body), body


def test_update_outputs_refuses_a_timing_block_that_measures_nothing(tmp_path, capsys):
    path = timing_page(tmp_path, "print('ratio', 2.5)", "ratio 1.5")
    assert update_outputs.main([str(path)]) == 1
    assert "page.md:5 is a timing block, but its program prints the same" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8").endswith("```timing\nratio 1.5\n```\n")


# The en/zh match, read from the Markdown, says what is missing where, in the source's terms.

def test_a_block_missing_in_zh_is_named_with_its_include_line_and_heading():
    en, zh = (FIXTURES / "parity" / locale / "page.md" for locale in ("en", "zh"))
    assert differences(en, zh) == [
        "tests/fixtures/parity/zh/page.md: missing the python block '--8<-- \"setups.py:double\"' that "
        "tests/fixtures/parity/en/page.md:11 shows under '## Accumulate {#accumulate}' (line 3); add it after "
        "tests/fixtures/parity/zh/page.md:9, the end of the python block '--8<-- \"setups.py:value\"', under "
        "'## 累加 {#accumulate}' (line 3)",
        "tests/fixtures/parity/zh/page.md: missing the output block '4' that tests/fixtures/parity/en/page.md:15 "
        "shows under '## Accumulate {#accumulate}' (line 3); add it right after that python block",
    ]


def test_what_zh_shows_and_en_does_not_is_named_with_its_line(tmp_path):
    en = page(tmp_path, "# Title\n\n## A {#a}\n", "en.md")
    zh = page(tmp_path, "# 标题\n\n## 甲 {#a}\n\n$x^2$\n\n## 乙 {#b}\n", "zh.md")
    problems = differences(en, zh)
    assert [problem.split(": the ")[0] for problem in problems] == [f"{zh}:5", f"{zh}:7"]
    assert "formula '$x^2$' is not in" in problems[0] and "heading '## 乙 {#b}' is not in" in problems[1]


def test_an_output_that_differs_between_the_languages_is_named_in_both(tmp_path):
    en = page(tmp_path, "# Title\n\n```python\nprint(4)\n```\n\n```output\n4\n```\n", "en.md")
    zh = page(tmp_path, "# 标题\n\n```python\nprint(4)\n```\n\n```output\n5\n```\n", "zh.md")
    assert differences(en, zh) == [f"{zh}:7: the output block '5' stands where the output block '4' that {en}:7 "
                                   f"shows under '# Title' (line 1): make the two the same"]


def test_the_same_structure_passes():
    en = FIXTURES / "parity" / "en" / "page.md"
    assert differences(en, en) == []


def test_naming_one_language_checks_both_with_the_structure_match_and_the_lints():
    listed = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                             "docs/zh/zero-grad.md"], cwd=ROOT, capture_output=True, text=True).stdout
    items = [line for line in listed.splitlines() if "::" in line]
    assert "docs/en/zero-grad.md::en/zh structure" in items
    assert {"docs/en/zero-grad.md::writing", "docs/zh/zero-grad.md::writing"} <= set(items)
    assert any(item.startswith("docs/en/zero-grad.md::line:") for item in items)


# A virtualenv shared by two checkouts: each imports its own harness.

def test_the_tests_and_the_build_import_their_own_checkouts_harness(tmp_path):
    """Another checkout's harness, earlier on the path than an editable install puts it, is
    never the one imported: not by pytest's plugin, not by the build's hooks."""
    other = tmp_path / "other-checkout"
    (other / "harness").mkdir(parents=True)
    (other / "harness" / "__init__.py").write_text("raise ImportError('the harness of another checkout')\n")
    env = {**os.environ, "PYTHONPATH": str(other)}
    scripts = Path(sys.executable).parent  # run as the console scripts run, not with `python -m` from here
    tests = subprocess.run([str(scripts / "pytest"), "--collect-only", "-q", "-p", "no:cacheprovider",
                            "docs/en/index.md"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    load = ("import sys; from mkdocs.config import load_config; load_config(sys.argv[1]); "
            "import harness; print(harness.__file__)")
    build = subprocess.run([sys.executable, "-c", load, str(ROOT / "mkdocs.yml")], cwd=other,
                           capture_output=True, text=True, env=env)
    assert build.stdout.strip() == str(ROOT / "harness" / "__init__.py"), build.stderr
