/* Setup toggles (hooks/copy_programs.py). The setup is in the page once, highlighted, in a
<template> inside its toggle: it is rendered the first time the toggle opens, and the copy
button copies it, its blank lines (data-gap) and the block's own code (data-code), which is
the program the tests ran. The click is caught before Material's copy button reads data-copy. */
"use strict";

(() => {
  const setupOf = (toggle) => (toggle.querySelector(":scope > template")?.content ?? toggle).querySelector("code").textContent;

  document.addEventListener("toggle", (event) => {
    const template = event.target.open && event.target.querySelector?.(":scope > template");
    if (template) template.replaceWith(template.content);
  }, true);

  document.addEventListener("click", (event) => {
    const example = event.target.closest?.("[data-clipboard-target]")?.closest(".example[data-code]");
    if (!example) return;
    const setup = setupOf(example.querySelector(":scope > details.example-setup"));
    example.dataset.copy = setup + "\n".repeat(Number(example.dataset.gap)) + example.dataset.code;
  }, true);
})();
