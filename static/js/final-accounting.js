// Shows the "final accounting" checkbox only for the reporting years in which it applies
// (data-allowed-years) and ticks it for good in the window's last year
// (data-required-years); the server applies the same rule without this script.
(function () {
  "use strict";
  var box = document.querySelector("input[type=checkbox][data-allowed-years]");
  var year = box && box.form && box.form.elements.year;
  if (!year) {
    return;
  }
  var wrapper = box.closest(".mb-3") || box.parentNode;
  var chosen = box.checked;
  function years(name) {
    return (box.getAttribute(name) || "").split(" ");
  }
  function update() {
    var allowed = years("data-allowed-years").indexOf(year.value) !== -1;
    var required = years("data-required-years").indexOf(year.value) !== -1;
    wrapper.hidden = !allowed;
    box.disabled = required;
    box.checked = allowed && (required || chosen);
  }
  box.addEventListener("change", function () {
    chosen = box.checked;
  });
  year.addEventListener("change", update);
  update();
})();
