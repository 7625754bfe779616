"""Give each language its own search index, so a search returns pages in the reader's language.

mkdocs-static-i18n stacks every language into one index at /search/. After the last build
this hook splits it: /search/ keeps the default language's pages and /<locale>/search/ gets
each other language's, with locations relative to /<locale>/. Material looks for the index
under the `base` of its __config, so pages of another language get `base` pointed at their
language root.

Every page also gets `search` (the search worker's URL) pointed at our worker,
docs/assets/javascripts/workers/search-query.js, which rewrites each query the way Chinese
readers type it (SGD公式 -> SGD 公式) and then imports Material's own worker, named in
`?material=`; that file says how and why. It sits in Material's workers folder because
Material's worker loads its language support from ../lunr/, relative to the worker's URL.

Every page also gets hooks/search_on_demand.js inlined before Material's bundle, so that the
index is downloaded when the reader starts a search, not when the page loads.

The index holds what readers search for: prose, headings, formulas as they read, inline code.
Code and output blocks and the setup toggles are left out (Material's `data-search-exclude`):
they were 41 % (en) and 46 % (zh) of the index's text, and every question the browser tests
type still finds its page among the first three results without them.
"""

import json
import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
# Material's worker, e.g. ../assets/javascripts/workers/search.a7633da7.min.js, and ours beside it.
MATERIAL_WORKER = re.compile(r"(.*/workers/)(search\.[0-9a-f]+\.min\.js)")
QUERY_WORKER = "search-query.js"
def inlined(script):
    """A script of hooks/ as an inline <script>, without its opening comment, which every page
    would otherwise carry."""
    text = (Path(__file__).parent / script).read_text(encoding="utf-8")
    return "<script>{}</script>".format(re.sub(r"\A/\*.*?\*/\s*", "", text, flags=re.S))


ON_DEMAND = inlined("search_on_demand.js")


# Every code or output block (Material's highlight div) and every setup toggle.
CODE_BLOCK = re.compile(r'<(div class="language-[\w-]+ highlight"|details class="example-setup")')


def other_locales(config):
    return [lang.locale for lang in config.plugins["i18n"].config.languages if not lang.default]


def rewrite_config(output, config, locale=None):
    """The page with its __config pointing at our search worker and, for a language other
    than the default, at that language's root (so at its own index); the index on demand."""

    def rewrite(match):
        app = json.loads(match.group(2))
        worker = MATERIAL_WORKER.fullmatch(app.get("search") or "")
        if not worker:
            raise PluginError(
                f"Material's search worker is not where hooks/search_per_language.py expects it "
                f"(.../workers/search.<hash>.min.js): {app.get('search')!r}. Material changed: see "
                f"docs/assets/javascripts/workers/{QUERY_WORKER} before pointing the hook at it again.")
        # The search plugin's languages: the worker loads their lunr support with Material's.
        languages = "+".join(config.plugins["material/search"].config.lang)
        app["search"] = f"{worker.group(1)}{QUERY_WORKER}?material={worker.group(2)}&lang={languages}"
        if locale:
            # A trailing slash, as the browser resolves "." and ".." to folder URLs.
            app["base"] = posixpath.join(app["base"], locale) + "/"
        return ON_DEMAND + match.group(1) + json.dumps(app) + match.group(3)

    output, found = CONFIG.subn(rewrite, output, count=1)
    if not found:
        raise PluginError("hooks/search_per_language.py: no Material __config in the page; Material changed")
    return output


def on_page_content(html, page, config, files):
    """Blocks left out of the index; the search plugin reads the page after this event."""
    return CODE_BLOCK.sub(r"<\1 data-search-exclude", html)


def on_post_page(output, page, config):
    locale = page.url.split("/", 1)[0]
    return rewrite_config(output, config, locale if locale in other_locales(config) else None)


def on_post_template(output, template_name, config):
    """404.html: the same worker, and in another language that language's index (before
    hooks/not_found_page.py copies it to /<locale>/404.html)."""
    if template_name != "404.html":
        return output
    locale = config.theme["language"]
    return rewrite_config(output, config, locale if locale in other_locales(config) else None)


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
