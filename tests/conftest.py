"""Suite-wide set-up.

Browser tests run last: Playwright's sync API keeps an event loop running on the main thread
for as long as its session-scoped browser lives, and pytest-asyncio cannot start a loop beside
it, so every async test must run before the first browser test.

In-process tests hash passwords with a cheap argon2id (see tests/cheap_passwords.py).
"""

from tests.cheap_passwords import use_cheap_argon2id


def pytest_configure(config):
    use_cheap_argon2id()


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))
