// The check-ins kept on this phone until they can be sent, in IndexedDB. Loaded by every page
// and imported by the service worker (Background Sync), so both send the same way.
// Each entry carries the UUID the phone chose for it; the server treats it as an idempotency
// key, so an entry sent twice (a lost response, a page and the worker at once) is stored once.
// An entry the server refuses is kept with the reason, never dropped: only the patient
// removes it, or signing out, which empties the queue.
"use strict";

self.LiftQueue = (() => {
  const DB_NAME = "lift-offline";
  const ENTRIES = "checkins";
  const META = "meta";
  const SYNC_TAG = "lift-checkins";
  // Entries in these states are sent again on the next try; the others wait for the patient.
  const RETRY = new Set(["waiting", "signed-out", "other-account"]);

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(ENTRIES, { keyPath: "uuid" });
        request.result.createObjectStore(META);
      };
      request.onsuccess = () => {
        // Let sign-out delete the database even while another tab has it open.
        request.result.onversionchange = () => request.result.close();
        resolve(request.result);
      };
      request.onerror = () => reject(request.error);
    });
  }

  // One transaction on one store; resolves with the request's result once it is committed,
  // so a caller that was told "saved" knows the entry is on disk. A full disk rejects with
  // the QuotaExceededError the page reports.
  async function transact(storeName, mode, operation) {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(storeName, mode);
        const request = operation(tx.objectStore(storeName));
        tx.oncomplete = () => resolve(request ? request.result : undefined);
        tx.onabort = () => reject(tx.error || new Error("The phone's storage refused the change."));
      });
    } finally {
      db.close();
    }
  }

  const put = (entry) => transact(ENTRIES, "readwrite", (store) => store.put(entry));
  const get = (uuid) => transact(ENTRIES, "readonly", (store) => store.get(uuid));
  const remove = (uuid) => transact(ENTRIES, "readwrite", (store) => store.delete(uuid));

  async function all() {
    const entries = (await transact(ENTRIES, "readonly", (store) => store.getAll())) || [];
    return entries.sort((a, b) => (a.savedAt < b.savedAt ? -1 : 1));
  }

  async function update(uuid, changes) {
    const entry = await get(uuid);
    if (entry) await put({ ...entry, ...changes });
  }

  const setOwner = (owner) => transact(META, "readwrite", (store) => store.put(owner, "owner"));
  const lastOwner = () => transact(META, "readonly", (store) => store.get("owner"));
  // The patient's safety plan as their own page rendered it ({ owner, html }), for the pages
  // kept for use with no signal. Deleted with everything else at sign-out.
  const setPlan = (plan) => transact(META, "readwrite", (store) => store.put(plan, "plan"));
  const plan = () => transact(META, "readonly", (store) => store.get("plan"));

  function clear() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    });
  }

  function withLock(work) {
    const locks = self.navigator && self.navigator.locks;
    return locks ? locks.request("lift-offline-send", work) : work();
  }

  async function sendOne(entry, session) {
    const body = new URLSearchParams({
      ...entry.fields,
      client_uuid: entry.uuid,
      on_conflict: entry.replace ? "replace" : "ask",
      _csrf_token: session.csrf,
    });
    const response = await fetch("/checkin", {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/json", "x-csrftoken": session.csrf },
      body,
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      await remove(entry.uuid);
      return true;
    }
    if (response.status === 409) {
      await update(entry.uuid, { status: "conflict", saved: answer.saved || null, errors: {} });
    } else if (response.status === 422) {
      await update(entry.uuid, { status: "rejected", errors: answer.errors || {} });
    } else if (response.status === 401 || response.status === 403) {
      await update(entry.uuid, { status: "signed-out" });
    } else {
      // A server error or a rate limit: keep it waiting and let the next try send it.
      throw new Error(`Lift answered ${response.status}`);
    }
    return false;
  }

  // Who is signed in here, and a CSRF token for them (401/403 when nobody, or not a patient).
  const fetchSession = () => fetch("/offline/session", {
    credentials: "same-origin", cache: "no-store", headers: { accept: "application/json" },
  });

  // Send every entry that can go now. Resolves with the entries that were stored; rejects
  // when the network or the server failed, so Background Sync tries again later.
  function sendAll() {
    return withLock(async () => {
      const entries = (await all()).filter((entry) => RETRY.has(entry.status));
      const sent = [];
      if (!entries.length) return sent;
      const response = await fetchSession();
      if (response.status === 401 || response.status === 403) {
        for (const entry of entries) await update(entry.uuid, { status: "signed-out" });
        return sent;
      }
      if (!response.ok) throw new Error(`Lift answered ${response.status}`);
      const session = await response.json();
      for (const entry of entries) {
        // A check-in made while one person was signed in never goes to another account.
        if (entry.owner && entry.owner !== session.owner) {
          await update(entry.uuid, { status: "other-account" });
        } else if (await sendOne(entry, session)) {
          sent.push(entry);
        }
      }
      return sent;
    });
  }

  return { SYNC_TAG, put, get, remove, all, update, setOwner, lastOwner, setPlan, plan, clear, fetchSession, sendAll };
})();
