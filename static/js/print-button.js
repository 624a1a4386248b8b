// A button with data-print opens the browser's print dialogue (no inline script: the CSP
// forbids it). Without this script the button stays hidden.
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
