/* Material for MkDocs' bundle, run on the reader's first interaction instead of while the page
loads. Its start-up (mounting every component, with four whole-document style recalculations)
was the whole of each page's total blocking time in Lighthouse's mobile runs (/sgd-formula/:
318-331 ms with it, 0 without). Until it runs, the page has what Material's HTML and CSS give
it: text, formulas, figures, navigation, the drawer and the setup toggles; what the bundle adds
(copy buttons, the header's title on scroll, search, the palette toggle's switch) waits for the
reader's first pointer, touch, key, wheel, focus or click (not a scroll: the browser scrolls a
page opened at a #section itself, and a reader's own scroll starts with one of those). The
bundle is prefetched (hooks/material_on_interaction.py), so where the browser prefetches (not
Safari) running it costs no round trip.

The hook turns Material's script and those that use its document$ into
<script type="text/x-on-interaction" data-src="...">; this script, at the start of <body>, runs
them in order once the page is parsed. Material mounts on DOMContentLoaded, which has passed
by then, so a listener for it added while they run is called at once. Of what the reader does
before Material has mounted, two things it would have answered are kept: a click on the
palette toggle, held and replayed once it has mounted; and the last of Material's own keys
(search, previous or next page) pressed outside a text field, replayed unless a click was.
A click on the search icon focuses the search box at once, as Material does. When all have
run, <html> gets data-material="mounted" ("failed" if Material did not start). */
(() => {
  const WAKE = ["pointerdown", "pointermove", "touchstart", "keydown", "wheel", "focusin", "click"]
  const KEYS = ["/", "f", "s", "p", ",", "n", "."]  // Material's keys when no field has focus
  let key = null, click = null

  const onClick = event => {
    const target = event.target
    if (!event.isTrusted || !target.closest) return
    if (target.closest("label[for=__search]"))
      return document.querySelector(".md-search__input")?.focus()
    const toggle = target.closest("[data-md-component=palette] label")
    if (!toggle) return
    event.preventDefault()
    event.stopImmediatePropagation()
    click = toggle
  }
  const onKey = event => {
    if (KEYS.includes(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey
        && !(event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")))
      key = event.key
  }

  const done = () => {
    delete document.addEventListener
    removeEventListener("click", onClick, true)
    removeEventListener("keydown", onKey, true)
    const mounted = typeof window.document$ === "object"
    document.documentElement.dataset.material = mounted ? "mounted" : "failed"
    if (!mounted) return
    if (click) click.click()
    else if (key) window.dispatchEvent(new KeyboardEvent("keydown", {key, bubbles: true, cancelable: true}))
  }

  const mount = () => {
    document.addEventListener = function (type, listener, options) {
      if (type !== "DOMContentLoaded")
        return EventTarget.prototype.addEventListener.call(this, type, listener, options)
      const event = new Event(type)
      queueMicrotask(() => typeof listener === "function" ? listener.call(document, event) : listener.handleEvent(event))
    }
    const placeholders = [...document.querySelectorAll("script[type='text/x-on-interaction']")]
    let left = placeholders.length
    for (const placeholder of placeholders) {
      const script = document.createElement("script")
      script.src = placeholder.dataset.src
      script.async = false  // in document order
      script.onload = script.onerror = () => --left || done()
      placeholder.replaceWith(script)
    }
  }

  const wake = () => {
    for (const type of WAKE) removeEventListener(type, wake, true)
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount, {once: true})
    else mount()
  }
  for (const type of WAKE) addEventListener(type, wake, {capture: true, passive: true})
  addEventListener("click", onClick, true)
  addEventListener("keydown", onKey, true)
})()
