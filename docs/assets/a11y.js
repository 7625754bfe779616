// Accessible names for elements that Material for MkDocs creates without one:
// the search dialog, the toolbar of every code block, and code annotation markers.
// Material creates them when it mounts a page; document$ emits right after that.
const a11yWords = document.documentElement.lang.startsWith("zh")
  ? { search: "搜索", code: "代码块工具", note: "注释" }
  : { search: "Search", code: "Code block tools", note: "Annotation" };

document$.subscribe(() => {
  document.querySelector(".md-search[role=dialog]")?.setAttribute("aria-label", a11yWords.search);
  document.querySelectorAll(".md-code__nav").forEach((nav, index) => {
    nav.setAttribute("aria-label", `${a11yWords.code} ${index + 1}`);
  });
  document.querySelectorAll(".md-annotation__index").forEach((marker) => {
    const id = marker.querySelector("[data-md-annotation-id]")?.dataset.mdAnnotationId ?? "";
    marker.setAttribute("aria-label", `${a11yWords.note} ${id}`.trim());
  });
});
