// The Reminders page: turn notifications on or off for the device in hand.
// Loaded only on that page. The browser's permission prompt appears only after a tap on
// "Turn on", never on page load: a prompt nobody asked for is usually refused for good.
"use strict";

// The card is set up again when htmx swaps in a new one (the settings form sent back with what
// to fix, or unsaved), where the page's own script tags do not run again.
function setUpPushCard() {
  const panel = document.getElementById("push-device");
  if (!panel || panel.dataset.ready) return;
  panel.dataset.ready = "1";
  const status = panel.querySelector("[data-push-status]");
  const advice = panel.querySelector("[data-push-advice]");
  const enableButton = panel.querySelector("[data-push-enable]");
  const disableButton = panel.querySelector("[data-push-disable]");
  const hints = panel.querySelectorAll("[data-push-hint]");
  const csrfToken = panel.querySelector('input[name="_csrf_token"]').value;

  // The status is one short sentence; anything longer is advice, which lies over the hint, or
  // over the buttons and the hint when neither is offered (the stylesheet keeps their room, so
  // the page moves only by what the advice says beyond it). Call after showing the buttons.
  // The first word from here also takes away what the page says until then (data-waiting).
  function say(text, more = "") {
    const waiting = panel.querySelector("[data-push-waiting]");
    if (waiting) waiting.remove();
    delete panel.dataset.waiting;
    status.textContent = text;
    advice.textContent = more;
    if (!more) delete panel.dataset.advice;
    else panel.dataset.advice = enableButton.hidden && disableButton.hidden ? "alone" : "beside";
  }
  // The common statuses are in the page, where they keep the room of the longest.
  const sayCommon = (name) => say(panel.querySelector(`[data-push-message="${name}"]`).textContent);
  const show = (button, visible) => { button.hidden = !visible; };
  // "ask" only while the browser has not asked for permission: once it is allowed, a tap asks nothing.
  const showHint = (name) => hints.forEach((hint) => { hint.hidden = hint.dataset.pushHint !== name; });

  function supported() {
    return window.isSecureContext && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function isAppleMobile() {
    return /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  // Opened from the Home Screen (Safari's own flag, or the installed app's display mode).
  function isInstalled() {
    return navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
  }

  function sayWhyUnsupported() {
    if (!isAppleMobile()) {
      say("This browser can't show reminders.", "Try another browser, or use the calendar link below to keep your treatment days in your calendar.");
    } else if (isInstalled()) {
      // Already on the Home Screen: only a newer iOS brings Web Push; adding it again would not.
      say("This needs a newer iOS or iPadOS.",
        "Reminders need version 16.4 or later. Until then, the calendar link below can put your treatment days in your calendar.");
    } else {
      say("Add Lift to your Home Screen first.",
        "An iPhone or iPad gets reminders only from web apps opened there: see “On an iPhone or iPad?” below.");
    }
  }

  // Without a connection (fetch, and registering the worker, then fail with a TypeError) a
  // later try may work. Anything else the browser says is most often for good in this browser
  // (a private window, one without a push service), and its own words ("Registration failed -
  // permission denied") tell a patient nothing, so they are never shown.
  // `doing` is "turn reminders on" or "turn reminders off"; `advice` says what else can be done
  // when the browser itself failed.
  function sayFailed(error, doing, advice) {
    if (!navigator.onLine || error instanceof TypeError) {
      say(`Lift couldn't ${doing}.`, "Check your internet connection, then try again.");
    } else {
      say(`This browser couldn't ${doing}.`, advice);
    }
  }

  function sayCheckFailed() {
    say("Lift couldn't check this device.", "Reload the page to try again, or use the calendar link below.");
  }

  // Only the browser's settings can undo a refusal: "Turn on" would do nothing, so it goes.
  function sayBlocked() {
    show(enableButton, false);
    say("Notifications from Lift are blocked.",
      "To get reminders, allow them in this browser's settings, then reload this page. Or use the calendar link below.");
  }

  function keyBytes(base64url) {
    const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  function sameKey(buffer, key) {
    if (!buffer) return false;
    const bytes = new Uint8Array(buffer);
    return bytes.length === key.length && bytes.every((value, i) => value === key[i]);
  }

  // The server lists devices by a hash of their endpoint; the same hash here finds this one.
  async function endpointHash(endpoint) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(endpoint));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 32);
  }

  function deviceItem(hash) {
    return [...document.querySelectorAll("[data-device-hash]")].find((item) => item.dataset.deviceHash === hash);
  }

  async function currentSubscription() {
    const registration = await navigator.serviceWorker.getRegistration("/");
    return registration ? registration.pushManager.getSubscription() : null;
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrftoken": csrfToken },
      body: JSON.stringify(body),
    });
  }

  async function refresh() {
    show(enableButton, false);
    show(disableButton, false);
    if (!supported()) {
      sayWhyUnsupported();
      return;
    }
    if (Notification.permission === "denied") {
      sayBlocked();
      return;
    }
    showHint(Notification.permission === "default" ? "ask" : "allowed");
    const subscription = await currentSubscription();
    // One made with an earlier server key (the keys were replaced) gets none of Lift's
    // messages: offer to turn reminders on again, which replaces it.
    const current = subscription && sameKey(subscription.options.applicationServerKey, keyBytes(panel.dataset.publicKey));
    const item = current && deviceItem(await endpointHash(subscription.endpoint));
    if (item) {
      item.querySelector(".device__this").hidden = false;
      show(disableButton, true);
      showHint("on");
      sayCommon("on");
    } else if (current) {
      // Not on this account's list: Lift deleted it (removed from the list, or its push service
      // answered that it is gone), or another account on this browser made it.
      show(enableButton, true);
      say("Reminders are off on this device.",
        "It may have been removed from your list, or this browser stopped them.");
    } else {
      show(enableButton, true);
      sayCommon("off");
    }
  }

  // Always a new subscription. One the browser still holds is not on this page's list (else
  // "Turn on" would not be offered): made with an earlier server key, or one Lift deleted
  // because its push service said it is gone. Sending that again would look like success
  // while every reminder went nowhere.
  async function subscribe() {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    const registration = await navigator.serviceWorker.ready;
    const old = await registration.pushManager.getSubscription();
    if (old) await old.unsubscribe();
    return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(panel.dataset.publicKey) });
  }

  async function turnOn() {
    enableButton.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission === "denied") {
        sayBlocked();
        // The button that had focus is gone: the words that replace it take it.
        status.tabIndex = -1;
        status.focus();
        return;
      }
      if (permission !== "granted") {
        say("Reminders are still off.", "Lift can send them only with your permission. You can allow notifications later in this browser's settings.");
        return;
      }
      sayCommon("turning-on");
      const subscription = await subscribe();
      const response = await postJson("/reminders/subscriptions", subscription.toJSON());
      if (!response.ok) {
        const answer = await response.json().catch(() => ({}));
        say("Lift couldn't turn reminders on.", answer.error || "Try again in a moment.");
        return;
      }
      window.location.reload();
    } catch (error) {
      sayFailed(error, "turn reminders on",
        "Private or incognito windows, and some browsers, can't get reminders. Try a regular window, or use the calendar link below.");
    } finally {
      enableButton.disabled = false;
    }
  }

  async function turnOff() {
    disableButton.disabled = true;
    try {
      const subscription = await currentSubscription();
      if (subscription) {
        const response = await postJson("/reminders/subscriptions/remove", { endpoint: subscription.endpoint });
        if (!response.ok) {
          say("Lift couldn't turn reminders off.", "Try again in a moment.");
          return;
        }
        // Lift has forgotten this device, so no reminder comes here whatever the browser does
        // with its own copy: a failure there changes nothing for the person, and the page,
        // reloaded, says reminders are off.
        await subscription.unsubscribe().catch(() => {});
      }
      window.location.reload();
    } catch (error) {
      // The list below stops this device's reminders from Lift's side whatever the browser does.
      sayFailed(error, "turn reminders off",
        "Reload the page and try again, or tap Remove beside this device in the list below.");
    } finally {
      disableButton.disabled = false;
    }
  }

  enableButton.addEventListener("click", turnOn);
  disableButton.addEventListener("click", turnOff);
  refresh().catch(sayCheckFailed);
}
setUpPushCard();
document.addEventListener("htmx:afterSettle", setUpPushCard);
