"""Suite-wide set-up.

Browser tests run last: Playwright's sync API keeps an event loop running on the main thread
for as long as its session-scoped browser lives, and pytest-asyncio cannot start a loop beside
it, so every async test must run before the first browser test.

In-process tests hash passwords with a cheap argon2id (see tests/cheap_passwords.py).

`make test` runs two workers (pytest-xdist, `--dist loadgroup`), one per core. The browser tests
run together on one worker, in order, with one served app and one Chromium; the tests that serve
the app as processes of their own (tests/ops: crash safety, backups, Schemathesis) run together
too, and the in-process tests fill in around them. No two browsers or two served copies of one
group ever run at once, and the suite takes about the time of its browser half. The browser
group is collected last, so it is the last work its worker is given: no async test follows it.
"""

import pytest

from tests.cheap_passwords import use_cheap_argon2id

GROUPS = {"tests/browser/": "browser", "tests/ops/": "ops"}


def pytest_configure(config):
    use_cheap_argon2id()


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))
    for item in items:
        path = str(item.path).replace("\\", "/")
        for folder, group in GROUPS.items():
            if folder in path:
                item.add_marker(pytest.mark.xdist_group(group))
