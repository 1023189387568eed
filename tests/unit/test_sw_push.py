"""The service worker's pushsubscriptionchange handler, run by Node in a stand-in worker scope:
it re-subscribes with the old server key when the browser gives no new subscription, and tells
Lift which device it was (old endpoint, old auth secret + new subscription, JSON, no CSRF token)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

HARNESS = Path(__file__).parents[1] / "js" / "sw_push_events.mjs"  # Node comes with the front-end build


def fire(scenario: dict) -> dict:
    done = subprocess.run(["node", str(HARNESS), json.dumps(scenario)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_with_no_new_subscription_it_subscribes_again_with_the_old_key_and_tells_lift():
    record = fire({"old": {"endpoint": "https://push.example/old", "key": "server-key"}, "new": None,
                   "renewed_endpoint": "https://push.example/renewed"})
    assert record["subscribed"] == [{"userVisibleOnly": True, "key": "server-key"}]
    [request] = record["requests"]
    assert request["url"] == "/reminders/subscriptions/renew" and request["method"] == "POST"
    assert request["headers"] == {"content-type": "application/json"}
    assert request["body"] == {
        "old_endpoint": "https://push.example/old", "old_auth": "auth-of-https://push.example/old",
        "subscription": {"endpoint": "https://push.example/renewed", "expirationTime": None,
                         "keys": {"p256dh": "p256dh-of-https://push.example/renewed",
                                  "auth": "auth-of-https://push.example/renewed"}}}


def test_a_new_subscription_the_browser_made_is_sent_as_it_is():
    record = fire({"old": {"endpoint": "https://push.example/old", "key": "server-key"},
                   "new": {"endpoint": "https://push.example/new", "key": "server-key"}})
    assert record["subscribed"] == []
    body = record["requests"][0]["body"]
    assert body["subscription"]["endpoint"] == "https://push.example/new"
    assert body["old_auth"] == "auth-of-https://push.example/old"  # the old secret, not the new one


def test_without_the_old_subscription_it_cannot_say_which_device_and_sends_nothing():
    record = fire({"old": None, "new": {"endpoint": "https://push.example/new", "key": "server-key"}})
    assert record == {"subscribed": [], "requests": []}
