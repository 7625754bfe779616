// Accessible names for elements that Material for MkDocs creates without one (the search
// dialog, the toolbar of every code block, code annotation markers), and keyboard access
// to wide tables, which scroll inside their own box.
// Material creates them when it mounts a page; document$ emits right after that.
const a11yWords = document.documentElement.lang.startsWith("zh")
  ? { search: "搜索", code: "代码块工具", note: "注释", table: "表格" }
  : { search: "Search", code: "Code block tools", note: "Annotation", table: "Table" };

document$.subscribe(() => {
  document.querySelector(".md-search[role=dialog]")?.setAttribute("aria-label", a11yWords.search);
  document.querySelectorAll(".md-code__nav").forEach((nav, index) => {
    nav.setAttribute("aria-label", `${a11yWords.code} ${index + 1}`);
  });
  document.querySelectorAll(".md-annotation__index").forEach((marker) => {
    const id = marker.querySelector("[data-md-annotation-id]")?.dataset.mdAnnotationId ?? "";
    marker.setAttribute("aria-label", `${a11yWords.note} ${id}`.trim());
  });
  document.querySelectorAll(".md-typeset__scrollwrap").forEach((wrap, index) => {
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", `${a11yWords.table} ${index + 1}`);
  });
});
