"""The patient's data rights over HTTP: a JSON archive of everything (without secrets), and
deleting the account after the password and a confirmation, with grants, sessions, devices
and audit entries handled as the deletion page says."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest

from lift.db.clock import iso, utc_now
from lift.db.password_resets import create_reset_link
from lift.domain.treatment import SIDE_EFFECTS
from tests.account_rows import rows_naming
from tests.integration.conftest import PASSWORD
from tests.integration.sharing_helpers import (
    invite, join, seed_checkins, seed_scale, seed_session, shared_with, user_id,
)

# Every table that holds a patient's own rows, and the column naming them.
OWN_TABLES = {
    "checkins": "user_id", "scale_results": "user_id", "treatment_plans": "user_id",
    "treatment_sessions": "user_id", "safety_plans": "user_id", "sessions": "user_id",
    "push_subscriptions": "user_id", "reminder_preferences": "user_id", "calendar_feeds": "user_id",
    "share_invitations": "patient_id", "share_grants": "patient_id", "audit_subjects": "user_id",
    "password_resets": "user_id", "gone_devices": "user_id",
}


@pytest.fixture
async def full_journal(app, patient, people, database):
    """A patient with something in every part of Lift, and a caregiver who looked."""
    await patient.post("/safety-plan", {"coping": "Walk the dog"})
    seed_checkins(database, "pat@example.com", [(date(2026, 3, d), 5, 0, f"note {d}") for d in range(1, 4)])
    seed_scale(database, "pat@example.com", date(2026, 3, 1), 12)
    seed_session(database, "pat@example.com", "2026-03-02T15:00:00Z", "done", note="ok", effects={"nausea": "mild"})
    uid = user_id(database, "pat@example.com")
    database.execute(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, label, created_at)"
        " VALUES (?, 'https://push.example/secret-endpoint', 'p256dh-secret', 'auth-secret', 'Phone', '2026-01-01')",
        (uid,))
    database.execute("INSERT INTO gone_devices (user_id, label, gone_at) VALUES (?, 'Old tablet', '2026-01-02T00:00:00Z')",
                     (uid,))
    database.commit()
    carer = await shared_with(patient, people("carer@example.com"))
    await carer.get(f"/caregiver/patients/{uid}")
    await invite(patient, "clinician")
    await create_reset_link(app.state.db, "pat@example.com", utc_now())
    return carer


async def test_the_archive_is_named_for_the_persons_own_day_not_utcs(patient, monkeypatch):
    # 21:00 on 30 November in New York (the patient's zone) is already 1 December in UTC.
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    for module in ("lift.web.rendering", "lift.web.data_rights"):
        monkeypatch.setattr(f"{module}.utc_now", lambda: now)
    response = await patient.get("/account/data/archive.json")
    assert response.headers["content-disposition"] == 'attachment; filename="lift-archive-2026-11-30.json"'


async def test_the_archive_holds_everything_and_no_secret(patient, full_journal, database):
    response = await patient.get("/account/data/archive.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    archive = json.loads(response.content)
    assert archive["format"] == "lift-archive/2" and archive["account"]["email"] == "pat@example.com"
    assert [c["note"] for c in archive["checkins"]] == ["note 1", "note 2", "note 3"]
    assert archive["scale_results"][0]["total"] == 12
    assert archive["treatment_sessions"][0]["log"]["side_effects"] == {"nausea": "mild"}
    assert archive["safety_plan"][0]["coping"] == "Walk the dog"
    assert archive["notification_devices"][0]["label"] == "Phone"
    assert archive["removed_notification_devices"][0]["label"] == "Old tablet"
    assert archive["shared_with"][0]["viewer_email"] == "carer@example.com"
    assert {e["action"] for e in archive["audit_log"]} >= {"invite", "grant", "view"}
    assert any(d["section"] == "scale_results" and d["key"] == "band" for d in archive["definitions"])
    text = response.text
    for secret in ("password_hash", "argon2", "token_hash", "code_hash", "secret-endpoint", "p256dh-secret",
                   "auth-secret"):
        assert secret not in text


async def test_the_archive_says_when_a_session_was_logged_who_ended_a_share_and_each_failed_sign_in(
        patient, full_journal, people, database):
    """A person asking for all their data expects these, and the archive left them out."""
    uid = user_id(database, "pat@example.com")
    # Recorded against the address before the account was made (still inside the throttle's
    # window, so not yet pruned), and against another address.
    made = database.execute("SELECT created_at FROM users WHERE id = ?", (uid,)).fetchone()[0]
    before = iso(datetime.strptime(made, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) - timedelta(seconds=1))
    database.execute("INSERT INTO signin_failures (email, ip, at) VALUES ('pat@example.com', '10.0.0.9', ?)",
                     (before,))
    database.commit()
    for email in ("pat@example.com", "someone@example.com"):
        assert (await people(email).sign_in("not the password")).status_code == 401
    assert (await full_journal.post(f"/caregiver/patients/{uid}/stop")).status_code == 303
    archive = json.loads((await patient.get("/account/data/archive.json")).content)
    assert archive["treatment_sessions"][0]["log"]["created_at"] == "2026-01-01T12:00:00Z"
    assert [(g["viewer_email"], g["ended_by"]) for g in archive["shared_with"]] == [("carer@example.com", "grantee")]
    failed = archive["failed_sign_ins"]
    assert [sorted(f) for f in failed] == [["at", "id", "ip"]] and failed[0]["ip"] == "127.0.0.1"
    assert failed[0]["at"] >= archive["account"]["created_at"]
    mine = json.loads((await full_journal.get("/account/data/archive.json")).content)
    assert [g["ended_by"] for g in mine["shared_with_me"]] == ["grantee"] and mine["failed_sign_ins"] == []


def keys_in(value: object, prefix: str = "") -> set[str]:
    """The keys of an archive entry, those inside a field holding an object written with a dot."""
    if not isinstance(value, dict):
        return set()
    return {f"{prefix}{key}" for key in value} | {
        found for key, inner in value.items() for found in keys_in(inner, f"{prefix}{key}.")}


async def test_the_archive_explains_every_key_it_holds(patient, full_journal, people, database):
    """Walks real archives, the patient's with something in every section and their caregiver's
    (shared_with_me): each key, nested ones too (a session log's fields, question and side-effect
    codes), has a meaning in definitions, and so do the archive's own keys."""
    uid = user_id(database, "pat@example.com")
    database.execute("INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, 'hash', '2026-01-01')",
                     (uid,))
    database.commit()
    await patient.post("/reminders/settings", {"checkin_enabled": "true", "checkin_time": "21:15", "eve_time": "18:30",
                                               "lead_minutes": "90", "scale_time": "09:00"})
    seed_session(database, "pat@example.com", "2026-03-05T15:00:00Z", "done", note="ok",
                 effects={key: "mild" for key, _ in SIDE_EFFECTS})
    seed_scale(database, "pat@example.com", date(2026, 3, 8), 5, instrument="gad7")
    assert (await people("pat@example.com").sign_in("not the password")).status_code == 401
    archives = [json.loads((await person.get("/account/data/archive.json")).content) for person in (patient, full_journal)]
    defined = {(d["section"], d["key"]) for d in archives[0]["definitions"]}
    sections = [key for key in archives[0] if key not in ("format", "exported_at", "definitions")]
    empty = [name for name in sections if name not in ("account", "shared_with_me") and not archives[0][name]]
    assert empty == [] and archives[1]["shared_with_me"], "a section the walk would not see"
    assert {("", key) for key in archives[0]} <= defined
    for archive in archives:
        for name in sections:
            entries = [archive[name]] if name == "account" else archive[name]
            missing = {key for entry in entries for key in keys_in(entry)} - {k for s, k in defined if s == name}
            assert missing == set(), name


async def test_the_archive_of_a_caregiver_holds_their_grants_and_no_journal(patient, full_journal):
    archive = json.loads((await full_journal.get("/account/data/archive.json")).content)
    assert archive["account"]["role"] == "caregiver" and archive["checkins"] == []
    assert archive["removed_notification_devices"] == []
    assert archive["shared_with_me"][0]["patient_email"] == "pat@example.com"


async def test_deleting_needs_the_password_and_the_confirmation(patient, database):
    for form, field in (({"password": PASSWORD}, "Tick the box"), ({"password": "wrong password", "confirm": "true"},
                                                                   "That isn&#39;t your password")):
        response = await patient.post("/account/delete", form)
        assert response.status_code == 422 and field in response.text
    assert database.execute("SELECT count(*) FROM users").fetchone()[0] == 1


async def test_an_empty_delete_form_names_both_missing_answers_at_once(patient):
    # Without this, an empty password hid the unticked box: fixing it only led to a second refusal.
    response = await patient.post("/account/delete", {})
    assert response.status_code == 422
    assert "Enter your password to confirm it&#39;s you." in response.text and "Tick the box" in response.text


async def test_a_mistyped_password_keeps_the_box_the_person_ticked(patient, database):
    response = await patient.post("/account/delete", {"password": "wrong password", "confirm": "true"})
    assert response.status_code == 422 and "That isn&#39;t your password" in response.text
    assert re.search(r'<input type="checkbox" id="confirm" name="confirm" value="true" checked', response.text)
    assert 'type="password" autocomplete="current-password"' in response.text and "wrong password" not in response.text
    # Unticked, it comes back unticked.
    response = await patient.post("/account/delete", {"password": PASSWORD})
    assert re.search(r'<input type="checkbox" id="confirm" name="confirm" value="true"\s+(?!checked)', response.text)
    assert database.execute("SELECT count(*) FROM users").fetchone()[0] == 1


async def test_deleting_removes_every_row_of_the_account_and_signs_out(patient, full_journal, database):
    uid = user_id(database, "pat@example.com")
    subject = database.execute("SELECT subject FROM audit_subjects WHERE user_id = ?", (uid,)).fetchone()[0]
    response = await patient.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    assert response.status_code == 200 and "Your account is deleted" in response.text
    assert "lift_session=" in response.headers["set-cookie"]
    # "storage" too: the offline queue and the safety plan kept on this phone go with the account.
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    for table, column in OWN_TABLES.items():
        assert database.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", (uid,)).fetchone()[0] == 0, table
    for table in ("scale_answers", "treatment_session_logs", "treatment_side_effects"):
        assert database.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert (await patient.get("/account")).status_code == 303
    # The caregiver's next request is refused: the grant went with the account.
    assert (await full_journal.get(f"/caregiver/patients/{uid}")).status_code == 404
    # Audit entries stay (they cannot be deleted), ending with the deletion, linked to nobody.
    kept = database.execute("SELECT action FROM audit_log WHERE subject = ? ORDER BY id", (subject,)).fetchall()
    assert [row[0] for row in kept][-1] == "delete_account" and "view" in [row[0] for row in kept]


async def test_no_table_in_the_schema_keeps_a_row_naming_the_deleted_account(app, patient, full_journal, database):
    # Read from the schema, not from a list: a table added later that names accounts is checked too.
    from lift.push.scheduler import replan

    uid = user_id(database, "pat@example.com")
    await replan(app.state, uid)
    await patient.post("/account/delete", {"password": "a wrong guess", "confirm": "true"})
    assert database.execute("SELECT count(*) FROM reminders WHERE user_id = ?", (uid,)).fetchone()[0] > 0
    assert database.execute("SELECT count(*) FROM signin_failures").fetchone()[0] == 1
    await patient.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    left, checked = rows_naming(database, uid, "pat@example.com")
    assert left == []
    assert checked >= len(OWN_TABLES)


async def test_deleted_words_are_gone_from_the_database_files_not_only_from_its_tables(patient, settings):
    # SQLite keeps a deleted row's bytes in free space and old WAL frames until they happen to be
    # overwritten; anyone with the files (or a copy of the server's disk) could read them.
    words = "Zebra quokka words only this patient wrote"
    await patient.check_in(note=words)
    await patient.post("/safety-plan", {"coping": words})
    await patient.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    for path in (settings.database_path, Path(f"{settings.database_path}-wal")):
        if path.exists():
            stored = path.read_bytes()
            assert words.encode() not in stored and b"pat@example.com" not in stored, path.name


async def test_a_new_account_never_inherits_a_deleted_accounts_audit_entries(patient, full_journal, people,
                                                                             database):
    late = people("late@example.com")
    await late.sign_up()
    late_id = user_id(database, "late@example.com")
    path, _ = await invite(late)
    assert (await full_journal.post(f"{path}/accept")).status_code == 303
    assert (await full_journal.get(f"/caregiver/patients/{late_id}")).status_code == 200
    await late.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    newcomer = people("new@example.com")
    await newcomer.sign_up()
    # SQLite hands the highest deleted id to the next account: the log must not follow the id.
    assert user_id(database, "new@example.com") == late_id
    page = await newcomer.get("/sharing/audit")
    assert "carer@example.com" not in page.text and "Nothing yet" in page.text


async def test_a_caregiver_deleting_their_account_ends_their_access_and_tells_the_patient(patient, full_journal,
                                                                                          database):
    response = await full_journal.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    assert response.status_code == 200
    assert database.execute("SELECT count(*) FROM share_grants").fetchone()[0] == 0
    page = await patient.get("/sharing/audit")
    assert "carer@example.com (caregiver) deleted their Lift account" in page.text
    assert "carer@example.com (caregiver) looked at your summary." in page.text


async def test_a_caregivers_pages_say_what_deleting_and_downloading_mean_for_them(patient, full_journal):
    carer = full_journal
    page = (await carer.get("/account/delete")).text
    # A caregiver has no reminders or calendar link, and their address stays in each patient's log
    # (test_a_caregiver_deleting_their_account_ends_their_access_and_tells_the_patient): the page
    # said both were otherwise.
    assert "calendar link" not in page and "no longer point to you" not in page
    assert "it keeps your email address beside what you looked at and when" in page
    data = (await carer.get("/account/data")).text
    # Their archive has no log of who looked (only patients have one).
    assert "log of who looked" not in data and "whose journals are shared with you" in data
    account = (await carer.get("/account")).text
    # Their tab bar calls the page Account; it said More, and spoke of reminders they cannot have.
    assert "<title>Account · Lift</title>" in account and "<h1>Account</h1>" in account
    assert "reminders" not in account.lower()


async def test_the_delete_page_says_backups_hold_the_account_until_they_are_deleted(patient, full_journal):
    """It said "Lift can't bring it back", but the backups docs/operations.md has whoever runs Lift
    keep hold the account until each is deleted (and a restore would bring it back)."""
    for person in (patient, full_journal):
        page = unescape((await person.get("/account/delete")).text)
        assert "can't bring it back" not in page
        assert ("Whoever runs Lift keeps backup copies in case the server fails. Those made before today "
                "still hold your account until they're deleted, after a set time.") in page
    operations = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    assert "backups made before that day keep their account\nuntil they are deleted, after a set time" in operations
    assert "A restore undoes everything since the backup was made" in operations


async def test_a_patients_pages_keep_their_journal_wording(patient):
    assert "calendar link" in (await patient.get("/account/delete")).text
    assert "the log of who looked" in (await patient.get("/account/data")).text
    account = (await patient.get("/account")).text
    assert "<h1>More</h1>" in account and "Signing out also stops reminders on this device" in account


async def test_a_patient_reads_what_the_spreadsheets_open_in_not_their_file_standard(patient):
    """"CSV files (RFC 4180, UTF-8, with a header row)" told a patient nothing they could use."""
    data = (await patient.get("/account/data")).text
    assert "Spreadsheet files (CSV) that open in any spreadsheet app, Excel included." in data
    assert "RFC 4180" not in data and "UTF-8" not in data


async def test_the_names_a_patient_gave_invitations_go_with_the_account(patient, people, database):
    # Audit entries outlive the account; the names typed for invitations are the patient's own
    # words, and were copied into them.
    path, _ = await invite(patient, "caregiver", label="Mum Quokka")
    await join(people("carer@example.com"), path)
    await invite(patient, "clinician", label="Dr Quokka at Riverside ketamine clinic")
    pending = database.execute("SELECT id FROM share_invitations WHERE used_at IS NULL").fetchone()[0]
    assert (await patient.post(f"/sharing/invitations/{pending}/withdraw")).status_code in (200, 303)
    # While the account exists, its log and archive still say which invitation was which.
    log = (await patient.get("/sharing/audit")).text
    assert "You invited a caregiver (Mum Quokka)." in log
    assert "You withdrew an invitation for a clinician (Dr Quokka at Riverside ketamine clinic)." in log
    archive = json.loads((await patient.get("/account/data/archive.json")).content)
    assert {e["detail"] for e in archive["audit_log"] if e["action"] in ("invite", "withdraw")} == {
        "Mum Quokka", "Dr Quokka at Riverside ketamine clinic"}
    await patient.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    left = database.execute("SELECT * FROM audit_log").fetchall()
    assert left and not [tuple(row) for row in left if "Quokka" in repr(tuple(row))]
    # A later patient whose invitation reuses an id never sees the deleted one's entries or names.
    late = people("late@example.com")
    await late.sign_up()
    await invite(late, "caregiver", label="Brother")
    assert "Quokka" not in (await late.get("/sharing/audit")).text
