"""The doc-test harness fails loudly, naming the file and line, on every kind of bad page.

The fixture pages live in tests/fixtures/, outside docs/, so they are never part of the site.
"""

from pathlib import Path

import pytest
from sybil.example import SybilFailure

from harness.examples import DocExampleError, fence_language, snippet_preprocessor
from harness.pytest_plugin import doc_pages, setup_page

FIXTURES = Path(__file__).parent / "fixtures"


def run_page(name):
    """Parse and run a fixture page the way the suite runs a docs page."""
    document = doc_pages.parse(FIXTURES / name)
    setup_page(document.namespace)
    examples = list(document)
    for example in examples:
        example.evaluate()
    return examples


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
    examples = run_page("fence_forms.md")
    assert len(examples) == 8


def test_wrong_output_fails_with_file_and_line():
    with pytest.raises(SybilFailure) as failure:
        run_page("wrong_output.md")
    message = str(failure.value)
    assert "wrong_output.md, line 3" in message
    assert "tests/fixtures/wrong_output.md:7 does not match" in message
    assert "-3" in message and "+2" in message


def test_exception_propagates_with_its_line():
    with pytest.raises(ValueError, match="broken example") as failure:
        run_page("exception.md")
    assert "failing line comes from tests/fixtures/exception.md:5" in failure.value.__notes__


def test_unshown_output_fails():
    with pytest.raises(SybilFailure, match="printed output that the page does not show"):
        run_page("unshown_output.md")


@pytest.mark.parametrize(
    "page, message",
    [
        ("missing_include.md", r"missing_include.md:4: include failed: .*no_such_snippet.py"),
        ("missing_section.md", r"missing_section.md:4: include failed: .*no_such_section"),
        ("pycon.md", r"pycon.md:3: code block with language 'pycon'"),
        ("no_language.md", r"no_language.md:3: code block with no language"),
        ("unclosed.md", r"unclosed.md:3: code block is never closed"),
    ],
)
def test_bad_page_is_a_collection_error(page, message):
    with pytest.raises(DocExampleError, match=message):
        run_page(page)


def test_an_include_outside_a_fence_may_not_bring_in_a_code_block(monkeypatch):
    preprocessor = snippet_preprocessor()
    monkeypatch.setattr(preprocessor, "base_path", [*preprocessor.base_path, str(FIXTURES)])
    with pytest.raises(DocExampleError, match=r"include_outside_fence.md:3: .* brings in a code block"):
        run_page("include_outside_fence.md")


def test_a_failing_included_line_is_traced_to_its_snippet():
    snippet = Path(__file__).parent.parent / "snippets" / "mistakes.py"
    lines = snippet.read_text(encoding="utf-8").split("\n")
    start = lines.index("# --8<-- [start:zero_between]") + 2  # first line of the section
    with pytest.raises(NameError) as failure:
        run_page("include_without_setup.md")
    assert f"failing line comes from snippets/mistakes.py:{start}" in failure.value.__notes__
