"""Keep the default language's 404.html at the site root, and give each other language its own.

mkdocs-static-i18n builds every language into the same site folder, so each build writes
/404.html and the last language wins. A static host serves /404.html for every missing path:
it should carry the default language's navigation. The other languages' copies go to
/<locale>/404.html (for hosts that look there). The page text itself is bilingual
(overrides/404.html).
"""

from pathlib import Path


def on_post_template(output_content, template_name, config):
    default = next(lang.locale for lang in config.plugins["i18n"].config.languages if lang.default)
    locale = config.theme["language"]
    if template_name != "404.html" or locale == default:
        return output_content
    site = Path(config.site_dir)
    (site / locale).mkdir(parents=True, exist_ok=True)
    (site / locale / "404.html").write_text(output_content, encoding="utf-8")
    return (site / "404.html").read_text(encoding="utf-8")
