"""Guards on the built site: nothing shown goes unexecuted, and the languages show the same."""

import pytest

from harness.examples import PYTHON
from harness.pytest_plugin import code_blocks
from harness.rendered import read_page
from harness.report import report
from harness.site_build import LANGUAGES, ROOT, built_page, page_names

PAGES = page_names()


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_rendered_python_block_was_executed(site, locale):
    count = 0
    for name in PAGES:
        rendered = [b for b in read_page(built_page(site, locale, name).read_text("utf-8")).code
                    if b.language in PYTHON]
        executed = [block.code for block in code_blocks(ROOT / "docs" / locale / name)]
        for index, block in enumerate(rendered):
            if index >= len(executed) or block.text.rstrip("\n") != executed[index].rstrip("\n"):
                pytest.fail(f"{locale}/{name}: python block {index + 1} on the built page is not the "
                            f"code the tests executed; it starts: {block.first_line!r}")
        assert len(executed) == len(rendered), f"{locale}/{name}: the tests ran blocks the page does not show"
        count += len(rendered)
    assert count > 0
    report("rendered python blocks, all executed", locale, f"{locale}: {count} blocks on {len(PAGES)} pages")


@pytest.mark.parametrize("name", PAGES)
def test_both_languages_show_the_same_structure(site, name):
    en, zh = (read_page(built_page(site, locale, name).read_text("utf-8")) for locale in ("en", "zh"))
    for what in ("code", "formulas", "headings", "admonitions"):
        ours, theirs = getattr(en, what), getattr(zh, what)
        for index, (a, b) in enumerate(zip(ours, theirs)):
            assert a == b, f"{name}: {what} #{index + 1} differs between en and zh:\n  en: {a!r}\n  zh: {b!r}"
        assert len(ours) == len(theirs), f"{name}: en has {len(ours)} {what}, zh has {len(theirs)}"
