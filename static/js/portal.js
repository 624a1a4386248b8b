// Small enhancements for every page; the portal works without them.
(function () {
  "use strict";
  // A table box that scrolls sideways can be reached and scrolled with the keyboard.
  function focusableScrollBoxes() {
    document.querySelectorAll(".table-responsive, .report-preview .report-table").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0" && !box.hasAttribute("data-keep-tabindex")) {
        box.removeAttribute("tabindex");
      }
    });
  }
  focusableScrollBoxes();
  window.addEventListener("resize", focusableScrollBoxes);
})();
