// The countdown to the bid deadline: the server's clock is the truth, this only counts down from it.
// Without JavaScript the page still shows the time left as of its rendering.
(function () {
  "use strict";
  var box = document.querySelector(".countdown[data-deadline]");
  if (!box || !window.fetch) { return; }
  var deadline = Date.parse(box.getAttribute("data-deadline"));
  var value = box.querySelector(".countdown-value");
  var offset = 0;

  function show() {
    var left = Math.max(0, deadline - (Date.now() + offset));
    var minutes = Math.floor(left / 60000);
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    value.textContent = d + " " + value.getAttribute("data-days") + " " + h + " " +
      value.getAttribute("data-hours") + " " + m + " " + value.getAttribute("data-minutes");
  }

  fetch(box.getAttribute("data-time-url"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (body) {
      offset = Date.parse(body.now) - Date.now();
      // A device clock more than a minute off would mislead anyone timing their bid by it.
      var warning = box.querySelector(".clock-warning");
      if (warning && Math.abs(offset) > 60000) { warning.hidden = false; }
      show();
      window.setInterval(show, 30000);
    })
    .catch(function () { /* keep the server-rendered text */ });
}());
