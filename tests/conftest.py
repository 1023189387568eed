"""Suite-wide set-up.

Browser tests run last: Playwright's sync API keeps an event loop running on the main thread
for as long as its session-scoped browser lives, and pytest-asyncio cannot start a loop beside
it, so every async test must run before the first browser test.

In-process tests hash passwords with a cheap argon2id (see tests/cheap_passwords.py).

`make test` runs two workers (pytest-xdist, `--dist load`), one per core. Each worker is handed
tests in collection order, so sorting the browser tests last keeps them after every async test on
both workers. Each worker serves its own app and runs its own Chromium for its share of the browser
tests; every served app and data directory is private to its test or worker (free ports, temporary
directories), so the two never meet.
"""

import pytest

from tests.cheap_passwords import use_cheap_argon2id


def pytest_configure(config):
    use_cheap_argon2id()


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))
