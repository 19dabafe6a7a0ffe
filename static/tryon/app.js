/* fitroom studio: local previews, drag and drop, live checks that post one file, focus after swaps. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A live check posts only the chosen file, named input_image like the API's check endpoints.
  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (!input.matches || !input.matches("input[type=file][data-live-check]")) return;
    var data = event.detail.formData;
    data.delete(input.name);
    if (input.files && input.files[0]) data.set("input_image", input.files[0]);
  });

  // A cleared file input has nothing to check.
  document.addEventListener("htmx:confirm", function (event) {
    var input = event.detail.elt;
    if (input.matches && input.matches("input[type=file][data-live-check]") && !(input.files && input.files[0])) {
      event.preventDefault();
    }
  });

  // Instant local preview: the browser shows the photo before the server has seen it.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-preview]")) return;
    var img = document.getElementById(input.dataset.preview);
    var figure = img.closest("figure");
    var overlay = figure.querySelector("svg");
    if (overlay) overlay.innerHTML = "";
    if (img.dataset.objectUrl) URL.revokeObjectURL(img.dataset.objectUrl);
    if (input.files && input.files[0]) {
      img.dataset.objectUrl = URL.createObjectURL(input.files[0]);
      img.src = img.dataset.objectUrl;
      figure.hidden = false;
    } else {
      img.removeAttribute("src");
      figure.hidden = true;
    }
  });

  // Drag and drop onto a file input's zone.
  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("is-over");
    });
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("is-over");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-over");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });

  // "Choose another photo" opens the file picker again.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-pick]");
    if (!button) return;
    var input = document.getElementById(button.dataset.pick);
    input.focus();
    input.click();
  });

  // One try-on per click: the upload can take a moment on a slow connection.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "studio-form") return;
    var button = form.querySelector("#try-on-action button[type=submit]");
    if (!button) return;
    setTimeout(function () {
      button.disabled = true;
      button.textContent = "Uploading…";
    });
  });

  // Before/after slider.
  document.addEventListener("input", function (event) {
    var range = event.target;
    if (!range.matches || !range.matches("[data-compare-range]")) return;
    range.closest("[data-compare]").style.setProperty("--pos", range.value + "%");
  });

  // After a swap, move focus to the new panel's heading so keyboard and screen reader users follow.
  function stripInitialFocusMarks() {
    document.querySelectorAll("[data-focus-on-swap]").forEach(function (el) {
      el.removeAttribute("data-focus-on-swap");
    });
  }
  stripInitialFocusMarks();
  document.addEventListener("htmx:afterSettle", function () {
    var el = document.querySelector("[data-focus-on-swap]");
    if (!el) return;
    stripInitialFocusMarks();
    el.focus();
  });
})();
