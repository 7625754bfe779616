"""Give each language its own search index, so a search returns pages in the reader's language.

mkdocs-static-i18n stacks every language into one index at /search/. After the last build
this hook splits it: /search/ keeps the default language's pages and /<locale>/search/ gets
each other language's, with locations relative to /<locale>/. Material looks for the index
under the `base` of its __config, so pages of another language get `base` pointed at their
language root.
"""

import json
import posixpath
import re
from pathlib import Path

from mkdocs.plugins import event_priority

CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def other_locales(config):
    return [lang.locale for lang in config.plugins["i18n"].config.languages if not lang.default]


def on_post_page(output, page, config):
    locale = page.url.split("/", 1)[0]
    if locale not in other_locales(config):
        return output

    def rebase(match):
        app = json.loads(match.group(2))
        # A trailing slash, as the browser resolves "." and ".." to folder URLs.
        app["base"] = posixpath.join(app["base"], locale) + "/"
        return match.group(1) + json.dumps(app) + match.group(3)

    return CONFIG.sub(rebase, output, count=1)


@event_priority(-200)  # after mkdocs-static-i18n (-100) has written the combined index
def on_post_build(config):
    path = Path(config.site_dir) / "search" / "search_index.json"
    locales = other_locales(config)
    index = json.loads(path.read_text(encoding="utf-8"))
    split = {locale: [] for locale in locales}
    default = []
    for doc in index["docs"]:
        prefix = doc["location"].split("/", 1)[0]
        if prefix in split:
            split[prefix].append({**doc, "location": doc["location"][len(prefix) + 1 :]})
        else:
            default.append(doc)
    if not default:
        return  # the inner build of another language; the combined index comes later
    path.write_text(json.dumps({**index, "docs": default}, ensure_ascii=False), encoding="utf-8")
    for locale, docs in split.items():
        target = Path(config.site_dir) / locale / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({**index, "docs": docs}, ensure_ascii=False), encoding="utf-8")
