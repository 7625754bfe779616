import pytest
from hypothesis import settings

from tests.report import SECTIONS
from tests.site_build import build_site

# 200 examples per property, no deadline (a slow example on a busy machine is not a bug),
# and derandomized so two runs of the suite do the same thing.
settings.register_profile("suite", max_examples=200, deadline=None, derandomize=True, database=None)
settings.load_profile("suite")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The built site, shared by every test that reads it."""
    return build_site(tmp_path_factory.mktemp("site"))


def pytest_terminal_summary(terminalreporter):
    for section, lines in SECTIONS.items():
        terminalreporter.section(section)
        for line in lines.values():
            terminalreporter.write_line(line)
