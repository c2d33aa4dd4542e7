/* Runs on the H5P content origin, inside the lesson's sandboxed frame.
 *
 * It waits for the lesson page (and only the lesson page: origin and window checked) to send
 * the saved state, starts the h5p-standalone player, and passes every xAPI statement, each
 * change of state and the content's height back to the lesson page, which alone talks to
 * the server. This origin holds no cookie and no token: a script in the content can read
 * nothing here that is worth stealing.
 */
(function () {
  "use strict";
  var el = document.getElementById("h5p");
  var parentOrigin = el.getAttribute("data-parent-origin");
  var contentId = "hvs-" + el.getAttribute("data-activity");
  var started = false;
  var lastState = null;

  function send(message) {
    if (window.parent !== window) {
      window.parent.postMessage(message, parentOrigin);
    }
  }

  // The state is asked of the content itself (its getCurrentState, as H5P's own timer does),
  // in this page or, for the "iframe" embed type, in the frame the player nests here.
  function stateOf(win) {
    var instances = win && win.H5P && win.H5P.instances;
    var instance = instances && instances[0];
    if (instance && typeof instance.getCurrentState === "function") {
      var state = instance.getCurrentState();
      return state === undefined || state === null ? null : JSON.stringify(state);
    }
    return null;
  }

  function currentState() {
    var nested = el.querySelector("iframe");
    try {
      return (nested && stateOf(nested.contentWindow)) || stateOf(window);
    } catch (error) {
      return null;
    }
  }

  function reportState() {
    var state = currentState();
    if (state && state !== lastState) {
      lastState = state;
      send({ type: "hvs:state", state: state });
    }
  }

  var lastHeight = 0;

  // Content of the "iframe" embed type runs in a frame the player nests in this page; it is
  // sized here to its content, and this page's height goes to the lesson.
  function reportHeight() {
    var nested = el.querySelector("iframe");
    var body = nested && nested.contentDocument && nested.contentDocument.body;
    if (body && body.scrollHeight && nested.style.height !== body.scrollHeight + "px") {
      nested.style.height = body.scrollHeight + "px";
    }
    var height = document.documentElement.scrollHeight;
    if (nested) {
      height = el.getBoundingClientRect().top + nested.offsetHeight + 4;
    }
    if (Math.abs(height - lastHeight) > 2) {
      lastHeight = height;
      send({ type: "hvs:height", height: height });
    }
  }

  function start(init) {
    var options = {
      id: contentId,
      h5pJsonPath: el.getAttribute("data-h5p-json"),
      frameJs: el.getAttribute("data-player") + "frame.bundle.js",
      frameCss: el.getAttribute("data-player") + "styles/h5p.css",
      xAPIObjectIRI: el.getAttribute("data-iri"),
      frame: false,
      copyright: false,
      export: false,
      embed: false,
      icon: false,
      fullScreen: false,
      reportingIsEnabled: true,
      saveFreq: 5
    };
    if (init.state) {
      lastState = init.state;
      // H5P core reads preloaded data by sub-content (0 is the content itself) and kind.
      options.contentUserData = [{ state: init.state }];
    }
    new window.H5PStandalone.H5P(el, options).then(function () {
      var waiting = document.getElementById("h5p-waiting");
      if (waiting) {
        waiting.remove();
      }
      window.H5P.externalDispatcher.on("xAPI", function (event) {
        send({ type: "hvs:xapi", statement: event.data.statement });
        // H5P stores the state a moment after an answer; pass it on soon after.
        window.setTimeout(reportState, 300);
      });
      window.setInterval(reportState, 2000);
      window.addEventListener("pagehide", reportState);
      send({ type: "hvs:ready" });
      reportHeight();
    }, function (error) {
      send({ type: "hvs:error", message: String(error && error.message || error) });
    });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) {
      return;
    }
    var data = event.data || {};
    if (data.type === "hvs:init" && !started) {
      started = true;
      start(data);
    }
  });

  window.setInterval(reportHeight, 400);
  send({ type: "hvs:loaded" });
})();
