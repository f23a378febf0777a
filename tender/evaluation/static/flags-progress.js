// Polls the flags job's progress on the panel page and reloads when it is done.
(function () {
  "use strict";
  var status = document.querySelector("[data-flags-progress]");
  if (!status) return;
  var bar = document.querySelector("progress");
  function poll() {
    fetch(status.getAttribute("data-flags-progress"), {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (bar) bar.value = s.progress;
        status.textContent = status.textContent.replace(/\d+%/, s.progress + "%");
        if (s.done) { window.location.reload(); } else { setTimeout(poll, 1500); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
})();
