/* Chinese queries as Chinese readers type them, for Material's own search worker.

An input method commits a whole phrase at once: Latin and Chinese glued together, no spaces
(`SGD公式`, `zero_grad()放在哪里`, `Adam和AdamW的区别`). Material splits a query at spaces and
its separator, and segments runs of Han characters against the index, but leaves `SGD公式`
as one term, which matches nothing. This worker rewrites each query before Material sees it:

- full-width forms become ASCII (ＳＧＤ（） -> SGD()), and punctuation that belongs to no
  word (，。？「」 and ?) becomes a space;
- Latin and Han runs are split apart (SGD公式 -> SGD 公式);
- each Han run is cut into the words the index holds, as jieba cut the pages at build time
  (the index marks its words with \u200b), choosing the most probable cut by how often each
  word occurs, so that glossary terms such as 学习率 stay whole on both sides
  (学习率怎么设置 -> 学习率 设置). Material then segments each Han run again against the
  index, but its segmenter never tries a run's full length (学习率 alone is searched as
  学习*, and of 梯度清零 only 梯度 is kept), so each word of the index goes to it with a
  character of no word after it, 〇, which makes it keep the word whole and drop the 〇;
- question words that name nothing a page is about (什么, 怎么, 哪里, 意思, 吗) are left
  out, and so are lunr's Chinese and English stop words (的, 是, 和; what, is, a), which its
  index leaves out.
API names keep working with and without punctuation (zero_grad, zero_grad(), optimizer.step()):
Material's separator splits them, on the query as on the index; this worker leaves ASCII
punctuation (other than ?) to it, and gives back its punctuation to a name typed without
any (zerograd -> zero_grad) when the index has no such word.

Results come back with the \u200b that marks jieba's words removed from titles and previews,
so that what a reader copies from a result has no invisible characters.

How: hooks/search_per_language.py points Material's `__config.search` (the worker URL) here,
naming Material's worker in `?material=`. This file registers its "message" listener first
and imports Material's worker into the same scope when the index arrives (so a page that is
only read never downloads it): both listeners receive every later event, ours first, so
Material's handler reads the rewritten query. It relies on Material's
messages (src/templates/assets/javascripts/integrations/search/worker/message/index.ts):
{type: 0 (SETUP), data: {config, docs}} and {type: 2 (QUERY), data: "query"} in,
{type: 3 (RESULT), data: {items: [[{title, text, ...}]]}} out. A message of another shape is
recorded in self.searchQuery.unexpected, and tests/test_browser.py fails on it, or when no
query came through this listener: then Material changed and this file needs a look. */

"use strict"

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3  // Material's SearchMessageType

const HAN = /\p{sc=Han}+/gu  // the Han runs Material segments (its own regular expression)

const state = self.searchQuery = {
  words: new Map(),  // each Han word of the index -> how often it occurs
  total: 0,
  longest: 1,
  latin: new Set(),  // each Latin word of the index, lower case
  names: new Map(),  // an API name of the index without its punctuation -> the name (zerograd -> zero_grad)
  end: "〇",  // Han script, and in no word of the index (else "", see learn())
  seen: {setup: 0, queries: 0, results: 0},
  terms: [],  // the terms Material searched for, last query
  unexpected: [],
  rewrite,
  segment,
}

/* The index's Han words (jieba's words, which the index separates with \u200b), its Latin
   words, and its API names (zero_grad, optimizer.step, and each dotted part of them). */
function learn(docs) {
  const words = new Map(), latin = new Set(), names = new Map()
  let total = 0, longest = 1
  for (const doc of docs) {
    const text = `${doc.title} ${doc.text}`
    for (const [word] of text.matchAll(HAN)) {
      words.set(word, (words.get(word) || 0) + 1)
      total += 1
      longest = Math.max(longest, [...word].length)
    }
    for (const [word] of text.matchAll(/[a-z0-9]+/gi))
      latin.add(word.toLowerCase())
    for (const [name] of text.matchAll(/[a-z][a-z0-9]*(?:[._][a-z0-9]+)+/gi)) {
      const parts = name.split(".")
      for (let i = 0; i < parts.length; i++)
        for (let j = i + 1; j <= parts.length; j++) {
          const part = parts.slice(i, j).join(".")
          if (/[._]/.test(part))
            names.set(part.toLowerCase().replace(/[._]/g, ""), part)
        }
    }
  }
  const end = [...words.keys()].some(word => word.includes("〇")) ? "" : "〇"
  Object.assign(state, {words, total, longest, latin, names, end})
}

/* The most probable cut of a Han run into words of the index (jieba's rule, on the index's
   own counts); characters of no word stay together as one term. */
function segment(run) {
  const chars = [...run]
  const {words, total, longest} = state
  if (!total)
    return [run]
  const unknown = Math.log(0.5 / total)  // below any word of the index
  const best = [0], from = [0]
  for (let end = 1; end <= chars.length; end++) {
    best[end] = -Infinity
    for (let start = Math.max(0, end - longest); start < end; start++) {
      const count = words.get(chars.slice(start, end).join(""))
      const score = count ? Math.log(count / total) : end - start === 1 ? unknown : -Infinity
      if (best[start] + score > best[end]) {
        best[end] = best[start] + score
        from[end] = start
      }
    }
  }
  const cut = []
  for (let end = chars.length; end > 0; end = from[end])
    cut.unshift(chars.slice(from[end], end).join(""))
  const merged = []
  for (const word of cut) {
    const last = merged[merged.length - 1]
    if (last !== undefined && !words.has(word) && !words.has(last))
      merged[merged.length - 1] = last + word
    else
      merged.push(word)
  }
  return merged
}

/* Words that make a phrase a question but name nothing a page is about, as lunr's English
   stop words do for "what", "how" and "where" (its Chinese list has only single characters). */
const QUESTION_WORDS = new Set([
  "什么", "意思", "怎么", "怎样", "怎么样", "如何", "哪里", "哪儿", "吗", "呢", "吧", "啊",
])

/* Lunr's Chinese stop words (的, 是, 和), which its index leaves out: searched for, they match
   nothing and each is listed under the results as missing. Loaded with Material's worker. */
function isStopWord(word) {
  const filter = self.lunr && self.lunr.zh && self.lunr.zh.stopWordFilter
  return typeof filter === "function" && !filter(word)
}

/* Lunr's English stop words (what, is, a, the), which its index leaves out too; searched for,
   each is a prefix ("a" matches every word that starts with a) that outranks the words that
   name the page ("what is a closure"). */
function isEnglishStopWord(word) {
  const filter = self.lunr && self.lunr.stopWordFilter
  return typeof filter === "function" && !filter(word.toLowerCase())
}

function rewrite(query, dropQuestionWords = true) {
  const rewritten = query
    .replace(/[\uff01-\uff5e]/g, c => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/(?![\x00-\x7f])\p{P}|\?/gu, " ")
    // An API name typed without its punctuation, if the index has no such word: zerograd.
    .replace(/\b[a-z][a-z0-9]{3,}\b/gi, word => state.latin.has(word.toLowerCase())
      ? word : state.names.get(word.toLowerCase()) || word)
    .replace(/(^|\s)([a-z]+)(?=\s|$)/gi, (all, space, word) =>
      dropQuestionWords && isEnglishStopWord(word) ? space : all)
    // A + or - before a Han run (a lunr modifier) stays with its first word.
    .replace(/((?:^|\s)[+-])?(\p{sc=Han}+)/gu, (_, sign, run) => {
      const words = segment(run)
        .filter(word => !(dropQuestionWords && (QUESTION_WORDS.has(word) || isStopWord(word))))
      return words.length ? ` ${(sign || "").trim()}${words.join(" ")} ` : " "
    })
    .replace(/\s+/g, " ")
    .trim()
  // A query of question and stop words alone (怎么) is searched for as typed.
  return rewritten || !dropQuestionWords ? rewritten : rewrite(query, false)
}

/* Each word of the index followed by 〇, for Material's segmenter: 学习率 -> 学习率〇. Its loop
   (query/segment in Material's source) stops one character short of a run's end, so that it
   finds 学习率 in 学习率〇, and 〇 alone is part of no word; a segmenter that tried the whole
   run would find the same. A single character needs no 〇 (Material keeps it as it is), and
   must not get one: the stop words (的, 是) are single characters left out of lunr's index,
   where 的〇 would be searched for as a word and shown as missing. tests/test_browser.py
   checks the terms Material searched for. */
function protect(query) {
  return state.end
    ? query.replace(HAN, run => [...run].length > 1 && state.words.has(run) ? run + state.end : run)
    : query
}

addEventListener("message", event => {
  const message = event.data
  if (message && message.type === "load") {  // from hooks/search_on_demand.js, not for Material
    event.stopImmediatePropagation()
    loadMaterial()
  } else if (message && message.type === SETUP && message.data && Array.isArray(message.data.docs)) {
    if (!materialLoaded) {
      // Material's worker, once loaded, adds its listener after ours, too late for this
      // event: both get it again.
      loadMaterial().then(() => dispatchEvent(new MessageEvent("message", {data: message})))
      return
    }
    learn(message.data.docs)
    state.seen.setup += 1
  } else if (message && message.type === QUERY && typeof message.data === "string") {
    message.data = protect(rewrite(message.data))  // the object Material's listener reads next
    state.seen.queries += 1
  } else {
    state.unexpected.push(JSON.stringify(message).slice(0, 200))
  }
})

/* Material answers with postMessage(); take \u200b out of what the results show. */
const post = self.postMessage.bind(self)
self.postMessage = (message, ...rest) => {
  if (message && message.type === RESULT && message.data && Array.isArray(message.data.items)) {
    for (const group of message.data.items)
      for (const item of group)
        for (const field of ["title", "text"])
          if (typeof item[field] === "string")
            item[field] = item[field].replace(/\u200b/g, "")
    state.terms = [...new Set(message.data.items.flat().flatMap(item => Object.keys(item.terms || {})))]
    state.seen.results += 1
  } else if (!(message && message.type === READY)) {
    state.unexpected.push(JSON.stringify(message).slice(0, 200))
  }
  return post(message, ...rest)
}

// In a worker, location is this file's URL. Opened from file:// (the offline copy), the page
// runs this file in an iframe instead (iframe-worker: importScripts loads script tags), where
// location is the page's: this file's URL is then its script element's, which iframe-worker
// gives a cache-busting "?<time>" of its own after ours.
const own = typeof document === "undefined"
  ? location.href
  : document.querySelector('script[src*="search-query.js"]').src.replace(/\?\d+$/, "")
const material = new URL(own).searchParams.get("material")
if (!/^search\.[0-9a-f]+\.min\.js$/.test(material || ""))
  throw new Error(`search-query.js: no Material search worker named in ?material= (${material})`)

/* Material's worker and the lunr languages it imports on SETUP (its setupSearchLanguages(), for
   the languages in ?lang=), loaded when the reader starts a search: fetched side by side, while
   the page downloads the index (importScripts would fetch them one after another, a round trip
   each), then run in order. Material's own importScripts() of them then loads nothing again. */
let materialLoaded = false
let loading = null
const lunrFolder = new URL("../lunr/min/", own).href
const languages = (new URL(own).searchParams.get("lang") || "en").split(" ")
const scripts = [
  new URL(material, own).href,
  `${lunrFolder}lunr.stemmer.support.min.js`,
  ...languages.filter(lang => lang !== "en").map(lang => `${lunrFolder}lunr.${lang}.min.js`),
  ...languages.length > 1 ? [`${lunrFolder}lunr.multi.min.js`] : [],
]
const imported = new Set()
const importScript = self.importScripts.bind(self)
self.importScripts = (...urls) => importScript(...urls.filter(url => !imported.has(new URL(url, own).href)))
function loadMaterial() {
  loading ??= Promise.all(scripts.map(url => fetch(url).then(response => {
    if (!response.ok)
      throw new Error(`search-query.js: ${url}: HTTP ${response.status}`)
    return response.blob()
  }))).then(blobs => {
    blobs.forEach((blob, i) => {
      importScript(URL.createObjectURL(blob))
      imported.add(scripts[i])
    })
    materialLoaded = true
  })
  return loading
}
// From file:// (iframe-worker), Material waits for the search to open before it sends the
// index, and importScripts is only safe while this file runs: Material's worker comes now.
if (typeof document !== "undefined") {
  importScript(scripts[0])
  materialLoaded = true
}
