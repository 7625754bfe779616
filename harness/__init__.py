"""The doc-test harness: how every python block of the site is run and checked.

- ``programs``: a block's complete program (setup declared on snippet sections, then the code
  shown), the text its copy button yields; used by the site build too.
- ``examples``: the Sybil parser that reads a page's fences and checks each block's run.
- ``standalone``: runs a program alone, in a process forked from a server that imported torch.
- ``pytest_plugin``: hands every page under docs/ to Sybil; prints the per-language counts.
- ``update_outputs``: rewrites every output block to what its code prints now.
- ``rendered``, ``site_build``, ``report``: the built site as the tests read and serve it.
"""
