// omnicast page behaviour that htmx does not cover. Kept small on purpose.
(function () {
  "use strict";

  // The navigation's Menu button on narrow screens: a disclosure button
  // (Enter and Space work as on any button); Escape or a click elsewhere
  // closes it, and Escape gives the focus back to the button.
  function navToggle() { return document.querySelector("[data-nav-toggle]"); }
  function setNav(open) {
    var btn = navToggle();
    if (!btn) return;
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    btn.closest(".topbar").classList.toggle("nav-open", open);
  }
  document.addEventListener("click", function (ev) {
    var btn = navToggle();
    if (!btn) return;
    if (ev.target.closest("[data-nav-toggle]")) {
      setNav(btn.getAttribute("aria-expanded") !== "true");
    } else if (!ev.target.closest("#main-nav")) {
      setNav(false);
    }
  });
  document.addEventListener("keydown", function (ev) {
    var btn = navToggle();
    if (ev.key !== "Escape" || !btn || btn.getAttribute("aria-expanded") !== "true") return;
    setNav(false);
    btn.focus();
  });

  // Copy buttons copy the text of the element named by data-copy and say
  // so beside it. The Clipboard API needs a secure context (https or
  // localhost); elsewhere a selected, hidden textarea is copied instead.
  function copied(btn, ok) {
    var status = btn.parentElement.querySelector(".copy-status");
    if (!status) return;
    status.textContent = btn.getAttribute(ok ? "data-label-done" : "data-label-failed");
    status.classList.toggle("failed", !ok);
    clearTimeout(btn._copyTimer);
    btn._copyTimer = setTimeout(function () { status.textContent = ""; }, 4000);
  }
  function copyByHand(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-copy]");
    if (!btn) return;
    var src = document.getElementById(btn.getAttribute("data-copy"));
    if (!src) return;
    var text = src.textContent.trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(btn, true); }, function () { copied(btn, copyByHand(text)); });
    } else {
      copied(btn, copyByHand(text));
    }
  });

  // Close an open <details> menu when clicking elsewhere.
  document.addEventListener("click", function (ev) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (!d.contains(ev.target)) d.removeAttribute("open");
    });
  });

  // Flash messages can be dismissed.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-dismiss]");
    if (btn) btn.closest(".flash").remove();
  });

  // Submit a form when a control marked data-autosubmit changes; go to the
  // URL chosen in a select marked data-navigate.
  document.addEventListener("change", function (ev) {
    if (ev.target.matches("[data-autosubmit]")) ev.target.form.requestSubmit();
    if (ev.target.matches("[data-navigate]")) window.location.href = ev.target.value;
  });

  // Side panels (the contact filter) open and close from any toggle button.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-toggle-panel]");
    if (!btn) return;
    var panel = document.getElementById(btn.getAttribute("data-toggle-panel"));
    if (panel) panel.classList.toggle("open");
  });

  // Time filters show their date inputs only for a custom range.
  document.addEventListener("change", function (ev) {
    var sel = ev.target.closest("[data-time-filter] select");
    if (!sel) return;
    var range = sel.parentElement.querySelector(".range");
    range.classList.toggle("shown", sel.value === "custom");
  });

  // Reset empties the filter form too (htmx swaps only the results).
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest("[data-reset-form]");
    if (!a) return;
    var form = document.getElementById(a.getAttribute("data-reset-form"));
    if (!form) return;
    form.querySelectorAll("input[type=text], input[type=search], input[type=date]").forEach(function (i) { i.value = ""; });
    form.querySelectorAll("select").forEach(function (s) { s.selectedIndex = 0; });
    form.querySelectorAll(".range").forEach(function (r) { r.classList.remove("shown"); });
    var sub = form.querySelector("input[name=status][value=subscribed]");
    if (sub) sub.checked = true;
  });

  // Selection of contacts. It lives in sessionStorage under the results'
  // selection key (channel + filter), so it survives paging; "all matching"
  // stores the mode instead of ids, and the server resolves the filter.
  function results() { return document.querySelector("[data-selection-key]"); }
  function storeKey(r) { return "omnicast.sel." + r.getAttribute("data-selection-key"); }
  function load(r) {
    try {
      var v = JSON.parse(sessionStorage.getItem(storeKey(r)) || "{}");
      return { all: !!v.all, ids: v.ids || [] };
    } catch (e) { return { all: false, ids: [] }; }
  }
  function save(r, sel) { sessionStorage.setItem(storeKey(r), JSON.stringify(sel)); }

  function render() {
    var r = results();
    if (!r) return;
    // A refused form brings back the selection it carried.
    var keep = r.getAttribute("data-keep-selection");
    if (keep) {
      try { save(r, JSON.parse(keep)); } catch (e) { /* keep what is stored */ }
      r.removeAttribute("data-keep-selection");
    }
    var sel = load(r);
    var set = new Set(sel.ids);
    var boxes = r.querySelectorAll("input.sel");
    boxes.forEach(function (b) { b.checked = sel.all || set.has(b.value); b.disabled = sel.all; });
    var page = r.querySelector("[data-select-page]");
    if (page) {
      page.checked = sel.all || (boxes.length > 0 && Array.prototype.every.call(boxes, function (b) { return b.checked; }));
      page.disabled = sel.all;
    }
    // The exact count arrives after the rows (GET /contacts/count); until
    // then "all matching" is offered and shown without a number.
    var count = r.querySelector('[data-testid="match-count"]');
    var total = count ? Number(count.getAttribute("data-count")) : -1;
    var label = r.querySelector("[data-sel-count]");
    var n = sel.all ? total : set.size;
    if (label) {
      if (sel.all) label.textContent = count ? count.getAttribute("data-label-selected-all") : label.getAttribute("data-label-all");
      else if (n === 0) label.textContent = label.getAttribute("data-label-none");
      else label.textContent = label.getAttribute("data-label-some").replace("{n}", n);
      label.setAttribute("data-selected", String(n));
    }
    var allBtn = r.querySelector("[data-select-all]");
    var clearBtn = r.querySelector("[data-select-clear]");
    if (allBtn) {
      if (!allBtn.hasAttribute("data-label-pending")) allBtn.setAttribute("data-label-pending", allBtn.textContent);
      allBtn.textContent = count ? count.getAttribute("data-label-select-all") : allBtn.getAttribute("data-label-pending");
      allBtn.hidden = sel.all || total === 0;
    }
    if (clearBtn) clearBtn.hidden = !sel.all && set.size === 0;
    r.querySelectorAll("[data-sel-ids]").forEach(function (i) { i.value = sel.all ? "" : sel.ids.join(","); });
    r.querySelectorAll("[data-sel-all]").forEach(function (i) { i.value = sel.all ? "1" : ""; });
    r.querySelectorAll("[data-needs-selection]").forEach(function (b) { b.disabled = n === 0; });
    measureBars(); // the bar's height follows its content
  }

  document.addEventListener("change", function (ev) {
    var r = results();
    if (!r || !r.contains(ev.target)) return;
    var sel = load(r);
    var set = new Set(sel.ids);
    if (ev.target.matches("input.sel")) {
      if (ev.target.checked) set.add(ev.target.value); else set.delete(ev.target.value);
    } else if (ev.target.matches("[data-select-page]")) {
      r.querySelectorAll("input.sel").forEach(function (b) {
        if (ev.target.checked) set.add(b.value); else set.delete(b.value);
      });
    } else {
      return;
    }
    save(r, { all: false, ids: Array.from(set) });
    render();
  });

  document.addEventListener("click", function (ev) {
    var r = results();
    if (!r) return;
    if (ev.target.closest("[data-select-all]")) { save(r, { all: true, ids: [] }); render(); }
    if (ev.target.closest("[data-select-clear]")) { save(r, { all: false, ids: [] }); render(); }
  });

  // A finished action clears the selection it acted on.
  document.addEventListener("submit", function (ev) {
    var r = results();
    if (r && ev.target.matches(".sel-form")) {
      render();
      var key = storeKey(r);
      setTimeout(function () { sessionStorage.removeItem(key); }, 0);
    }
  });

  // The selection bar sticks below the top bar on wide screens; its height
  // goes into --selbar-h, so focus and anchors scroll clear of it.
  function measureBars() {
    var root = document.documentElement.style;
    var top = document.querySelector(".topbar");
    if (top) root.setProperty("--topbar-h", top.offsetHeight + "px");
    var bar = document.querySelector("[data-selection-bar]");
    var sticky = bar && getComputedStyle(bar).position === "sticky";
    root.setProperty("--selbar-h", sticky ? bar.offsetHeight + "px" : "0px");
  }

  // An invalid filter answers 422 (a page link not ours, 400) with the
  // form marked or a notice: swap those in the contacts area too, instead
  // of htmx's default of ignoring error answers.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var status = ev.detail.xhr.status;
    var path = (ev.detail.pathInfo && ev.detail.pathInfo.requestPath) || "";
    if (path.indexOf("/contacts/count") === 0) return; // a count never answers a form
    if ((status === 422 || status === 400) && ev.detail.elt.closest("[data-swap-invalid]")) {
      ev.detail.shouldSwap = true;
      ev.detail.isError = false;
    }
  });

  // A new filter request clears the marks of the last invalid one; the
  // answer marks the fields again if they are still wrong.
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var form = ev.detail.elt.closest ? ev.detail.elt.closest("#filter-form") : null;
    if (!form) return;
    form.querySelectorAll(".invalid").forEach(function (f) { f.classList.remove("invalid"); });
    form.querySelectorAll("[data-field-error]").forEach(function (e) { e.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (e) { e.removeAttribute("aria-invalid"); });
    var feedback = document.getElementById("filter-feedback");
    if (feedback) feedback.textContent = "";
  });


  // The composer. Texts: a box that shows the contact-name parameter as a
  // chip (the textarea, hidden, keeps the stored form "{{name}}" and is
  // what the form posts; without script the textarea itself is shown).
  var NAME = "{{name}}";
  function countText(s, utf16) {
    if (utf16) return s.length; // JS strings are UTF-16: LINE's count
    return Array.from(s).length; // code points: Meta's count
  }
  function chip(label) {
    var c = document.createElement("span");
    c.className = "name-chip";
    c.contentEditable = "false";
    c.setAttribute("data-param", "name");
    c.textContent = label;
    return c;
  }
  function serialize(box) {
    var out = "";
    box.childNodes.forEach(function (n) {
      if (n.nodeType === 3) out += n.nodeValue;
      else if (n.getAttribute && n.getAttribute("data-param") === "name") out += NAME;
      else if (n.nodeName === "BR") out += "\n";
      else out += n.textContent;
    });
    return out;
  }
  function fillBox(box, text, label) {
    box.textContent = "";
    text.split(NAME).forEach(function (part, i) {
      if (i > 0) box.appendChild(chip(label));
      if (part) box.appendChild(document.createTextNode(part));
    });
  }
  function updateCounter(ed) {
    var area = ed.querySelector("textarea");
    var counter = ed.querySelector("[data-testid=text-counter]");
    if (!area || !counter) return;
    var n = countText(area.value, ed.hasAttribute("data-utf16"));
    var limit = Number(ed.getAttribute("data-limit"));
    counter.textContent = n + " / " + limit;
    counter.setAttribute("data-count", String(n));
    counter.classList.toggle("over", n > limit);
  }
  function syncBox(ed) {
    var box = ed.querySelector(".text-box");
    var area = ed.querySelector("textarea");
    area.value = serialize(box);
    updateCounter(ed);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function enhanceEditors() {
    document.querySelectorAll("[data-text-editor]:not([data-enhanced])").forEach(function (ed) {
      ed.setAttribute("data-enhanced", "");
      var area = ed.querySelector("textarea");
      var box = document.createElement("div");
      box.className = "text-box";
      box.contentEditable = "true";
      box.setAttribute("role", "textbox");
      box.setAttribute("aria-multiline", "true");
      box.setAttribute("aria-label", area.getAttribute("aria-label") || "");
      box.setAttribute("data-testid", "message-text-box");
      fillBox(box, area.value, ed.getAttribute("data-chip-label"));
      area.hidden = true;
      area.parentNode.insertBefore(box, area);
      box.addEventListener("input", function () { syncBox(ed); });
      box.addEventListener("keydown", function (ev) {
        if (ev.key !== "Enter") return;
        ev.preventDefault();
        insertAtCaret(box, document.createTextNode("\n"));
        syncBox(ed);
      });
      box.addEventListener("paste", function (ev) {
        ev.preventDefault();
        var text = (ev.clipboardData || window.clipboardData).getData("text");
        insertAtCaret(box, document.createTextNode(text));
        syncBox(ed);
      });
    });
  }
  function insertAtCaret(box, node) {
    var sel = window.getSelection();
    if (sel.rangeCount && box.contains(sel.anchorNode)) {
      var r = sel.getRangeAt(0);
      r.deleteContents();
      r.insertNode(node);
      r.setStartAfter(node);
      r.collapse(true);
      sel.removeAllRanges();
      sel.addRange(r);
    } else {
      box.appendChild(node);
    }
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-insert-name]");
    if (!btn) return;
    var ed = btn.closest("[data-text-editor]");
    var box = ed.querySelector(".text-box");
    if (box) {
      insertAtCaret(box, chip(ed.getAttribute("data-chip-label")));
      syncBox(ed);
      box.focus();
    } else {
      var area = ed.querySelector("textarea");
      area.setRangeText(NAME, area.selectionStart, area.selectionEnd, "end");
      updateCounter(ed);
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  document.addEventListener("input", function (ev) {
    var ed = ev.target.closest && ev.target.closest("[data-text-editor]");
    if (ed && ev.target.matches("textarea")) updateCounter(ed);
    var f = ev.target.closest && ev.target.closest("[data-count-max]");
    if (f) {
      var c = document.querySelector('[data-counter-for="' + f.name + '"]');
      if (c) c.textContent = Array.from(f.value).length + " / " + f.getAttribute("data-count-max");
    }
  });

  // Images: uploaded at once (POST /uploads); the form keeps the upload's
  // id and its preview, so a refused form loses nothing.
  document.addEventListener("change", function (ev) {
    var input = ev.target.closest("[data-upload-file]");
    if (!input || !input.files.length) return;
    var field = input.closest("[data-image-field]");
    var status = field.querySelector("[data-upload-status]");
    var form = input.closest("form");
    // The composer words the statuses on its form, the bot editor on each field.
    var label = function (name) { return field.getAttribute(name) || form.getAttribute(name) || ""; };
    var body = new FormData();
    body.append("file", input.files[0]);
    status.textContent = label("data-label-uploading") || "…";
    var token = document.querySelector('meta[name="csrf-token"]');
    fetch("/uploads", { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": token ? token.content : "", "Accept": "application/json" } })
      .then(function (res) { return res.json().then(function (j) { return { ok: res.ok, j: j }; }); })
      .then(function (r) {
        if (!r.ok) {
          status.textContent = (r.j.error && r.j.error.message) || label("data-label-upload-failed");
          status.classList.add("error");
          return;
        }
        var thumb = r.j.preview_url || r.j.url || "";
        try { thumb = new URL(thumb, location.href).pathname; } catch (e) { /* keep */ }
        field.querySelector("[data-upload-id]").value = r.j.id;
        var keep = field.querySelector("[data-upload-thumb]");
        if (keep) keep.value = thumb;
        var img = field.querySelector("img.thumb");
        img.src = thumb;
        img.hidden = false;
        var size = r.j.bytes < 1048576 ? Math.max(Math.round(r.j.bytes / 1024), 1) + " KB" : (r.j.bytes / 1048576).toFixed(1) + " MB";
        status.textContent = r.j.width + " × " + r.j.height + (r.j.bytes ? " · " + size : "");
        status.classList.remove("error");
        form.dispatchEvent(new Event("change", { bubbles: true }));
      })
      .catch(function () { status.textContent = label("data-label-upload-failed"); status.classList.add("error"); });
  });

  // WhatsApp templates: search and category filter the gallery; choosing
  // one lays out its inputs.
  function filterTemplates() {
    var q = document.querySelector("[data-template-search]");
    var cat = document.querySelector("[data-template-category]");
    if (!q) return;
    var needle = q.value.trim().toLowerCase();
    document.querySelectorAll(".template-choice").forEach(function (c) {
      var show = (!needle || c.textContent.toLowerCase().indexOf(needle) >= 0) &&
        (!cat.value || c.getAttribute("data-category") === cat.value);
      c.hidden = !show;
    });
  }
  document.addEventListener("input", function (ev) { if (ev.target.matches("[data-template-search]")) filterTemplates(); });
  document.addEventListener("change", function (ev) {
    if (ev.target.matches("[data-template-category]")) filterTemplates();
    if (ev.target.matches("[data-autosubmit-compose]")) {
      var pick = document.querySelector("[data-pick-template]");
      if (pick) pick.click();
    }
  });

  document.addEventListener("DOMContentLoaded", enhanceEditors);
  document.addEventListener("htmx:afterSettle", enhanceEditors);

  document.addEventListener("DOMContentLoaded", function () { render(); measureBars(); });
  document.addEventListener("htmx:afterSettle", render);
  window.addEventListener("resize", measureBars);
})();
