/* The search index, downloaded when the reader starts a search rather than when the page loads.
Material's bundle requests search/search_index.json with an XMLHttpRequest as soon as it runs,
and has no setting to wait. This script, inlined before the bundle by
hooks/search_per_language.py, starts the index's download itself when the reader focuses the
search box (a click, the keyboard shortcut, or the search icon, which checks the search toggle
and then focuses the box), even before Material's bundle has run
(hooks/material_on_interaction.js), and answers Material's request from that download: the
request is never sent. At the same moment it starts the search worker
(docs/assets/javascripts/workers/search-query.js) and tells it to load Material's worker and
lunr; Material, creating its worker later, gets that one (a worker that has not started waits
for the search to). From file://, Material itself waits for the search to open and fetches no
index. */
(() => {
  if (location.protocol === "file:")
    return
  const INDEX = /\/search\/search_index\.json$/
  const NativeWorker = window.Worker
  let start, index = null, worker = null
  const started = new Promise(resolve => { start = resolve })
  const config = () => JSON.parse(document.getElementById("__config").textContent)
  const download = () => fetch(new URL("search/search_index.json", new URL(config().base, location.href)))
    .then(response => response.blob().then(blob => ({status: response.status, statusText: response.statusText, blob})))
  const searchWorker = url => {
    const created = new NativeWorker(url)
    started.then(() => created.postMessage({type: "load"}))
    return created
  }
  const begin = event => {
    const target = event.target
    if (target.matches && target.matches("[data-md-component=search-query], [data-md-toggle=search]")) {
      index ??= download()
      worker ??= searchWorker(config().search)
      start()
    }
  }
  document.addEventListener("focusin", begin, true)
  document.addEventListener("change", begin, true)
  const { open, send } = XMLHttpRequest.prototype
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.searchIndex = INDEX.test(new URL(url, location.href).pathname)
    return open.call(this, method, url, ...rest)
  }
  // Material reads status, statusText and response when the request's "load" event fires.
  XMLHttpRequest.prototype.send = function (...body) {
    if (!this.searchIndex)
      return send.apply(this, body)
    started.then(() => index).then(({status, statusText, blob}) => {
      Object.defineProperties(this, {readyState: {value: 4}, status: {value: status},
                                     statusText: {value: statusText}, response: {value: blob}})
      this.dispatchEvent(new ProgressEvent("load"))
    }, () => this.dispatchEvent(new ProgressEvent("error")))
  }
  window.Worker = function (url, options) {
    if (String(url).includes("/search-query.js?"))
      return worker ??= searchWorker(url)
    return new NativeWorker(url, options)
  }
  window.Worker.prototype = NativeWorker.prototype
})()
