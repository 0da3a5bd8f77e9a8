// The problem editor: a live preview of the statement and the reference solution, rendered
// in the browser by the same safe Markdown + KaTeX code as the tutor panel.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-preview]").forEach((area) => {
    const preview = document.getElementById(area.dataset.preview);
    if (!preview) return;
    const update = window.Stepwise.debounce(() => window.Stepwise.renderMarkdown(preview, area.value), 150);
    area.addEventListener("input", update);
    update.now();
  });
})();
