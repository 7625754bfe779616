import pytest

from tests.site_build import build_site


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The built site, shared by every test that reads it."""
    return build_site(tmp_path_factory.mktemp("site"))
