// Small progressive enhancements; every page works without this file.
"use strict";

// Pre-select the browser's time zone on sign-up so nobody has to scroll 400 names. A browser
// may name it by an old alias the list leaves out (Chrome says Asia/Calcutta, Europe/Kiev): the
// option the browser itself takes for the same zone is chosen then. A zone with no such option
// (Etc/GMT+5, EST5EDT) is added as its own, with its offset, as the server shows one; the server
// accepts every alias, so the browser's zone is never swapped for the default.
function detectTimezone(root) {
  const select = root.querySelector("select[data-detect-timezone]");
  if (!select || select.dataset.detected) return;
  select.dataset.detected = "1";
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = zone && utcOffset(zone);
  if (!offset) return;
  const options = [...select.options];
  const same = options.find((o) => o.value === zone) || options.find((o) => browserName(o.value) === zone);
  if (!same) select.prepend(new Option(`${zone} (${offset})`, zone));
  select.value = same ? same.value : zone;
}

// The phone's 12- or 24-hour clock on sign-up, so Lift writes times as the phone's own time
// inputs do ("2:30 PM" or "14:30"); the account page can change it.
function detectHourCycle(root) {
  const field = root.querySelector("input[data-detect-hour-cycle]");
  if (!field || field.value) return;
  field.value = new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions().hourCycle || "";
}

// A closed select never wraps its label: where a select with data-chosen-line (the time zone,
// History's month) cuts off the option chosen (a narrow phone, large text, a long name), the line
// it names says it in full. The room is the select's box less its padding and the arrow's
// (1.25em: Chromium draws it in about 1em).
function showChosenOptions(root) {
  for (const select of root.querySelectorAll("select[data-chosen-line]")) {
    const line = root.querySelector(`#${select.dataset.chosenLine}`);
    if (!line || select.selectedIndex < 0) continue;
    const label = select.options[select.selectedIndex].text;
    const style = getComputedStyle(select);
    const measure = document.createElement("canvas").getContext("2d");
    measure.font = style.font;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      - 1.25 * parseFloat(style.fontSize);
    line.textContent = label;
    line.hidden = measure.measureText(label).width <= room;
  }
}
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-chosen-line]")) showChosenOptions(document);
});
// A phone turned sideways, or a window resized, gives the select another width.
window.addEventListener("resize", () => showChosenOptions(document));

// The browser's own name for a zone, or null for one it does not know.
function browserName(zone) {
  try {
    return new Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

// "UTC+05:30" or "UTC−05:00", as the server writes it; null for a zone the browser does not know.
function utcOffset(zone) {
  try {
    const parts = new Intl.DateTimeFormat("en", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts();
    const name = parts.find((part) => part.type === "timeZoneName").value;
    return name === "GMT" ? "UTC+00:00" : name.replace("GMT", "UTC").replace("-", "\u2212");
  } catch {
    return null;
  }
}

// After htmx swaps in a result, move focus to its first heading so screen readers
// announce it; the crisis heading is marked to take focus before anything else. Get help now
// may already be on the page (shown as the form was sent): whoever had moved into it, to the
// call button say, stays on the same link in the panel that replaces it.
let crisisLinkInFocus = null;
document.addEventListener("htmx:beforeSwap", () => {
  const active = document.activeElement;
  crisisLinkInFocus = active && active.closest("#crisis") && active.getAttribute("href");
});

// A form sent back with its errors has no heading marked to take focus: without this, focus
// falls to the page itself once htmx removes the Save button, and a keyboard or screen-reader
// user is left at the top with no word of what went wrong. The error summary says what to fix.
function errorSummary(root, detail) {
  const sent = detail.requestConfig && detail.requestConfig.verb !== "get";
  const summary = sent && root.querySelector('.alert--error[role="alert"]');
  if (summary) summary.tabIndex = -1;
  return summary;
}

// A boosted link or form swaps the whole page without loading one, so a screen reader says
// nothing and focus is left on the page itself: it would arrive silently, not knowing where it
// is. The new page's heading takes focus, as a page load announces its title. Only when focus
// was lost: not where htmx kept it (an autofocus, such as a saved form's message, or a field
// with the same id), nor for a part of a page (a range switch), whose target is not the body.
function pageArrival(root, detail) {
  if (!detail.boosted || root !== document.body) return null;
  if (document.activeElement && document.activeElement !== document.body) return null;
  const heading = root.querySelector("main h1");
  if (heading && !heading.hasAttribute("tabindex")) heading.tabIndex = -1;
  return heading;
}

function focusFirst(root, detail) {
  const kept = crisisLinkInFocus && root.querySelector(`#crisis a[href="${CSS.escape(crisisLinkInFocus)}"]`);
  crisisLinkInFocus = null;
  const marked = kept || root.querySelector("[data-focus-first]");
  const summary = !marked && errorSummary(root, detail);
  const arrival = !marked && !summary && pageArrival(root, detail);
  if (marked || arrival) (marked || arrival).focus();
  if (!summary) return;
  summary.focus();
  // A boosted page is scrolled to its top once this event is over, which would leave a summary
  // low on the page (a form far down, as on the account page) focused but out of sight.
  setTimeout(() => summary.scrollIntoView({ block: "center" }), 0);
}

// A Copy button next to a link to send (an invitation): one tap instead of press, select, copy.
function showCopyButtons(root) {
  if (!navigator.clipboard) return;
  root.querySelectorAll("button[data-copy]").forEach((button) => { button.hidden = false; });
}
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  navigator.clipboard.writeText(field.value).then(
    () => { button.textContent = "Copied"; },
    () => { field.select(); },
  );
});

// A table's scroll box comes with tabindex="0", so a keyboard can scroll it (and so it stays
// without this file), but a box whose table fits (a stacked table on a phone, a short one at a
// desk) is a Tab stop on the way to nothing: it is one only while its table is wider, or taller,
// than the box. Watching the table as well as the box catches a table that grows inside a box
// that keeps its size (larger text, a media query's new layout). A box that has focus keeps its
// tabindex: taking it away would drop focus to the page.
const scrollBoxes = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const box = entry.target.closest(".table-scroll");
    if (box) markScrollBox(box);
  }
});
function markScrollBox(box) {
  if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) box.tabIndex = 0;
  else if (box !== document.activeElement) box.removeAttribute("tabindex");
}
function watchScrollBoxes(root) {
  for (const box of root.querySelectorAll(".table-scroll")) {
    for (const watched of [box, ...box.children]) scrollBoxes.observe(watched);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  watchScrollBoxes(document);
  detectTimezone(document);
  detectHourCycle(document);
  showChosenOptions(document);
  showCopyButtons(document);
});
// In the swap's own task, before the new page is painted: the line under a select
// appearing later would move what is below it.
document.addEventListener("htmx:afterSwap", () => {
  watchScrollBoxes(document);
  detectTimezone(document);
  detectHourCycle(document);
  showChosenOptions(document);
});
document.addEventListener("htmx:afterSettle", (event) => {
  detectTimezone(document);
  detectHourCycle(document);
  showCopyButtons(document);
  // A part swapped whole (outerHTML, as the ride home's checklist) is no longer the target htmx
  // names, which left the page: its replacement is the event's own element.
  focusFirst(event.detail.target.isConnected ? event.detail.target : event.target, event.detail);
});

// The treatment plan form shows only the schedules that fit the chosen treatment (app.css): a
// schedule chosen before the treatment changed, now hidden, gives way to the first that fits
// (that treatment's own, or adding sessions one by one), so what is sent is what is seen.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.name !== "medication" || !field.form || !field.form.matches(".plan-form")) return;
  const fits = (input) => input.closest("[data-fits]").dataset.fits.split(" ").includes(field.value);
  const chosen = field.form.querySelector('input[name="template"]:checked');
  if (!chosen || fits(chosen)) return;
  const fitting = [...field.form.querySelectorAll('input[name="template"]')].find(fits);
  if (fitting) fitting.checked = true;
});

// A field whose value differs from the one the page came with: typed, ticked or chosen here.
function changedHere(field) {
  if (["hidden", "submit", "button", "reset"].includes(field.type)) return false;
  if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
  if (field.type === "select-one") {
    const initial = [...field.options].findIndex((option) => option.defaultSelected);
    return field.selectedIndex !== Math.max(initial, 0);
  }
  if (field.type === "select-multiple") return [...field.options].some((option) => option.selected !== option.defaultSelected);
  return "defaultValue" in field && field.value !== field.defaultValue;
}

// Tapping a reminder reuses an open Lift window (sw-push.js), but first asks whether this
// one holds answers not yet sent, which navigating away would lose without a word.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (!event.data || event.data.type !== "lift:typed-answers?" || !event.ports[0]) return;
    const typed = [...document.forms].some((form) => [...form.elements].some(changedHere));
    event.ports[0].postMessage(typed);
  });
}

// Offline support (offline.js, sw.js): the service worker keeps Get help now, the education
// cards and the check-in form working with no signal. Registered after load so it never
// competes with the first paint.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    // A page that loaded while the worker was activating is left uncontrolled: ask to be claimed.
    navigator.serviceWorker.ready.then((registration) => {
      if (!navigator.serviceWorker.controller) registration.active.postMessage({ type: "lift:claim" });
    });
  });
}
