/*
 * The intake's location type-ahead (templates/incidents/_location_picker.html).
 *
 * Optional: without it (or without JavaScript) the "Find" button redisplays the page with the
 * matching places as radio buttons. With it, the search box offers the same matches while the
 * user types: after a pause of PAUSE_MS, at least 2 characters, one POST to the picker's
 * data-location-search-url (the text in the body, never in a URL), an earlier request still
 * running is cancelled, and answers already had are reused. Picking one (click, or arrows and
 * Enter) puts it in place of the radio buttons, checked: the form posts its p-code, as without
 * JavaScript. A file of this site, no framework, no inline code (the Content-Security-Policy
 * allows scripts and connections to 'self' only).
 */
(function () {
  "use strict";
  var PAUSE_MS = 250;
  var MIN_LENGTH = 2;
  if (!window.fetch || !window.URLSearchParams) {
    return;
  }

  function setUp(picker, number) {
    var url = picker.getAttribute("data-location-search-url");
    var input = picker.querySelector("input[type=search]");
    var form = input && input.form;
    if (!url || !input || !form) {
      return;
    }
    var list = document.createElement("ul");
    list.id = "location-suggestions-" + number;
    list.className = "location-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    var answers = {};
    var timer = null;
    var pending = null;
    var active = -1;

    function csrfToken() {
      var field = form.querySelector("input[name=csrfmiddlewaretoken]");
      return field ? field.value : "";
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function mark(index) {
      var items = list.children;
      active = index;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        if (items[index].scrollIntoView) {
          items[index].scrollIntoView({ block: "nearest" });
        }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function radio(value, text, checked) {
      var label = document.createElement("label");
      var button = document.createElement("input");
      button.type = "radio";
      button.name = "location";
      button.value = value;
      button.checked = checked;
      label.appendChild(button);
      label.appendChild(document.createTextNode(" " + text));
      return label;
    }

    // The pick replaces the radio buttons: the place, checked, and "no location yet".
    function pick(result) {
      var old = picker.querySelector(".location-choices");
      var choices = document.createElement("fieldset");
      var legend = document.createElement("legend");
      choices.className = "location-choices";
      legend.textContent = picker.getAttribute("data-choose-label") || "";
      choices.appendChild(legend);
      choices.appendChild(radio(result.pcode, result.label, true));
      choices.appendChild(radio("", picker.getAttribute("data-none-label") || "", false));
      if (old) {
        old.parentNode.replaceChild(choices, old);
      } else {
        picker.appendChild(choices);
      }
      input.value = "";
      close();
    }

    function show(results) {
      close();
      if (!results.length) {
        return;
      }
      results.forEach(function (result, index) {
        var item = document.createElement("li");
        item.id = list.id + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-pcode", result.pcode);
        item.textContent = result.label;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          pick(result);
        });
        list.appendChild(item);
      });
      list.results = results;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function search() {
      timer = null;
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        close();
        return;
      }
      if (Object.prototype.hasOwnProperty.call(answers, text)) {
        show(answers[text]);
        return;
      }
      if (pending && pending.abort) {
        pending.abort();
      }
      pending = window.AbortController ? new window.AbortController() : null;
      window.fetch(url, {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
        headers: { "X-CSRFToken": csrfToken() },
        body: new URLSearchParams({ q: text }),
        signal: pending ? pending.signal : undefined
      }).then(function (response) {
        // Anything but 200 (signed out: a redirect) leaves the "Find" button to do the work.
        return response.status === 200 ? response.json() : { results: [] };
      }).then(function (data) {
        answers[text] = data.results || [];
        if (input.value.trim() === text) {
          show(answers[text]);
        }
      }, function () {
        // Cancelled by a newer search, or offline: nothing to show.
      });
    }

    input.addEventListener("input", function () {
      if (timer !== null) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(search, PAUSE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var count = list.hidden ? 0 : list.children.length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault();
        mark((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault();
        mark(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter" && count && active >= 0) {
        event.preventDefault(); // pick, rather than send the form
        pick(list.results[active]);
      } else if (event.key === "Escape" && count) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  var pickers = document.querySelectorAll(".location-picker[data-location-search-url]");
  for (var i = 0; i < pickers.length; i++) {
    setUp(pickers[i], i);
  }
})();
