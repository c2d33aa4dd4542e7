/* The H5P activities of a lesson: the lesson page's half of the conversation.
 *
 * The content plays in a sandboxed frame on its own origin (see assessments/h5p-frame.js);
 * messages are accepted only from that frame's window and origin. This page alone talks to
 * the server, with the CSRF token: it opens an attempt, passes on each xAPI statement (each
 * given an id once, so a statement re-sent after a dropped connection counts once) and the
 * resume state. Statements wait in localStorage while the phone is offline and go, in order,
 * when the connection returns.
 */
(function () {
  "use strict";

  function newId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; }).replace(/%%/g, "%");
  }

  function Player(el) {
    this.el = el;
    this.origin = el.getAttribute("data-origin");
    this.token = el.querySelector("input[name=csrfmiddlewaretoken]").value;
    this.status = el.querySelector(".h5p-status");
    this.button = el.querySelector("[data-h5p-open]");
    this.holder = el.querySelector("[data-h5p-frame]");
    // Per learner: on a shared computer nobody sends someone else's answers as theirs.
    this.queueKey = "hvs-h5p:" + el.getAttribute("data-user") + ":" + el.getAttribute("data-statement");
    this.queue = this.load();
    this.sending = false;
    this.retry = 1000;
    this.attempt = null;
    this.frame = null;
    this.stateTimer = null;
  }

  Player.prototype.load = function () {
    try {
      return JSON.parse(window.localStorage.getItem(this.queueKey) || "[]");
    } catch (error) {
      return [];
    }
  };

  Player.prototype.keep = function () {
    try {
      if (this.queue.length) {
        window.localStorage.setItem(this.queueKey, JSON.stringify(this.queue));
      } else {
        window.localStorage.removeItem(this.queueKey);
      }
    } catch (error) { /* private mode: the queue lives in memory only */ }
  };

  // One request at a time for the whole page: on a slow link the activities load and report
  // in turn instead of competing, and the server sees a learner's statements in order.
  var chain = Promise.resolve();

  Player.prototype.post = function (url, body) {
    var token = this.token;
    var request = chain.then(function () {
      return window.fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token, "X-Requested-With": "fetch" },
        body: JSON.stringify(body)
      });
    });
    chain = request.then(function () {}, function () {});
    return request;
  };

  Player.prototype.say = function (text) {
    this.status.textContent = text;
  };

  Player.prototype.open = function () {
    var self = this;
    if (self.opening) {
      return;
    }
    self.opening = true;
    self.button.hidden = true;
    self.post(self.el.getAttribute("data-start"), {}).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (reply) {
      if (!reply.ok) {
        self.say(reply.data.message || self.el.getAttribute("data-msg-error"));
        return;
      }
      self.attempt = reply.data.attempt;
      self.state = reply.data.state;
      var frame = document.createElement("iframe");
      frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups");
      frame.setAttribute("allow", "fullscreen; autoplay");
      frame.setAttribute("title", self.el.parentNode.querySelector("h2").textContent);
      frame.setAttribute("src", reply.data.frame);
      frame.className = "h5p-iframe";
      self.frame = frame;
      self.holder.appendChild(frame);
      self.flush();
    }).catch(function () {
      self.opening = false;
      self.button.hidden = false;
      self.say(self.el.getAttribute("data-msg-offline"));
    });
  };

  Player.prototype.receive = function (event) {
    if (!this.frame || event.source !== this.frame.contentWindow || event.origin !== this.origin) {
      return;
    }
    var data = event.data || {};
    if (data.type === "hvs:loaded") {
      this.frame.contentWindow.postMessage({ type: "hvs:init", state: this.state || null }, this.origin);
    } else if (data.type === "hvs:xapi" && data.statement && typeof data.statement === "object") {
      var statement = data.statement;
      statement.id = newId();
      this.queue.push(statement);
      this.keep();
      this.flush();
    } else if (data.type === "hvs:state" && typeof data.state === "string") {
      this.saveState(data.state);
    } else if (data.type === "hvs:height" && typeof data.height === "number") {
      this.frame.style.height = Math.min(Math.max(data.height, 150), 5000) + "px";
    } else if (data.type === "hvs:error") {
      this.say(this.el.getAttribute("data-msg-error"));
    }
  };

  Player.prototype.saveState = function (state) {
    var self = this;
    window.clearTimeout(self.stateTimer);
    self.stateTimer = window.setTimeout(function () {
      self.post(self.el.getAttribute("data-state"), { state: state }).catch(function () {});
    }, 800);
  };

  Player.prototype.show = function (data) {
    var graded = data.graded;
    if (!graded) {
      return;
    }
    var text = format(this.el.getAttribute("data-msg-score"), {
      raw: graded.raw, max: graded.max, percent: graded.percent
    });
    text += " · " + (graded.passed ? "✓ " + this.el.getAttribute("data-msg-passed") : this.el.getAttribute("data-msg-not-passed"));
    if (data.lesson_completed) {
      text += " " + this.el.getAttribute("data-msg-lesson-done");
    }
    this.status.classList.toggle("passed", !!graded.passed);
    this.say(text);
  };

  Player.prototype.flush = function () {
    var self = this;
    if (self.sending || !self.queue.length || self.attempt === null) {
      return;
    }
    self.sending = true;
    var statement = self.queue[0];
    self.post(self.el.getAttribute("data-statement"), { attempt: self.attempt, statement: statement }).then(function (response) {
      if (response.status >= 500 || response.status === 429) {
        throw new Error("later");  // kept in the queue and sent again after a pause
      }
      return response.json().then(function (data) {
        // Accepted or refused (the server keeps refusals for audit), it is done with.
        self.queue.shift();
        self.keep();
        if (data.attempt) {
          self.attempt = data.attempt;
        }
        self.show(data);
        self.retry = 1000;
        self.sending = false;
        self.flush();
      });
    }).catch(function () {
      self.sending = false;
      self.say(self.el.getAttribute("data-msg-offline"));
      window.setTimeout(function () { self.flush(); }, self.retry);
      self.retry = Math.min(self.retry * 2, 60000);
    });
  };

  var players = [];
  Array.prototype.forEach.call(document.querySelectorAll("[data-h5p]"), function (el) {
    var player = new Player(el);
    players.push(player);
    player.button.addEventListener("click", function () { player.open(); });
    if ("IntersectionObserver" in window) {
      var observer = new window.IntersectionObserver(function (entries) {
        if (entries[0].isIntersecting) {
          observer.disconnect();
          player.open();
        }
      }, { rootMargin: "200px" });
      observer.observe(el);
    }
  });
  window.addEventListener("message", function (event) {
    players.forEach(function (player) { player.receive(event); });
  });
  window.addEventListener("online", function () {
    players.forEach(function (player) { player.flush(); });
  });
})();
