/* The certificate's Print button: shown and wired only when scripts run (the CSP allows no inline script);
   without JavaScript the page tells the reader to use the browser's own Print command. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
