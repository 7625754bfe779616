// Accessible names for elements that Material for MkDocs creates without one (the toolbar of
// every code block, code annotation markers), and keyboard access to wide tables, which
// scroll inside their own box. (The search dialog is named in the HTML: hooks/material_on_interaction.py.)
// Material creates them when it mounts a page; document$ emits right after that.
const a11yWords = document.documentElement.lang.startsWith("zh")
  ? { code: "代码块工具", note: "注释", table: "表格" }
  : { code: "Code block tools", note: "Annotation", table: "Table" };

document$.subscribe(() => {
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
