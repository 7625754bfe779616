# The doc-test plugin is loaded here rather than with `-p`: pytest imports a conftest after
# putting this checkout on sys.path (pyproject's `pythonpath`), so it is this checkout's
# harness even where a virtualenv shared with another checkout has that one's installed.
pytest_plugins = ["harness.pytest_plugin"]
