// Back or Forward before htmx is set up. htmx keeps no copy of a page (historyCacheSize 0,
// refreshOnHistoryMiss), so on its own history entries it loads the address again. But it is a
// deferred script: until it has run, a popstate changes only the address, and the page drawn
// stays under another one (a check-in form under its saved page's address, where Get help now
// shows). So this small file runs first, not deferred, and does what htmx would then: reload.
// Once set up, htmx takes window.onpopstate, handles its own entries and hands on only the
// others, which this leaves alone, so it never acts beside htmx. A reload fires no popstate.
"use strict";
window.onpopstate = (event) => {
  if (event.state && event.state.htmx) window.location.reload();
};
