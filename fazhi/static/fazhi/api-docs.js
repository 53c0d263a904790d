/* Start Swagger UI from the settings the page carries (no inline script: CSP). */
(function () {
  "use strict";
  var config = JSON.parse(JSON.parse(document.getElementById("swagger-settings").textContent));
  var token = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  config.requestInterceptor = function (request) {
    if (token) { request.headers["X-CSRFToken"] = token; }
    return request;
  };
  window.ui = SwaggerUIBundle(config);
})();
