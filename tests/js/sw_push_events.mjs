// Runs frontend/static/js/sw-push.js in a stand-in service worker scope (Node's vm), fires one
// pushsubscriptionchange event described by argv[2] (JSON), and prints what the worker did:
// the subscribe options it used and the requests it sent. Driven by tests/unit/test_sw_push.py,
// because headless Chromium offers no way to fire this event with real subscriptions.
import { readFileSync } from "node:fs";
import vm from "node:vm";

const scenario = JSON.parse(process.argv[2]);
const source = readFileSync(new URL("../../frontend/static/js/sw-push.js", import.meta.url), "utf8");
const record = { subscribed: [], requests: [] };
const listeners = {};

function subscription(endpoint, key) {
  return {
    endpoint,
    options: { applicationServerKey: key },
    toJSON: () => ({
      endpoint, expirationTime: null, keys: { p256dh: "p256dh-of-" + endpoint, auth: "auth-of-" + endpoint },
    }),
  };
}

const scope = {
  location: { origin: "https://lift.example" },
  addEventListener: (type, listener) => { listeners[type] = listener; },
  registration: {
    pushManager: {
      subscribe: async (options) => {
        record.subscribed.push({ userVisibleOnly: options.userVisibleOnly, key: options.applicationServerKey });
        return subscription(scenario.renewed_endpoint, options.applicationServerKey);
      },
    },
  },
  clients: {},
  fetch: async (url, init) => {
    record.requests.push({ url, method: init.method, headers: init.headers, body: JSON.parse(init.body) });
    return { ok: true, status: 200 };
  },
  URL,
  JSON,
};
scope.self = scope;
vm.createContext(scope);
vm.runInContext(source, scope);

let done = Promise.resolve();
listeners.pushsubscriptionchange({
  oldSubscription: scenario.old ? subscription(scenario.old.endpoint, scenario.old.key) : null,
  newSubscription: scenario.new ? subscription(scenario.new.endpoint, scenario.new.key) : null,
  waitUntil: (promise) => { done = promise; },
});
await done;
console.log(JSON.stringify(record));
