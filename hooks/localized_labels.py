"""Labels that extensions write in one language for the whole site, in each page's language.

- The toc extension's heading permalinks carry one `title` for the whole site, and mkdocs.yml
  cannot set it per language: it is translated on Chinese pages.
- mkdocstrings labels its sections ("Parameters", "Returns", ...) in `theme.language`, which
  it reads before mkdocs-static-i18n switches it for the language being built: setting it
  first makes the Chinese reference page say 参数, 返回.
(Material's own labels follow the page's language already, and the palette toggles' names are
set per language in mkdocs.yml.)
"""

from mkdocs.plugins import event_priority

PERMALINK = {"zh": ('title="Permanent link"', 'title="本节链接"')}


def on_page_content(content, page, **kwargs):
    locale = page.file.src_uri.split("/", 1)[0]
    if locale in PERMALINK:
        english, translated = PERMALINK[locale]
        content = content.replace(english, translated)
    return content


@event_priority(100)  # before mkdocstrings reads it
def on_config(config):
    i18n = config.plugins["i18n"]
    config.theme["language"] = i18n.current_language or i18n.default_language
    return config
