// The needs form (schools/answer_form.html): "Add a need" adds an empty row without a reload.
// Without JavaScript the button stays hidden and saving the draft adds two empty rows.
(function () {
  "use strict";
  var template = document.getElementById("behoefte-leeg");
  var button = document.querySelector("[data-add-need]");
  var total = document.getElementById("id_behoefte-TOTAL_FORMS");
  var rows = document.getElementById("behoeften");
  if (!template || !button || !total || !rows) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelectorAll("[id], [for], [name], [aria-describedby]").forEach(function (element) {
      ["id", "for", "name", "aria-describedby"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) {
          element.setAttribute(attribute, value.replace(/__prefix__/g, String(index)));
        }
      });
    });
    row.querySelector("legend").textContent = row
      .querySelector("legend")
      .textContent.replace("__number__", String(index + 1));
    rows.appendChild(row);
    total.value = String(index + 1);
    var field = row.querySelector("textarea, input");
    if (field) {
      field.focus();
    }
  });
})();
