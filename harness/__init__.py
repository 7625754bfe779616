"""The doc-test harness: how every python block of the site is run and checked.

- ``programs``: a block's complete program (setup declared on snippet sections, then the code
  shown), the text its copy button yields; used by the site build too.
- ``examples``: the Sybil parser that reads a page's fences and checks each block's run.
- ``standalone``: runs a program alone, in a process forked from a server that imported torch.
- ``parity``: the en/zh structure match of a page, read from its Markdown.
- ``writing``: a page's writing lint (autocorrect for zh, codespell for en).
- ``pytest_plugin``: hands every page under docs/ to Sybil, with its structure match and lint;
  prints the per-language counts.
- ``update_outputs``: rewrites every output block to what its code prints now.
- ``rendered``, ``site_build``, ``report``: the built site as the tests read and serve it.
"""
