"""Write a one-page sitemap.xml into every page's folder.

Material's JavaScript fetches sitemap.xml relative to every <link rel="alternate"> in the
head, expecting language roots there. mkdocs-static-i18n puts per-page alternates there
(right for hreflang), so the browser asks for /zh/step/sitemap.xml and the like. Each such
file holds that page's own entry from the site's sitemap, with its language alternates, so
those requests succeed and the language switch keeps working.
"""

import xml.etree.ElementTree as ET
from pathlib import Path

from mkdocs.plugins import event_priority

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built every language
def on_post_build(config):
    site = Path(config.site_dir)
    sitemap = site / "sitemap.xml"
    if not sitemap.exists():
        return
    for prefix, uri in NS.items():
        ET.register_namespace("" if prefix == "s" else "xhtml", uri)
    root = ET.parse(sitemap).getroot()
    for url in root.findall("s:url", NS):
        path = url.find("s:loc", NS).text.removeprefix(config.site_url)
        if not path:
            continue  # the site root already has the full sitemap
        single = ET.Element(root.tag)
        single.append(url)
        ET.ElementTree(single).write(site / path / "sitemap.xml", encoding="UTF-8", xml_declaration=True)
