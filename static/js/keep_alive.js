/*
 * Keeps a session alive while a form is being typed (crsv/accounts/keep_alive.py).
 *
 * Optional: every page works the same without it (or without JavaScript). While the user types
 * in a form that posts, it sends one POST to the keep-alive address at most every
 * data-keep-alive-seconds; the session's idle timeout then counts from that ping. Typing done
 * between two pings is reported by the next one, so the server's idle clock lags the last
 * keystroke by one interval at most (a quarter of the idle timeout). Nothing else is sent: no
 * value typed ever leaves the form. A file of this site, no framework, no inline code (the
 * Content-Security-Policy allows scripts and connections to 'self' only).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) {
    return;
  }
  var url = script.getAttribute("data-keep-alive-url");
  var every = 1000 * parseInt(script.getAttribute("data-keep-alive-seconds"), 10);
  if (!url || !(every > 0)) {
    return;
  }
  var lastPing = Date.now(); // loading this page was a request: the session is fresh
  var timer = null;
  var stopped = false;

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function ping(form) {
    timer = null;
    lastPing = Date.now();
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(form) }
    }).then(function (response) {
      // 204: alive. Anything else (a redirect to sign-in: the session had already expired)
      // stops the pings; what is typed is still posted with the form, and the page that
      // receives it decides (the incident intake keeps it as a draft).
      if (response.status !== 204) {
        stopped = true;
      }
    }, function () {
      // Offline for now: the next keystroke after the next interval tries again.
    });
  }

  function typed(event) {
    var form = event.target && event.target.form;
    if (stopped || timer !== null || !form || (form.method || "").toLowerCase() !== "post") {
      return;
    }
    var wait = Math.max(0, lastPing + every - Date.now());
    timer = window.setTimeout(function () { ping(form); }, wait);
  }

  document.addEventListener("input", typed, true);
  document.addEventListener("change", typed, true);
})();
