"""The rules behind offline check-ins: what counts as the same answers, which keys and
conflict choices a queued check-in may carry, and what the service worker is told to keep."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from lift.domain.checkins import (
    SUBMISSION_MESSAGES, Checkin, CheckinForm, SubmissionKey, same_answers,
)
from lift.domain.crisis import THOUGHTS_LABELS
from lift.domain.forms import parse_form
from lift.web.pwa import OFFLINE_PAGES, SHELL_ASSETS, STATIC_DIR, manifest, worker_config

DAY = date(2026, 3, 3)
STORED = Checkin(id=1, local_date=DAY, mood=4, anxiety=5, sleep_hours=6.5, thoughts=0, note="Tired",
                 updated_at="2026-03-03T08:00:00Z")


def form(**changes) -> CheckinForm:
    values = {"local_date": DAY, "mood": 4, "anxiety": 5, "sleep_hours": 6.5, "thoughts": 0, "note": "Tired"}
    return CheckinForm(**{**values, **changes})


def test_identical_answers_are_the_same_check_in():
    assert same_answers(STORED, form())


@pytest.mark.parametrize("change", [{"mood": 5}, {"anxiety": 4}, {"sleep_hours": 7.0}, {"thoughts": 1},
                                    {"note": "Tired."}, {"local_date": date(2026, 3, 2)}])
def test_any_different_answer_is_a_different_check_in(change):
    assert not same_answers(STORED, form(**change))


def test_a_key_from_crypto_random_uuid_is_accepted():
    key = str(uuid.uuid4())
    parsed, errors = parse_form(SubmissionKey, {"client_uuid": key, "on_conflict": "ask"}, SUBMISSION_MESSAGES)
    assert errors == {} and parsed == SubmissionKey(client_uuid=key, on_conflict="ask")


def test_no_key_means_an_ordinary_form_that_replaces_the_day():
    parsed, errors = parse_form(SubmissionKey, {}, SUBMISSION_MESSAGES)
    assert errors == {} and parsed == SubmissionKey(client_uuid=None, on_conflict="replace")


@pytest.mark.parametrize("values", [
    {"client_uuid": "not-a-uuid"}, {"client_uuid": str(uuid.uuid4()).upper()},
    {"client_uuid": str(uuid.uuid4()) + "0"}, {"on_conflict": "merge"},
])
def test_an_unreadable_key_or_choice_is_refused(values):
    parsed, errors = parse_form(SubmissionKey, values, SUBMISSION_MESSAGES)
    assert parsed is None and set(errors) <= {"client_uuid", "on_conflict"} and errors


def test_the_worker_keeps_the_shell_help_the_offline_pages_and_every_card_at_this_version():
    config = worker_config("abc123", ["what-is-trd", "cost"])
    assert config["version"] == "abc123"
    assert set(OFFLINE_PAGES) <= set(config["pages"])
    assert {"/offline/help", "/offline/safety-plan", "/offline/checkin"} <= set(config["pages"])
    assert {"/learn/what-is-trd", "/learn/cost"} <= set(config["pages"])
    assert all(url.startswith("/static/") and url.endswith("?v=abc123") for url in config["assets"])
    for path in SHELL_ASSETS:
        if path != "vendor/htmx.min.js":  # copied in by make, like in production
            assert (STATIC_DIR / path).is_file(), path


def test_the_manifest_names_an_installable_standalone_app():
    app = manifest("v1")
    assert (app["display"], app["start_url"], app["scope"]) == ("standalone", "/", "/")
    assert {icon["purpose"] for icon in app["icons"]} == {"any", "maskable"}
    assert all((STATIC_DIR / icon["src"].split("?")[0].removeprefix("/static/")).is_file() for icon in app["icons"])


def test_a_check_in_kept_offline_names_each_thoughts_answer_as_the_form_does():
    """The summary of a check-in saved on the phone (offline.js) words the thoughts answer from its
    own copy of the labels: a label changed on one side only would show the patient an answer
    they did not choose, or a number."""
    script = (STATIC_DIR / "js" / "offline.js").read_text()
    block = re.search(r"const THOUGHTS = \{(.*?)\};", script, flags=re.S).group(1)
    kept = {int(level): label for level, label in re.findall(r'(\d+): "([^"]*)"', block)}
    assert kept == {int(level): label for level, label in THOUGHTS_LABELS.items()}
