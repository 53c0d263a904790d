// On-site inspection form: signature pads, and a draft kept in this browser
// so that a lost connection never loses what was typed.
(function () {
  "use strict";
  var texts = document.getElementById("offline-messages");
  function text(name) { return texts ? texts.dataset[name] : ""; }

  // --- signature pads (pointer events: finger, pen or mouse) ---
  document.querySelectorAll("canvas.signature-pad").forEach(function (canvas) {
    var form = canvas.parentElement.querySelector("form.signature-form");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var marked = false;
    function fit() {
      var ratio = window.devicePixelRatio || 1;
      canvas.width = canvas.clientWidth * ratio;
      canvas.height = 160 * ratio;
      ctx.scale(ratio, ratio);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.strokeStyle = "#111";
      marked = false;
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }
    fit();
    canvas.style.touchAction = "none";
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      marked = true;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    form.querySelector(".js-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      marked = false;
    });
    form.addEventListener("submit", function (event) {
      if (!marked) {
        event.preventDefault();
        window.alert(text("empty"));
        return;
      }
      form.querySelector("input[name=png]").value = canvas.toDataURL("image/png");
    });
  });

  // --- the record form's draft in localStorage ---
  var form = document.getElementById("record-form");
  if (!form || !window.localStorage) { return; }
  var key = form.dataset.draftKey;
  var version = parseInt(form.dataset.version, 10);
  var notice = document.getElementById("draft-notice");
  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "hidden" && el.type !== "submit" && el.tagName !== "BUTTON";
    });
  }
  function values() {
    var out = {};
    fields().forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) { out[el.name] = el.value; }
      } else {
        out[el.name] = el.value;
      }
    });
    return out;
  }
  function apply(saved) {
    fields().forEach(function (el) {
      if (!(el.name in saved)) { return; }
      if (el.type === "radio") { el.checked = saved[el.name] === el.value; } else { el.value = saved[el.name]; }
    });
  }
  function same(a, b) {
    return Object.keys(a).every(function (k) { return (b[k] || "") === (a[k] || ""); });
  }
  function show(message) {
    notice.textContent = message;
    notice.classList.remove("d-none");
  }
  function store() {
    localStorage.setItem(key, JSON.stringify({ version: version, values: values(), at: Date.now() }));
  }
  var draft = null;
  try { draft = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { draft = null; }
  if (draft) {
    if (same(draft.values, values())) {
      localStorage.removeItem(key);  // the server already holds exactly this
    } else if (draft.version === version) {
      apply(draft.values);
      show(text("restored"));
    } else {
      show(text("newer"));
      var restore = document.createElement("button");
      restore.type = "button";
      restore.className = "btn btn-sm btn-outline-primary ms-2";
      restore.textContent = text("restore");
      restore.addEventListener("click", function () {
        apply(draft.values);
        store();
        notice.classList.add("d-none");
      });
      notice.appendChild(restore);
    }
  }
  form.addEventListener("input", store);
  form.addEventListener("change", store);
  form.addEventListener("submit", function (event) {
    store();
    if (!navigator.onLine) {
      event.preventDefault();
      show(text("offline"));
      form.dataset.pending = "1";
    }
  });
  window.addEventListener("online", function () {
    if (form.dataset.pending === "1") {
      form.dataset.pending = "";
      form.submit();
    }
  });
})();
