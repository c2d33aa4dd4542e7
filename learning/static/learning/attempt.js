/* Autosave, offline keeping and the countdown of a quiz attempt.
 *
 * Every change is saved to the server at once (text after a short pause). A save that fails
 * (no signal in a commune hall) is kept in localStorage and sent again (every few seconds, when
 * the browser says it is online again, or when the page is reloaded), so nothing typed is lost;
 * an answer chosen before this script arrived is sent when it does. The countdown runs on
 * performance.now(), which moves with real time whatever the phone's clock is set to; the
 * server enforces the limit anyway. */
(function () {
    "use strict";
    var form = document.querySelector(".attempt-form");
    if (!form) { return; }
    var status = document.querySelector(".save-status");
    var key = "hvs-attempt-" + form.dataset.attempt;
    var saveUrl = form.dataset.saveUrl;
    var timer = null;
    var sending = false;
    var again = false;
    // Once the form is being submitted, an autosave answering late must not navigate away
    // (it would land on the result page a second time and lose its message).
    var leaving = false;
    // A failed save is tried again on its own, sooner at first: phones do not always say
    // when the signal is back.
    var retryDelay = 3000;
    var retry = null;

    function say(text) { if (status) { status.textContent = text; } }

    function snapshot() {
        var entries = [];
        new FormData(form).forEach(function (value, name) {
            if (name !== "csrfmiddlewaretoken") { entries.push([name, value]); }
        });
        return entries;
    }

    function keep() {
        try { localStorage.setItem(key, JSON.stringify(snapshot())); } catch (e) { /* private mode */ }
    }

    function forget() {
        try { localStorage.removeItem(key); } catch (e) { /* private mode */ }
    }

    function restore() {
        var stored = null;
        try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
        if (!stored || !stored.length) { return false; }
        var byName = {};
        stored.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
        Array.prototype.forEach.call(form.elements, function (field) {
            if (!field.name || field.name === "s" || field.name === "csrfmiddlewaretoken") { return; }
            var values = byName[field.name] || [];
            if (field.type === "radio" || field.type === "checkbox") {
                field.checked = values.indexOf(field.value) !== -1;
            } else if (field.tagName === "SELECT" || field.tagName === "TEXTAREA" || field.type === "text") {
                field.value = values.length ? values[0] : "";
            }
        });
        return true;
    }

    function save() {
        if (leaving) { return; }
        if (sending) { again = true; return; }
        sending = true;
        say(status.dataset.saving);
        fetch(saveUrl, {
            method: "POST",
            body: new FormData(form),
            credentials: "same-origin",
            headers: { "X-Requested-With": "fetch" }
        }).then(function (response) {
            // Signed out (the session ended): the save was sent to the login page. Retrying
            // cannot help; the answers stay on the phone until the quiz is opened again.
            if (response.redirected) { return { signedOut: true }; }
            return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        }).then(function (result) {
            if (leaving) { return; }
            if (result.signedOut) {
                say(status.dataset.signedOut);
            } else if (result.ok) {
                retryDelay = 3000;
                forget();
                say(status.dataset.saved + " " + result.data.at);
            } else if (result.data && result.data.closed) {
                forget();
                window.location.href = result.data.url;
            }
        }).catch(function () {
            say(status.dataset.offline);
            clearTimeout(retry);
            retry = setTimeout(save, retryDelay);
            retryDelay = Math.min(retryDelay * 2, 30000);
        }).then(function () {
            sending = false;
            if (again) { again = false; save(); }
        });
    }

    function changed(event) {
        keep();
        clearTimeout(timer);
        var typing = event.target.tagName === "TEXTAREA" || event.target.type === "text";
        timer = setTimeout(save, typing ? 800 : 0);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    window.addEventListener("online", function () {
        if (localStorage.getItem(key)) { clearTimeout(retry); save(); }
    });

    form.addEventListener("submit", function (event) {
        var submitter = event.submitter;
        if (submitter && submitter.getAttribute("formaction")) { leaving = true; return; }
        if (form.dataset.timeUp) { leaving = true; forget(); return; }
        var unanswered = 0;
        form.querySelectorAll("fieldset.question").forEach(function (box) {
            var filled = Array.prototype.some.call(box.querySelectorAll("input, textarea, select"), function (field) {
                if (field.type === "hidden") { return false; }
                if (field.type === "radio" || field.type === "checkbox") { return field.checked; }
                return field.value.trim() !== "";
            });
            if (!filled && box.querySelector(".question-number")) { unanswered += 1; }
        });
        var message = form.dataset.confirm;
        if (unanswered) { message = form.dataset.unanswered + " " + unanswered + ". " + message; }
        if (!window.confirm(message)) { event.preventDefault(); return; }
        leaving = true;
        forget();
    });

    // An answer chosen before this script arrived (a slow link, a slow phone) was not seen by
    // the listeners: what the page shows is then the newest, and it is kept and sent now.
    function changedBefore() {
        return Array.prototype.some.call(form.elements, function (field) {
            if (!field.name || field.type === "hidden") { return false; }
            if (field.type === "radio" || field.type === "checkbox") {
                return field.checked !== field.defaultChecked;
            }
            if (field.tagName === "SELECT") {
                return Array.prototype.some.call(field.options, function (option) {
                    return option.selected !== option.defaultSelected;
                });
            }
            if (field.tagName === "TEXTAREA" || field.type === "text") {
                return field.value !== field.defaultValue;
            }
            return false;
        });
    }

    if (changedBefore()) {
        keep();
        save();
    } else if (restore()) {
        save();
    }

    var clock = document.querySelector(".timer");
    if (clock) {
        var total = parseInt(clock.dataset.remaining, 10);
        var shown = clock.querySelector(".timer-value");
        var started = performance.now();
        var tick = function () {
            var left = Math.max(0, Math.round(total - (performance.now() - started) / 1000));
            var minutes = Math.floor(left / 60);
            var seconds = left % 60;
            shown.textContent = (minutes < 10 ? "0" : "") + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
            if (left <= 60) { clock.classList.add("timer-low"); }
            if (left <= 0) {
                form.dataset.timeUp = "1";
                leaving = true;
                forget();
                form.submit();
                return;
            }
            setTimeout(tick, 1000);
        };
        tick();
    }
}());
