/* Material for MkDocs' bundle, run on the reader's first interaction instead of while the page
loads. Its start-up (mounting every component, with four whole-document style recalculations)
was the whole of each page's total blocking time in Lighthouse's mobile runs (/sgd-formula/:
318-331 ms with it, 0 without). Until it runs, the page is Material's page without JavaScript,
with the "js" class already set (hooks/material_on_interaction.py): text, formulas, figures,
navigation, the drawer, tabs and setup toggles all work, and what the bundle adds (copy
buttons on hover, the header's title on scroll, search, the palette toggle) is not yet reached.
The bundle is prefetched, so running it costs no round trip.

The hook turns Material's script and those that use its document$ into
<script type="text/x-on-interaction" data-src="...">; this script runs them, in order, on the
first pointer, touch, key, wheel, scroll or focus event. Material mounts on DOMContentLoaded,
which has passed by then, so a listener for it added while these scripts run is called at
once. A click on the palette or search controls and the key that woke the page, both of which
Material would have answered, are replayed once it has mounted, so no action is lost. When all
have run, <html> gets data-material="mounted". */
(() => {
  const WAKE = ["pointerdown", "pointermove", "touchstart", "keydown", "wheel", "scroll", "focusin"]
  const ANSWERED = "[data-md-component=palette] label, label[for=__search]"
  let mounted = false, key = null, click = null

  const held = event => {
    if (mounted || !event.isTrusted) return
    const control = event.target.closest && event.target.closest(ANSWERED)
    if (!control) return
    event.preventDefault()
    event.stopImmediatePropagation()
    click = control
  }

  const mount = () => {
    const add = document.addEventListener
    document.addEventListener = function (type, listener, options) {
      if (type === "DOMContentLoaded")
        return queueMicrotask(() => listener.call(document, new Event(type)))
      return add.call(this, type, listener, options)
    }
    const scripts = [...document.querySelectorAll("script[type='text/x-on-interaction']")]
    let left = scripts.length
    for (const placeholder of scripts) {
      const script = document.createElement("script")
      script.src = placeholder.dataset.src
      script.async = false  // in document order
      script.onload = script.onerror = () => {
        if (--left) return
        document.addEventListener = add
        mounted = true
        document.documentElement.dataset.material = "mounted"
        if (click) click.click()
        if (key) window.dispatchEvent(new KeyboardEvent("keydown", key))
      }
      placeholder.replaceWith(script)
    }
  }

  const wake = event => {
    for (const type of WAKE) removeEventListener(type, wake, true)
    if (event.type === "keydown")
      key = {key: event.key, code: event.code, shiftKey: event.shiftKey, altKey: event.altKey,
             bubbles: true, cancelable: true}
    mount()
  }
  for (const type of WAKE) addEventListener(type, wake, {capture: true, passive: true})
  addEventListener("click", held, true)
})()
