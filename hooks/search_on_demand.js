/* The search index, downloaded when the reader starts a search rather than when the page loads.
Material's bundle requests search/search_index.json with an XMLHttpRequest as soon as it runs,
and has no setting to wait. This script, inlined before the bundle by
hooks/search_per_language.py, holds back that one request's send() until the reader focuses
the search box (a click, the keyboard shortcut, or the search icon, which checks the search
toggle and then focuses the box), and then also tells the search worker
(docs/assets/javascripts/workers/search-query.js) to load Material's worker and lunr at the
same time. From file://, Material itself waits for the search to open and fetches no index. */
(() => {
  if (location.protocol === "file:")
    return
  const INDEX = /\/search\/search_index\.json$/
  let start
  const started = new Promise(resolve => { start = resolve })
  const begin = event => {
    const target = event.target
    if (target.matches && target.matches("[data-md-component=search-query], [data-md-toggle=search]"))
      start()
  }
  document.addEventListener("focusin", begin, true)
  document.addEventListener("change", begin, true)
  const { open, send } = XMLHttpRequest.prototype
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.searchIndex = INDEX.test(new URL(url, location.href).pathname)
    return open.call(this, method, url, ...rest)
  }
  XMLHttpRequest.prototype.send = function (...body) {
    if (!this.searchIndex)
      return send.apply(this, body)
    started.then(() => send.apply(this, body))
  }
  const NativeWorker = window.Worker
  window.Worker = function (url, options) {
    const worker = new NativeWorker(url, options)
    if (String(url).includes("/search-query.js?"))
      started.then(() => worker.postMessage({type: "load"}))
    return worker
  }
  window.Worker.prototype = NativeWorker.prototype
})()
