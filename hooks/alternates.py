"""The hreflang alternates of every page: absolute URLs, and a sitemap beside each page.

mkdocs-static-i18n puts each page's language versions in the head as relative
<link rel="alternate" hreflang> links; search engines (and Lighthouse) require absolute
URLs there, so they are resolved against the page's canonical URL (site_url).

Material's JavaScript fetches from those links, so a page served from any other address
(a preview, a mirror, a fork's Pages) would fetch from site_url's host and fail. A one-line
script right after the links points them back at the address the page was loaded from
(each link keeps its relative form in data-href), before Material reads them. The offline
copy has no alternates at all: it is not indexed, and file:// cannot be fetched from.

Material's JavaScript fetches sitemap.xml relative to every such link, expecting language
roots there; with per-page alternates the browser asks for /zh/step/sitemap.xml and the
like. A one-page sitemap.xml is written into every page's folder, holding that page's entry
from the site's sitemap with its language alternates, so those requests succeed and the
language switch keeps working.
"""

import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from mkdocs.plugins import event_priority

ALTERNATE = re.compile(r'<link rel="alternate" href="([^"]*)" hreflang="([^"]+)">')
FOLLOW_PAGE = ('<script>for(const link of document.querySelectorAll("link[rel=alternate][data-href]"))'
               'link.href=new URL(link.dataset.href,location.href)</script>')
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def offline(config) -> bool:
    plugin = config.plugins.get("material/offline")
    return bool(plugin and plugin.config.enabled)


def on_post_page(output, page, config):
    if offline(config):
        return ALTERNATE.sub("", output)
    if not page.canonical_url:
        return output
    links = list(ALTERNATE.finditer(output))
    if not links:
        return output
    output = (output[: links[-1].end()] + FOLLOW_PAGE + output[links[-1].end():])

    def absolute(match):
        href = relative(match[1], page, config)
        return f'<link rel="alternate" href="{urljoin(page.canonical_url, href)}" hreflang="{match[2]}" data-href="{href}">'

    return ALTERNATE.sub(absolute, output)


def relative(href: str, page, config) -> str:
    """The home pages' alternates come as paths from the host's root ("/zh/", or
    "/optimizer-step/zh/" when site_url has a path), which a copy served from any other
    address or sub-path would miss: made relative to the page, as every other page's are."""
    if not href.startswith("/"):
        return href
    root = urlsplit(config.site_url).path or "/"
    target = "/" + href.removeprefix(root)
    path = posixpath.relpath(target, "/" + page.url)
    return ("./" if path == "." else path + "/") if target.endswith("/") else path


@event_priority(-200)  # after mkdocs-static-i18n (-100) has built every language
def on_post_build(config):
    site = Path(config.site_dir)
    sitemap = site / "sitemap.xml"
    if offline(config) or not sitemap.exists():
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
