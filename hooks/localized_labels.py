"""Labels that a Markdown extension writes in English on every page, translated on Chinese pages.

The toc extension's heading permalinks carry one `title` for the whole site, and mkdocs.yml
cannot set it per language. (Material's own labels follow the page's language already, and
the palette toggle's names are set per language in mkdocs.yml.)
"""

PERMALINK = {"zh": ('title="Permanent link"', 'title="本节链接"')}


def on_page_content(content, page, **kwargs):
    locale = page.file.src_uri.split("/", 1)[0]
    if locale in PERMALINK:
        english, translated = PERMALINK[locale]
        content = content.replace(english, translated)
    return content
