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

  // Photos the live checks stored are sent as references: the try-on doesn't upload them again.
  var SLOTS = ["model", "cloth", "lower_cloth"];
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id !== "studio-form") return;
    var data = event.detail.formData;
    SLOTS.forEach(function (slot) {
      var ref = document.getElementById(slot + "-upload");
      if (ref && ref.value) data.delete(slot + "_image");
    });
  });

  // The Try on button waits while any visible check says this photo can't go on, and says why.
  function refreshTryOn() {
    var form = document.getElementById("studio-form");
    if (!form) return;
    SLOTS.forEach(function (slot) {
      var input = document.getElementById("id_" + slot + "_image");
      var ref = document.getElementById(slot + "-upload");
      if (!input || !ref) return;
      if (input.dataset.required === undefined) input.dataset.required = input.required ? "1" : "";
      input.required = !!input.dataset.required && !ref.value;
    });
    var action = document.getElementById("try-on-action");
    var button = action && action.querySelector("button[type=submit]");
    if (!button) return;
    var blocker = Array.prototype.find.call(form.querySelectorAll("[data-blocks-tryon]"), function (el) {
      return el.getClientRects().length > 0;
    });
    var why = document.getElementById("try-on-blocked");
    if (!why) {
      why = document.createElement("p");
      why.id = "try-on-blocked";
      why.className = "help";
      action.appendChild(why);
    }
    button.disabled = !!blocker || button.dataset.busy === "1";
    why.textContent = blocker ? blocker.dataset.blocksTryon : "";
    why.hidden = !blocker;
    if (blocker) button.setAttribute("aria-describedby", "try-on-blocked");
    else button.removeAttribute("aria-describedby");
  }
  document.addEventListener("htmx:afterSettle", refreshTryOn);
  document.addEventListener("DOMContentLoaded", refreshTryOn);

  // A garment type the shopper picked by hand is theirs: the garment check only comments on it.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[name=cloth_type]")) return;
    var chosen = document.getElementById("cloth-type-chosen");
    if (chosen) chosen.value = "1";
    refreshTryOn();
  });

  // A new (or cleared) photo: its old reference and its old verdict no longer apply.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-live-check]")) return;
    var slot = input.name.replace(/_image$/, "");
    var ref = document.getElementById(slot + "-upload");
    if (ref) ref.value = "";
    var target = document.querySelector(input.getAttribute("hx-target"));
    if (target) target.innerHTML = "";
    refreshTryOn();
  });

  // A photo the browser can't show (HEIC on some systems, a damaged file): no broken image.
  document.addEventListener(
    "error",
    function (event) {
      var img = event.target;
      if (!img.matches || !img.matches(".preview img")) return;
      img.closest("figure").hidden = true;
    },
    true
  );

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

  // A photo taken with the phone's camera goes into the person photo input, as if chosen there.
  document.addEventListener("change", function (event) {
    var camera = event.target;
    if (!camera.matches || !camera.matches("input[data-camera-for]") || !camera.files.length) return;
    var input = document.getElementById(camera.dataset.cameraFor);
    input.files = camera.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // A garment from an address replaces any file chosen for that slot; the browser shows the picture.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = event.detail.elt;
    if (!button.matches || !button.matches("[data-url-for]")) return;
    var input = document.getElementById(button.dataset.urlFor);
    var address = button.closest(".url-row").querySelector("input[type=url]").value;
    input.value = "";
    var ref = document.getElementById(input.name.replace(/_image$/, "") + "-upload");
    if (ref) ref.value = "";
    var img = document.getElementById(input.dataset.preview);
    if (img.dataset.objectUrl) URL.revokeObjectURL(img.dataset.objectUrl);
    delete img.dataset.objectUrl;
    img.closest("figure").hidden = !address;
    if (address) img.src = address;
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

  // "Check again" (after an outage) sends the same chosen photo to its check once more.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-recheck]");
    if (!button) return;
    var input = document.getElementById(button.dataset.recheck);
    if (input.files && input.files[0]) htmx.trigger(input, "change");
    else input.click();
  });

  // "Choose another photo" opens the file picker again.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-pick]");
    if (!button) return;
    var input = document.getElementById(button.dataset.pick);
    input.focus();
    input.click();
  });

  // One try-on per click: the upload can take a moment on a slow connection. A refusal comes
  // back beside the button (the photos stay chosen), so the button comes back too.
  function tryOnButton(event) {
    if (event.detail.elt.id !== "studio-form") return null;
    return document.querySelector("#try-on-action button[type=submit]");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = tryOnButton(event);
    if (!button) return;
    button.dataset.busy = "1";
    button.disabled = true;
    button.textContent = "Starting…";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = tryOnButton(event);
    if (!button) return;
    button.dataset.busy = "";
    button.textContent = "Try on";
    refreshTryOn();
  });

  // After a card deletes itself, focus moves to the next card (or the heading), not to the page's start.
  var focusAfterDelete = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!event.detail.elt.matches("[data-delete-card]")) return;
    var card = event.detail.elt.closest(".card");
    var next = card.nextElementSibling || card.previousElementSibling;
    focusAfterDelete = next ? next.querySelector(".card-title a") : document.getElementById("gallery-heading");
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!focusAfterDelete || !event.detail.requestConfig.elt.matches("[data-delete-card]")) return;
    if (!event.detail.xhr || event.detail.xhr.status !== 200) return;
    focusAfterDelete.focus(); // the card that is about to go held the focus
    focusAfterDelete = null;
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
