// Starts the vendored Swagger UI on the API reference page (kept in a file: the CSP allows no inline script).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    validatorUrl: null,
    // Calls made with "Try it out" while signed in use the session; send its CSRF token too.
    requestInterceptor: function (request) {
      if (csrfMeta) {
        request.headers["X-CSRFToken"] = csrfMeta.getAttribute("content");
      }
      return request;
    }
  });
})();
