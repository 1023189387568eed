// Lift with no signal, in the page: check-ins kept on this phone and sent later, Get help now
// shown at once for an offline answer that reports suicidal thoughts, the list of check-ins
// still waiting (with a way to settle the ones Lift refused), the new-version banner, and the
// "Add to home screen" button. The service worker itself is registered in app.js.
"use strict";

(() => {
  if (!("indexedDB" in window) || !window.LiftQueue) return;
  const queue = window.LiftQueue;
  const FIELDS = ["local_date", "mood", "anxiety", "sleep_hours", "thoughts", "note"];
  const REQUIRED = { local_date: "the day", mood: "mood", anxiety: "anxiety", sleep_hours: "hours of sleep", thoughts: "the question about thoughts of death or suicide" };
  const SIGNING_OUT = "lift-signing-out";
  const INSTALL_DISMISSED = "lift-install-dismissed";
  const THOUGHTS = {
    0: "None",
    1: "Passing thoughts of death or of not wanting to be here",
    2: "Thoughts of ending my life",
    3: "Thoughts with a plan or intent to act",
  };

  const main = () => document.getElementById("main");

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    children.forEach((child) => child && node.append(child));
    return node;
  }

  function dayLabel(iso) {
    const [year, month, day] = iso.split("-").map(Number);
    const date = new Date(year, month - 1, day);
    const text = date.toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short" });
    const today = new Date();
    today.setHours(0, 0, 0, 0);
    const daysAgo = Math.round((today - date) / 86400000);
    if (daysAgo === 0) return `Today, ${text}`;
    if (daysAgo === 1) return `Yesterday, ${text}`;
    return text;
  }

  function isoDay(date) {
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  }

  // Hours as typed ("7,5", "7h", "7 hours"; Lift reads them all), shown once with "h".
  const hours = (typed) => `${String(typed).trim().replace(/\s*(h|hrs?|hours?)$/i, "")} h`;

  function summary(fields) {
    const list = element("dl", { class: "summary" });
    const rows = [
      ["Mood", `${fields.mood} / 10`], ["Anxiety", `${fields.anxiety} / 10`],
      ["Sleep", hours(fields.sleep_hours)], ["Thoughts", THOUGHTS[fields.thoughts] || fields.thoughts],
    ];
    rows.forEach(([term, value]) => list.append(element("div", {}, element("dt", { text: term }), element("dd", { text: value }))));
    return list;
  }

  // ---- The check-in form ----------------------------------------------------------------

  // The kept offline page has no days of its own: list today and the 7 days before it from
  // the phone's calendar, as the server would for the patient's time zone.
  function fillDays(select) {
    if (select.options.length) return;
    const wanted = new URLSearchParams(location.search).get("day");
    for (let n = 0; n <= 7; n += 1) {
      const date = new Date();
      date.setDate(date.getDate() - n);
      const value = isoDay(date);
      select.append(new Option(dayLabel(value), value, false, value === wanted));
    }
  }

  function prepareForm(form) {
    if (form.dataset.offlineReady) return;
    form.dataset.offlineReady = "1";
    // The idempotency key: however often this form's answers reach the server, they are stored once.
    if (!form.elements.client_uuid) form.append(element("input", { type: "hidden", name: "client_uuid", value: crypto.randomUUID() }));
    const days = form.querySelector("[data-offline-days]");
    if (days) fillDays(days);
    if (!form.hasAttribute("hx-post")) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        keep(form);
      });
    }
    fixFromQueue(form);
  }

  function formFields(form) {
    const data = new FormData(form);
    const fields = {};
    FIELDS.forEach((name) => { fields[name] = (data.get(name) || "").toString(); });
    return fields;
  }

  // Below Get help now, or at the page's top; `beside`: just above that form instead.
  function showAlert(text, kind = "error", beside = null) {
    const old = main().querySelector("[data-offline-alert]");
    if (old) old.remove();
    const alert = element("div", { class: `alert alert--${kind}`, role: "alert", "data-offline-alert": "" }, element("p", { text }));
    const crisis = main().querySelector("#crisis");
    if (beside) beside.before(alert);
    else if (crisis) crisis.after(alert);
    else main().prepend(alert);
    return alert;
  }

  // Get help now, before anything else, for any answer above "none": it comes from the page
  // itself, so it shows with no signal and before anything is sent.
  function showCrisis(level) {
    const template = document.querySelector(`template[data-offline-crisis="${level}"]`);
    const existing = main().querySelector("#crisis");
    if (existing) existing.remove();
    if (!template) return null;
    const region = template.content.firstElementChild.cloneNode(true);
    main().prepend(region);
    headPageWith(region);
    addPlanTo(region);
    return region;
  }

  // Get help now heads the page it is shown on, as Lift's own answer draws it: its title is the
  // page's h1, and the page's own h1 an h2 that looks the same, so a screen reader's list of
  // headings starts where reading and focus do.
  function headPageWith(region) {
    main().querySelectorAll("h1").forEach((heading) => {
      if (region.contains(heading)) return;
      const title = document.createElement("h2");
      [...heading.attributes].forEach((attribute) => title.setAttribute(attribute.name, attribute.value));
      title.classList.add("page-title");
      title.replaceChildren(...heading.childNodes);
      heading.replaceWith(title);
    });
  }

  async function keep(form) {
    // Once kept, the form is gone from the page; a late second signal about it changes nothing.
    if (!form.isConnected || !document.getElementById("offline-saved")) return;
    const fields = formFields(form);
    const level = Number(fields.thoughts || 0);
    const crisis = level > 0 ? showCrisis(level) : null;
    const missing = Object.keys(REQUIRED).filter((name) => !fields[name]);
    if (missing.length) {
      showAlert(`There's no connection, and this check-in can't be kept yet: answer ${missing.map((name) => REQUIRED[name]).join(", ")} first.`);
      (crisis ? crisis.querySelector(".crisis__title") : main()).focus();
      return;
    }
    const uuid = form.elements.client_uuid.value;
    const owner = currentOwner() || (await queue.lastOwner().catch(() => null)) || null;
    try {
      // "Change your check-in" showed the saved answers and the patient changed them: that
      // replaces the day. A new check-in asks first if the day meanwhile got another one.
      const editing = form.elements.local_date && form.elements.local_date.type === "hidden";
      await queue.put({ uuid, owner, fields, savedAt: new Date().toISOString(), status: "waiting", errors: {}, replace: editing });
    } catch (error) {
      const full = error && error.name === "QuotaExceededError";
      showAlert(full
        ? "This phone has no storage space left, so your check-in could not be kept. Your answers are still in the form: free some space, or send it when you have a signal."
        : `This phone couldn't keep your check-in (${error && error.message}). Your answers are still in the form: try again, or send it when you have a signal.`);
      (crisis ? crisis.querySelector(".crisis__title") : main()).focus();
      return;
    }
    showKept(fields, crisis);
    requestSync();
  }

  function showKept(fields, crisis) {
    const template = document.getElementById("offline-saved");
    const saved = template.content.firstElementChild.cloneNode(true);
    saved.querySelector("[data-offline-summary]").replaceWith(
      element("p", { class: "lede", text: dayLabel(fields.local_date) }), summary(fields)
    );
    main().replaceChildren(...(crisis ? [crisis] : []), saved);
    if (crisis) headPageWith(crisis);
    window.scrollTo(0, 0);
    // The crisis heading takes focus first when it is there, as it does online.
    (crisis ? crisis.querySelector(".crisis__title") : saved.querySelector("h1")).focus();
    renderQueue();
  }

  // "Fix and resend": the check-in page opened as /checkin#fix=<uuid> takes that entry's
  // answers and the reasons Lift gave, and keeps its UUID.
  async function fixFromQueue(form) {
    const match = location.hash.match(/^#fix=([0-9a-f-]{36})$/);
    if (!match) return;
    const entry = await queue.get(match[1]);
    if (!entry) return;
    form.elements.client_uuid.value = entry.uuid;
    for (const name of FIELDS) {
      const control = form.elements[name];
      if (!control) continue;
      if (control instanceof RadioNodeList) {
        [...control].forEach((radio) => { radio.checked = radio.value === entry.fields[name]; });
      } else if (control.tagName === "SELECT" && ![...control.options].some((o) => o.value === entry.fields[name])) {
        control.append(new Option(dayLabel(entry.fields[name]), entry.fields[name], true, true));
      } else {
        control.value = entry.fields[name];
      }
    }
    const reasons = Object.values(entry.errors || {});
    showAlert(`This check-in from ${dayLabel(entry.fields.local_date)} wasn't saved. ${reasons.join(" ")} Change what's needed and save it again.`);
  }

  // ---- The safety plan with no signal -------------------------------------------------------

  // A patient's own page that read their plan hands it over: kept on this phone for them.
  async function rememberPlan() {
    const source = document.querySelector("template[data-offline-plan]");
    const owner = currentOwner();
    if (!source || !owner) return;
    const saved = source.dataset.offlinePlan === "saved";
    await queue.setPlan(saved ? { owner, html: source.innerHTML } : null);
  }

  // The plan kept on this phone, for a page that holds none itself. On pages kept for use with
  // no signal (made for nobody), the last person signed in here's. On a patient's own page
  // whose plan Lift could not read (such a page hands the phone nothing), theirs and only
  // theirs: on a shared phone the copy may be someone else's. A page that read the plan hands
  // the phone what it read, and its Get help now is right as it is, plan or none.
  async function keptPlan() {
    let owner = null;
    if (document.querySelector("[data-kept-copy]")) owner = await queue.lastOwner();
    else if (!document.querySelector("template[data-offline-plan]")) owner = currentOwner();
    if (!owner) return null;
    const plan = await queue.plan();
    if (!plan || plan.owner !== owner) return null;
    const parts = document.createElement("template");
    parts.innerHTML = plan.html;
    return parts.content;
  }

  async function addPlanTo(region) {
    if (!region || region.querySelector(".crisis__plan") || region.dataset.planSought) return;
    region.dataset.planSought = "1";
    const plan = await keptPlan().catch(() => null);
    if (!plan) return;
    const call = plan.querySelector("[data-plan-call]");
    if (call) region.querySelector(".crisis__actions").append(call);
    // A care team's number alone is no plan to show: the page's own offer stays.
    const steps = plan.querySelector(".crisis__plan");
    if (!steps) return;
    // The page did not know the plan, so it linked to it or offered to write one.
    region.querySelectorAll("[data-plan-invite]").forEach((node) => node.remove());
    const readMore = region.querySelector(":scope > .crisis__note.link-row");
    if (readMore) readMore.before(steps);
    else region.append(steps);
  }

  async function showPlanPage() {
    const page = document.querySelector("[data-offline-plan-page]");
    if (!page) return;
    const plan = await keptPlan().catch(() => null);
    if (!plan) return;
    const call = plan.querySelector("[data-plan-call]");
    const steps = plan.querySelector(".crisis__plan");
    // This page is the plan: its own heading names it, and there is nowhere else to open it.
    if (steps) steps.querySelectorAll("h3, .link-row").forEach((node) => node.remove());
    const shown = steps || document.querySelector("template[data-offline-no-steps]").content.cloneNode(true);
    page.replaceChildren(shown, ...(call ? [element("ul", { class: "crisis__actions" }, call)] : []));
  }

  // ---- Sending -----------------------------------------------------------------------------

  function currentOwner() {
    const marked = document.querySelector("[data-owner]");
    return marked ? marked.dataset.owner : null;
  }

  async function requestSync() {
    if (navigator.onLine) sendNow();
    try {
      // Not `serviceWorker.ready`: with no worker (blocked, or not installed yet) it never settles.
      const registration = await navigator.serviceWorker.getRegistration();
      if (registration && registration.sync) await registration.sync.register(queue.SYNC_TAG);
    } catch (error) {
      // No Background Sync here: the page sends on "online" and on the next open instead.
    }
  }

  let sending = null;
  function sendNow() {
    if (!sending) {
      sending = queue.sendAll()
        .then((sent) => { if (sent.length) announceSent(sent); })
        .catch(() => { /* Still no connection: the entries stay waiting. */ })
        .finally(() => { sending = null; renderQueue(); });
    }
    return sending;
  }

  function announceSent(sent) {
    const days = sent.map((entry) => dayLabel(entry.fields.local_date)).join(", ");
    const note = element("div", { class: "alert alert--ok", role: "status", "data-offline-sent": "" },
      element("p", { text: `Sent to Lift: your check-in for ${days}.` }));
    const old = main().querySelector("[data-offline-sent]");
    if (old) old.remove();
    const crisis = main().querySelector("#crisis");
    if (crisis) crisis.after(note);
    else main().prepend(note);
  }

  // ---- The list of check-ins still on this phone -----------------------------------------

  const STATUS = {
    waiting: "Saved on this phone, will sync when you're back online.",
    "signed-out": "Not sent yet: you're signed out. Sign in and it will be sent.",
    "other-account": "Not sent: it was made while a different account was signed in on this phone. Sign in to that account to send it, or remove it.",
    rejected: "Lift couldn't save it.",
    conflict: "This day already has a different check-in, perhaps from another device. Nothing was replaced: choose which one to keep.",
  };

  const NEEDS_THE_PATIENT = new Set(["rejected", "conflict", "signed-out", "other-account"]);

  function button(text, action, uuid, primary = false) {
    return element("button", { type: "button", class: primary ? "button button--primary" : "button", "data-queue-action": action, "data-uuid": uuid, text });
  }

  function entryItem(entry) {
    const item = element("li", { class: "queue__item", "data-queue-entry": entry.uuid, "data-status": entry.status },
      element("p", { class: "queue__day", text: dayLabel(entry.fields.local_date) }),
      element("p", { text: STATUS[entry.status] || STATUS.waiting }));
    const actions = element("p", { class: "actions" });
    if (entry.status === "rejected") {
      const reasons = Object.values(entry.errors || {});
      if (reasons.length) item.append(element("ul", { class: "queue__reasons" }, ...reasons.map((text) => element("li", { text }))));
      actions.append(element("a", { class: "button button--primary", href: `/checkin#fix=${entry.uuid}`, "hx-boost": "false", text: "Fix and resend" }),
        button("Remove", "remove", entry.uuid));
    } else if (entry.status === "conflict") {
      const mine = element("div", { class: "card" }, element("h3", { text: "From this phone" }), summary(entry.fields));
      if (entry.fields.note) mine.append(element("p", { class: "note-text", text: entry.fields.note }));
      item.append(mine);
      if (entry.saved) {
        const saved = element("div", { class: "card" }, element("h3", { text: "Already saved" }), summary(entry.saved));
        if (entry.saved.note) saved.append(element("p", { class: "note-text", text: entry.saved.note }));
        item.append(saved);
      }
      // A thoughts answer only this phone holds must not vanish with a tap on "Keep the saved one".
      if (Number(entry.fields.thoughts) > Number((entry.saved && entry.saved.thoughts) || 0)) {
        item.append(element("p", { class: "alert alert--error", "data-thoughts-warning": "",
          text: "The one from this phone reports thoughts of death or suicide, and the saved one doesn't. Keeping the saved one would leave that answer out of your journal." }));
      }
      actions.append(button("Keep the one from this phone", "replace", entry.uuid, true), button("Keep the saved one", "remove", entry.uuid));
    } else if (entry.status === "signed-out") {
      actions.append(element("a", { class: "button button--primary", href: "/signin?next=/", text: "Sign in" }));
    } else if (entry.status === "other-account") {
      actions.append(button("Remove", "remove", entry.uuid));
    } else if (navigator.onLine) {
      actions.append(button("Send now", "send", entry.uuid));
    }
    if (actions.childElementCount) item.append(actions);
    return item;
  }

  async function renderQueue() {
    const root = main();
    if (!root) return;
    let entries = [];
    try {
      entries = await queue.all();
    } catch (error) {
      return;
    }
    let panel = document.getElementById("offline-queue");
    if (!entries.length) {
      if (panel) panel.remove();
      return;
    }
    // It comes after the page is drawn (the phone's storage, often Lift's answer too, comes
    // first). Check-ins that only wait to be sent go at the page's end, after the footer, where
    // they push nothing the patient sees down. One that needs the patient (refused, in conflict,
    // signed out, another account's) goes at the top, where it is seen at once: a check-in,
    // perhaps a thoughts answer, that is only on this phone outweighs a page that moves.
    const place = entries.some((entry) => NEEDS_THE_PATIENT.has(entry.status)) ? "top" : "end";
    if (panel && panel.dataset.place !== place) {
      panel.remove();
      panel = null;
    }
    if (!panel) {
      panel = element("section", { id: "offline-queue", class: "card queue", "aria-labelledby": "offline-queue-title", "data-place": place });
      const end = document.querySelector("[data-page-end]");
      // At the top: after Get help now and what was just saved or sent; before anything else.
      const anchor = [...root.querySelectorAll(":scope > #crisis, :scope > [data-offline-sent], :scope > .confirmation")].pop();
      if (place === "end" && end) end.prepend(panel);
      else if (anchor) anchor.after(panel);
      else root.prepend(panel);
    }
    const waiting = entries.length === 1 ? "1 check-in on this phone" : `${entries.length} check-ins on this phone`;
    panel.replaceChildren(element("h2", { id: "offline-queue-title", text: waiting }), element("ul", { class: "queue__list" }, ...entries.map(entryItem)));
  }

  document.addEventListener("click", async (event) => {
    const target = event.target.closest("[data-queue-action]");
    if (!target) return;
    const uuid = target.dataset.uuid;
    const action = target.dataset.queueAction;
    if (action === "remove") await queue.remove(uuid);
    if (action === "replace") await queue.update(uuid, { status: "waiting", replace: true });
    if (action === "send" || action === "replace") await sendNow();
    renderQueue();
  });

  // ---- Forms with a crisis question (check-in, PHQ-9) when the answer is slow or never comes

  const isCheckin = (elt) => elt && elt.matches && elt.matches("form[data-offline-checkin]");
  const isCrisisForm = (elt) => elt && elt.matches && elt.matches("form[data-crisis-field]");
  // Questionnaires, the safety plan, a session's log: what takes minutes to give stays on the
  // page whatever goes wrong (each is stored once however often it is sent).
  const keepsAnswers = (elt) => elt && elt.matches && elt.matches("form[data-keep-answers]");
  const watched = (elt) => isCrisisForm(elt) || keepsAnswers(elt);
  // Every other form htmx sends that changes something (the treatment plan, a session, reminder
  // settings, an invitation, the account's settings, a name for a patient): with no answer it
  // stays as it was, with why, rather than doing nothing at all or giving way to a proxy's page.
  const sendsChanges = (elt) => elt && elt.matches && elt.matches('form[method="post"]') && !watched(elt);
  // Lift's own pages (both layouts title every page "… · Lift"); a proxy's error page is not one.
  const isLiftPage = (xhr) => /· Lift<\/title>/.test(xhr.responseText || "");
  // Lift sends a form back with what was typed when it could not save it (422, 503): the
  // check-in or a form that keeps its answers, or the very form that was sent.
  const formSentBack = (xhr, form) => {
    const text = xhr.responseText || "";
    const action = form && form.getAttribute("action");
    return /<form\b[^>]*\bdata-(offline-checkin|keep-answers)\b/.test(text)
      || Boolean(action && text.includes(`action="${action}"`));
  };
  // An error page in place of Lift's answer to the form: a proxy's or a firewall's ("502 Bad
  // Gateway" while Lift restarts, "429 Too Many Requests"), or Lift's own for a server error
  // ("Something went wrong on our side"). Either would replace the answers and the panel worded
  // for them with a page that knows nothing of them: it counts as no answer at all.
  const noAnswerIn = (xhr, form) => xhr.status >= 400
    && (!isLiftPage(xhr) || (xhr.status >= 500 && !formSentBack(xhr, form)));

  function crisisAnswer(form) {
    const answer = Number(new FormData(form).get(form.dataset.crisisField));
    return Number.isInteger(answer) && answer > 0 ? answer : 0;
  }

  // Get help now from the page itself, for an answer above "none", with focus on its heading.
  function showCrisisFor(form) {
    const level = crisisAnswer(form);
    const region = level ? showCrisis(level) : null;
    if (region) region.querySelector(".crisis__title").focus();
    return region;
  }

  // The answers stay on the page with why they weren't saved, below Get help now when they
  // call for it (the panel has focus then; otherwise the message takes it).
  function keepAnswers(form, why) {
    const crisis = showCrisisFor(form);
    const alert = showAlert(why);
    if (!crisis) {
      alert.tabIndex = -1;
      alert.focus();
    }
  }

  // No answer from Lift: a check-in is kept on this phone; any other form stays as it was.
  function noAnswer(form) {
    if (isCheckin(form)) return keep(form);
    // The answer may have been lost after Lift saved it; the form's key makes sending it again safe.
    keepAnswers(form, "Lift didn't answer, so this may not be saved. Your answers are still here: send them again when you have a signal (they are stored only once).");
    return null;
  }

  // Any other form that changes something: what was typed stays, and the message beside it
  // (where the person is looking, on a page of several forms) says what became of it. Not sent
  // at all (no connection before it left), nothing changed. Sent with no answer, or with an
  // error page in place of Lift's, it may have been done before the answer was lost: sending
  // again is safe only with a form key (Lift does a key's form once) or for a form that only
  // sets values (`data-resend-safe`); a sign-up or a new password sent again is refused.
  const NOT_SENT = "There's no connection, so this wasn't sent and nothing was saved. What you entered is still here: send it again when you have a signal.";
  const NO_ANSWER_SAFE = "Lift didn't answer, so this may or may not be saved. Nothing was lost: what you entered is still here, and sending it again is safe (it is done only once). Send it again when you have a signal.";
  const NOT_SAVED_SAFE = "Lift couldn't answer just now because of a problem on its side, so this may or may not be saved. Nothing was lost: what you entered is still here, and sending it again is safe (it is done only once). Try again in a moment.";
  const NO_ANSWER = "Lift didn't answer, so this may not be saved. What you entered is still here: when you have a signal, reload the page in another tab to see whether it changed before sending it again.";
  const NOT_SAVED = "Lift couldn't answer just now because of a problem on its side, so this may not be saved. What you entered is still here: in a moment, reload the page in another tab to see whether it changed before trying again.";
  const resendSafe = (form) => Boolean(form.elements.client_uuid) || form.hasAttribute("data-resend-safe");
  function keepTyped(form, why) {
    const alert = showAlert(why, "error", form);
    alert.tabIndex = -1;
    alert.focus();
  }

  // An expired form token: fetch a fresh one and send the same answers again, once (the form's
  // key makes a second arrival harmless). Only to the person the page was made for: on a shared
  // phone, someone else may have signed in from another tab, and the fresh token is theirs.
  async function resendWithFreshToken(form) {
    const response = await queue.fetchSession();
    if (!response.ok) throw new Error(`Lift answered ${response.status}`);
    const { owner, csrf } = await response.json();
    if (!owner || owner !== currentOwner()) {
      delete form.dataset.resent; // once they sign in again, Save gets them a fresh token
      keepAnswers(form, "Someone else is signed in on this browser now, so this wasn't saved. Your answers stay on this page: sign in again as yourself from another tab, then press Save again here.");
      return;
    }
    form.elements._csrf_token.value = csrf;
    document.body.setAttribute("hx-headers", JSON.stringify({ "x-csrftoken": csrf }));
    form.requestSubmit();
  }

  // Signed out (401), or the form's token expired (403), while the answers were on their way:
  // the error page must not replace them. A check-in is kept on this phone as with no signal,
  // and goes after sign-in or at once with a fresh token (the queue's sender asks for one). A
  // form that keeps its answers is sent again once with a fresh token, else they stay on the page.
  function notLetIn(form, status) {
    if (isCheckin(form)) return keep(form);
    if (status === 403 && !form.dataset.resent) {
      form.dataset.resent = "1";
      return resendWithFreshToken(form).catch(() => noAnswer(form));
    }
    keepAnswers(form, status === 401
      ? "You're signed out, so this wasn't saved. Your answers stay on this page: sign in from another tab or window, then press Save again here."
      : "This form had expired, so it wasn't saved. Your answers stay on this page: reload it in another tab, then press Save again here.");
    return null;
  }

  // Save pressed again while the form is on its way (hx-sync="this:replace" sends the new one at
  // once), or after no answer came (any form with a key: a session, an invitation): a key stands
  // for one set of answers, so changed answers go with a new key. With the
  // old one, Lift would take them for the first send again and keep what that one said. A form
  // with a `replaces` field (the questionnaires) also names every key it was sent with before,
  // so Lift replaces the result an earlier send stored instead of keeping both.
  const MAX_REPLACED_KEYS = 10;
  const NOT_ANSWERS = ["client_uuid", "replaces", "_csrf_token"];
  const answersOf = (form) => new URLSearchParams([...new FormData(form)]
    .filter(([name]) => !NOT_ANSWERS.includes(name))).toString();
  document.addEventListener("htmx:confirm", (event) => {
    const form = event.detail.elt;
    const key = form.elements && form.elements.client_uuid;
    if (!key) return;
    const answers = answersOf(form);
    if (form.dataset.sentKey === key.value && form.dataset.sentAnswers !== answers) {
      const replaces = form.elements.replaces;
      if (replaces) replaces.value = [...replaces.value.split(" ").filter(Boolean), key.value].slice(-MAX_REPLACED_KEYS).join(" ");
      key.value = crypto.randomUUID();
    }
    form.dataset.sentKey = key.value;
    form.dataset.sentAnswers = answers;
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (sendsChanges(form) && !navigator.onLine) {
      event.preventDefault();
      keepTyped(form, NOT_SENT);
      return;
    }
    if (!watched(form)) return;
    // With no connection at all, act at once rather than wait for the request to fail.
    if (!navigator.onLine) {
      event.preventDefault();
      noAnswer(form);
      return;
    }
    // Get help now before anything is sent: a slow network must not delay it. Lift's answer
    // replaces it with the same panel.
    showCrisisFor(form);
  });
  ["htmx:sendError", "htmx:timeout"].forEach((name) => document.addEventListener(name, (event) => {
    if (watched(event.detail.elt)) noAnswer(event.detail.elt);
    else if (sendsChanges(event.detail.elt)) keepTyped(event.detail.elt, resendSafe(event.detail.elt) ? NO_ANSWER_SAFE : NO_ANSWER);
  }));
  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = event.detail.requestConfig && event.detail.requestConfig.elt;
    const xhr = event.detail.xhr;
    if (sendsChanges(form) && noAnswerIn(xhr, form)) {
      event.detail.shouldSwap = false;
      keepTyped(form, resendSafe(form) ? NOT_SAVED_SAFE : NOT_SAVED);
      return;
    }
    if (!watched(form)) return;
    if (xhr.status === 401 || xhr.status === 403) {
      event.detail.shouldSwap = false;
      notLetIn(form, xhr.status);
      return;
    }
    if (noAnswerIn(xhr, form)) {
      event.detail.shouldSwap = false;
      noAnswer(form);
      return;
    }
    // Saved online (perhaps as "Fix and resend"): it no longer waits on this phone. Checked
    // before the swap, while the form is still on the page to say which entry it was.
    if (isCheckin(form) && xhr.status === 200 && form.elements.client_uuid) {
      queue.remove(form.elements.client_uuid.value).then(renderQueue, () => {});
    }
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (keepsAnswers(form) && event.detail.successful) delete form.dataset.resent;
  });

  // ---- Signing out ------------------------------------------------------------------------

  document.addEventListener("submit", (event) => {
    const action = event.target.getAttribute && event.target.getAttribute("action");
    if (action === "/signout" || action === "/account/signout-everywhere") sessionStorage.setItem(SIGNING_OUT, "1");
  }, true);

  // A signed-out phone must not keep getting this person's reminders. The sign-out form
  // carries this browser's push endpoint, so the server forgets the device, and the
  // signed-out page unsubscribes the browser itself.
  async function pushSubscription() {
    if (!("serviceWorker" in navigator) || !window.PushManager) return null;
    const registration = await navigator.serviceWorker.getRegistration();
    return registration ? registration.pushManager.getSubscription() : null;
  }

  async function attachPushEndpoint() {
    const forms = [...document.querySelectorAll('form[action="/signout"]')];
    if (!forms.length) return;
    const subscription = await pushSubscription().catch(() => null);
    if (!subscription) return;
    for (const form of forms) {
      if (form.elements.push_endpoint) continue;
      form.append(element("input", { type: "hidden", name: "push_endpoint", value: subscription.endpoint }));
    }
  }

  // The signed-out page empties this phone's queue, but only after a sign-out from this tab:
  // a link to that page alone must not delete anybody's unsent check-ins.
  async function clearAfterSignOut() {
    if (!document.querySelector("[data-signed-out]") || !sessionStorage.getItem(SIGNING_OUT)) return;
    sessionStorage.removeItem(SIGNING_OUT);
    await queue.clear().catch(() => {});
    const subscription = await pushSubscription().catch(() => null);
    if (subscription) await subscription.unsubscribe().catch(() => {});
    const names = await caches.keys().catch(() => []);
    // Pages are never cached, but anything a future version kept for one person goes too.
    await Promise.all(names.filter((name) => name.startsWith("lift-user")).map((name) => caches.delete(name)));
  }

  // ---- New version, install, connection ---------------------------------------------------

  let reloading = false;
  function showUpdate(registration) {
    if (document.querySelector("[data-update-banner]")) return;
    const reload = element("button", { type: "button", class: "button button--primary", text: "Reload" });
    reload.addEventListener("click", () => {
      reloading = true;
      if (registration.waiting) registration.waiting.postMessage({ type: "lift:update" });
    });
    document.body.append(element("div", { class: "update-banner", role: "status", "data-update-banner": "" },
      element("p", { text: "New version — reload to use it." }), reload));
  }

  async function watchForUpdates() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.addEventListener("controllerchange", () => { if (reloading) location.reload(); });
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (!event.data || event.data.type !== "lift:queue-changed") return;
      if (event.data.sent && event.data.sent.length) announceSent(event.data.sent);
      renderQueue();
    });
    const registration = await navigator.serviceWorker.getRegistration("/");
    if (!registration) return;
    const offer = () => { if (registration.waiting && navigator.serviceWorker.controller) showUpdate(registration); };
    offer();
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      if (worker) worker.addEventListener("statechange", () => { if (worker.state === "installed") offer(); });
    });
  }

  let installPrompt = null;
  function showInstallHints() {
    const dismissed = localStorage.getItem(INSTALL_DISMISSED);
    document.querySelectorAll("[data-install-hint]").forEach((hint) => { hint.hidden = !installPrompt || Boolean(dismissed); });
  }
  window.addEventListener("beforeinstallprompt", (event) => {
    // Lift offers its own button, on the home page, instead of the browser's mini bar.
    event.preventDefault();
    installPrompt = event;
    showInstallHints();
  });
  window.addEventListener("appinstalled", () => { installPrompt = null; showInstallHints(); });
  document.addEventListener("click", async (event) => {
    if (event.target.closest("[data-install-dismiss]")) {
      localStorage.setItem(INSTALL_DISMISSED, "1");
      showInstallHints();
    }
    if (event.target.closest("[data-install]") && installPrompt) {
      // A prompt can be shown once: the button goes whatever the answer.
      const prompt = installPrompt;
      installPrompt = null;
      showInstallHints();
      const choice = await prompt.prompt().catch(() => null);
      // "No" to the browser's own dialog counts as "Not now": Lift doesn't ask again.
      if (choice && choice.outcome === "dismissed") localStorage.setItem(INSTALL_DISMISSED, "1");
      showInstallHints();
    }
  });

  function showConnection() {
    let bar = document.querySelector("[data-offline-bar]");
    if (navigator.onLine) {
      if (bar) bar.remove();
      return;
    }
    if (!bar) {
      bar = element("p", { class: "offline-bar", role: "status", "data-offline-bar": "" },
        document.createTextNode("You're offline. Check-ins are kept on this phone and sent when the signal is back."));
      document.querySelector(".topbar").after(bar);
    }
  }

  window.addEventListener("online", () => { showConnection(); sendNow(); });
  window.addEventListener("offline", showConnection);
  // An installed app is rarely reloaded: coming back to it counts as opening it again, and
  // while it stays open a check-in still waiting is tried again now and then (the signal can
  // come back without the phone ever saying it was gone).
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") sendNow(); });
  setInterval(() => { if (navigator.onLine && document.visibilityState === "visible") sendNow(); }, 30000);
  window.addEventListener("hashchange", () => document.querySelectorAll("form[data-offline-checkin]").forEach(fixFromQueue));

  // ---- Every page -------------------------------------------------------------------------

  function setUp() {
    document.querySelectorAll("form[data-offline-checkin]").forEach(prepareForm);
    const owner = currentOwner();
    if (owner) queue.setOwner(owner).then(rememberPlan).catch(() => {});
    addPlanTo(main() && main().querySelector("#crisis"));
    showPlanPage();
    showInstallHints();
    showConnection();
    attachPushEndpoint();
    clearAfterSignOut().then(() => (navigator.onLine ? sendNow() : renderQueue()));
  }

  document.addEventListener("htmx:afterSettle", setUp);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
  watchForUpdates();
})();
