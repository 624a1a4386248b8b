// Polls the JSON status of every element with data-status-url and updates its progress bar
// and text; reloads the page once all have finished so that downloads appear.
(function () {
  "use strict";
  var watched = Array.prototype.slice.call(document.querySelectorAll("[data-status-url]"));
  if (!watched.length) {
    return;
  }
  function update(element, state) {
    var bar = element.querySelector(".progress-bar");
    if (bar) {
      bar.style.width = state.percent + "%";
      bar.setAttribute("aria-valuenow", state.percent);
      bar.classList.toggle("bg-danger", state.status === "mislukt");
    }
    var text = element.querySelector("[data-status-text]");
    if (text) {
      text.textContent = state.progress ? state.label + " – " + state.progress : state.label;
    }
  }
  function poll() {
    var pending = watched.filter(function (element) {
      return !element.dataset.finished;
    });
    if (!pending.length) {
      window.location.reload();
      return;
    }
    Promise.all(
      pending.map(function (element) {
        return fetch(element.dataset.statusUrl, { headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.ok ? response.json() : null;
          })
          .then(function (state) {
            if (!state) {
              return;
            }
            update(element, state);
            if (state.done) {
              element.dataset.finished = "1";
            }
          });
      })
    ).finally(function () {
      window.setTimeout(poll, 2000);
    });
  }
  window.setTimeout(poll, 1000);
})();
