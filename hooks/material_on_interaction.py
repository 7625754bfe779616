"""Run Material's bundle on the reader's first interaction, not while the page loads
(hooks/material_on_interaction.js says why and how).

Every page and the 404 page get:
- Material's bundle and the site's extra_javascript (which use Material's document$) as
  <script type="text/x-on-interaction" data-src="..."> placeholders, each prefetched;
- at the start of <body>, the "js" class Material would set, the palette Material would pick
  for a reader with no stored choice (the first of mkdocs.yml's palettes whose media query
  matches), so that a reader whose system prefers dark gets a dark page at once, and
  hooks/material_on_interaction.js, inlined, so that it hears the reader from the start;
- an accessible name for Material's search dialog (the search box's own label, "Search" or
  "搜索"), which the page needs before Material has run.
"""

import json
import re

from mkdocs.exceptions import PluginError

from search_per_language import inlined  # hooks/ is on sys.path for hooks

BUNDLE = re.compile(r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>')
BODY = re.compile(r"<body[^>]*>")
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_BOX = re.compile(r'<input type="text" class="md-search__input" name="query" aria-label="([^"]+)"')
LOADER = inlined("material_on_interaction.js")
START = (
    '<script>document.documentElement.classList.replace("no-js","js");'
    'if(!__md_get("__palette"))for(const p of {palettes})if(matchMedia(p.media).matches){{'
    'for(const k of ["scheme","primary","accent"])document.body.setAttribute("data-md-color-"+k,p[k]);break}}</script>'
)


def rewrite(output, config, where):
    prefetched = []

    def held(src):
        prefetched.append(f'<link rel="prefetch" href="{src}" as="script">')
        return f'<script type="text/x-on-interaction" data-src="{src}"></script>'

    output, found = BUNDLE.subn(lambda match: held(match.group(1)), output, count=1)
    if not found:
        raise PluginError(f"hooks/material_on_interaction.py: no Material bundle <script> in {where}; "
                          "Material changed: see the hook's docstring before pointing it at the new tag")
    box = SEARCH_BOX.search(output)
    if SEARCH_DIALOG not in output or not box:
        raise PluginError(f"hooks/material_on_interaction.py: Material's search dialog or box changed in {where}")
    output = output.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + f' aria-label="{box.group(1)}">', 1)
    for script in config.extra_javascript:
        tag = re.compile(rf'<script src="([^"]*{re.escape(str(script))})"></script>')
        output, found = tag.subn(lambda match: held(match.group(1)), output, count=1)
        if not found:
            raise PluginError(f"hooks/material_on_interaction.py: extra_javascript {script} is not in {where}")
    palettes = json.dumps([{key: option.get(key) or default for key, default in
                            (("media", "all"), ("scheme", "default"), ("primary", "indigo"), ("accent", "indigo"))}
                           for option in config.theme["palette"]], separators=(",", ":"))
    output = BODY.sub(lambda match: match.group(0) + START.format(palettes=palettes) + LOADER, output, count=1)
    return output.replace("</head>", "".join(prefetched) + "</head>", 1)


def on_post_page(output, page, config):
    return rewrite(output, config, page.file.src_uri)


def on_post_template(output, template_name, config):
    return rewrite(output, config, template_name) if template_name == "404.html" else output
