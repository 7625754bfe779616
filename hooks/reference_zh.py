"""The Chinese reference page in Chinese: mkdocstrings renders reference_optim.py's Chinese
docstrings, kept beside it in snippets/reference_optim.zh.yml, in place of the English ones.

As a hook, it adds this file to mkdocstrings' Griffe extensions for the Chinese build only
(mkdocs-static-i18n runs each language's build, and mkdocstrings loads the module afresh
for each). As a Griffe extension, it swaps the docstrings once the module is loaded; the
signatures, the parameters' types and defaults still come from the code."""

from pathlib import Path

import griffe
import yaml
from mkdocs.plugins import event_priority

HERE = str(Path(__file__).resolve())
TRANSLATIONS = Path(__file__).resolve().parent.parent / "snippets" / "reference_optim.zh.yml"


@event_priority(100)  # before mkdocstrings builds its handlers from the options
def on_config(config):
    i18n = config.plugins["i18n"]
    options = config.plugins["mkdocstrings"].config.handlers["python"].setdefault("options", {})
    extensions = [extension for extension in options.get("extensions", []) if extension != HERE]
    if (i18n.current_language or i18n.default_language) == "zh":
        extensions.append(HERE)
    options["extensions"] = extensions
    return config


class ChineseDocstrings(griffe.Extension):
    def __init__(self):
        self.texts = yaml.safe_load(TRANSLATIONS.read_text(encoding="utf-8"))

    def on_module_instance(self, *, mod, **kwargs):  # on_object leaves out the module itself
        self.on_object(obj=mod)

    def on_object(self, *, obj, **kwargs):
        if obj.path in self.texts and obj.docstring:
            english = obj.docstring
            obj.docstring = griffe.Docstring(self.texts[obj.path].rstrip("\n"), lineno=english.lineno,
                                             endlineno=english.endlineno, parent=obj, parser=english.parser,
                                             parser_options=english.parser_options)
