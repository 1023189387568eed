// Reminders in the service worker: show each push as a notification, open the right page on tap.
// The server writes the text; it is generic ("Lift: time for your check-in") unless the patient
// chose details. A push this code cannot read still shows a generic note rather than nothing.
"use strict";

const LIFT_FALLBACK = { title: "Lift: you have a reminder", body: "Open Lift to see it.", url: "/", tag: "lift" };

function liftMessage(data) {
  let message = {};
  try {
    message = data ? data.json() : {};
  } catch (error) {
    message = {};
  }
  return { ...LIFT_FALLBACK, ...message };
}

// Only pages of this site: a push can never send the patient somewhere else.
function liftUrl(path) {
  const url = new URL(typeof path === "string" ? path : "/", self.location.origin);
  return url.origin === self.location.origin ? url.href : new URL("/", self.location.origin).href;
}

self.addEventListener("push", (event) => {
  const message = liftMessage(event.data);
  event.waitUntil(
    self.registration.showNotification(message.title, {
      body: message.body,
      // The same tag replaces rather than repeats: a reminder that arrives twice shows once.
      tag: message.tag,
      icon: "/static/icons/icon.svg",
      data: { url: liftUrl(message.url) },
    })
  );
});

// Whether a window holds answers typed but not yet sent (app.js answers). navigate() asks no
// "leave this page?" question, so reusing such a window would throw away a half-written
// check-in or safety plan. No answer in time counts as yes: one window more is the lesser harm.
function holdsTypedAnswers(client) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(true), 500);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data !== false);
    };
    client.postMessage({ type: "lift:typed-answers?" }, [channel.port2]);
  });
}

async function openLift(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const same = windows.find((client) => client.url === url);
  if (same) return same.focus();
  // Reuse a Lift window already open (the installed app) rather than stacking new ones, but
  // only one with nothing typed in it.
  const typed = await Promise.all(windows.map(holdsTypedAnswers));
  for (const client of windows.filter((_, i) => !typed[i])) {
    try {
      const navigated = await client.navigate(url);
      if (navigated) return navigated.focus();
    } catch (error) {
      // Not controlled by this worker: it cannot be navigated, try the next one.
    }
  }
  return self.clients.openWindow(url);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = liftUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(openLift(url));
});

// The browser may replace a push subscription (it expired, or the push service rotated it).
// Subscribe again with the same server key and tell Lift which device it was, so reminders
// keep coming without the patient having to notice. Lift knows the device by its old
// endpoint and trusts the call by the old auth secret: a service worker has no CSRF token and
// perhaps no session, and the push service knows the endpoint but never the secret.
async function renewSubscription(event) {
  const old = event.oldSubscription;
  if (!old) return; // Lift could not tell which device this was; the Reminders page offers to turn them on
  let fresh = event.newSubscription;
  if (!fresh) {
    const key = old.options && old.options.applicationServerKey;
    if (!key) return;
    fresh = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  await fetch("/reminders/subscriptions/renew", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      old_endpoint: old.endpoint,
      old_auth: (old.toJSON().keys || {}).auth,
      subscription: fresh.toJSON(),
    }),
  });
}

self.addEventListener("pushsubscriptionchange", (event) => event.waitUntil(renewSubscription(event)));
