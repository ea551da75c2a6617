// The interview kit saves its draft on every change. The form works without this script:
// "Save draft" posts it the ordinary way.
(function () {
  "use strict";
  var form = document.getElementById("kit");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("draft-status");
  var token = form.querySelector('input[name="csrf_token"]').value;
  var timer = null;

  // `beside`: each field's own message, as the page shows it after a refused post.
  function showErrors(beside) {
    form.querySelectorAll("[data-error-for]").forEach(function (place) {
      place.textContent = beside[place.dataset.errorFor] || "";
    });
  }

  function save() {
    status.textContent = "Saving the draft…";
    fetch(form.dataset.draft, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json", "X-CSRF-Token": token },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.saved) {
          showErrors({});
          status.textContent = "Draft saved.";
        } else {
          showErrors(answer.beside || {});
          status.textContent = "Not saved: " + answer.error;
        }
      })
      .catch(function () {
        status.textContent = "Not saved: the portal did not answer. Use Save draft.";
      });
  }

  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 250);
  });
})();
