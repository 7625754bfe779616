"""Expose the installed PyTorch version to templates as config.extra.torch_version.

The footer of every page states the version the examples were executed against; it is read
from the installed distribution (which pyproject.toml pins), never typed into a page.
"""

from importlib.metadata import version


def on_config(config):
    # "2.13.0+cpu" -> "2.13.0": the local build tag says nothing about the numbers.
    config.extra["torch_version"] = version("torch").split("+")[0]
    return config
