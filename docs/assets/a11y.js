// Accessible names for elements that Material for MkDocs creates without one:
// the search dialog, the toolbar of every code block, and code annotation markers.
(() => {
  const zh = document.documentElement.lang.startsWith("zh");
  const words = zh
    ? { search: "搜索", code: "代码块工具", note: "注释" }
    : { search: "Search", code: "Code block tools", note: "Annotation" };

  function name(root) {
    root.querySelectorAll(".md-search[role=dialog]:not([aria-label])").forEach((dialog) => {
      dialog.setAttribute("aria-label", words.search);
    });
    document.querySelectorAll(".md-code__nav").forEach((nav, index) => {
      nav.setAttribute("aria-label", `${words.code} ${index + 1}`);
    });
    root.querySelectorAll(".md-annotation__index:not([aria-label])").forEach((marker) => {
      const id = marker.querySelector("[data-md-annotation-id]")?.dataset.mdAnnotationId ?? "";
      marker.setAttribute("aria-label", `${words.note} ${id}`.trim());
    });
  }

  name(document);
  new MutationObserver(() => name(document)).observe(document.body, { childList: true, subtree: true });
})();
