"""Sharing rules without a database: scopes, invitations, codes, the panel, the audit log in
words, and the caregiver guidance (in Lift's own words, with its sources)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from lift.domain import crisis, scales, sharing, treatment, trends
from lift.domain.checkins import Checkin
from lift.domain.education import SOURCES
from lift.domain.forms import parse_form
from lift.domain.sharing import AuditEntry, Invitation, PanelRow, Scope
from tests.copying import reworded_sentences, seed_sentences
from tests.data.make_seed_shingles import shingle_hashes

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
SHINGLES = Path(__file__).resolve().parents[1] / "data" / "seed_shingles.txt"


def invitation(**changes) -> Invitation:
    fields = dict(id=1, patient_id=1, patient_email="p@example.com", role="caregiver",
                  scope=sharing.scope_for("caregiver"), label="", created_at=NOW - timedelta(days=1),
                  expires_at=sharing.invitation_expiry(NOW - timedelta(days=1)))
    fields.update(changes)
    return Invitation(**fields)


def test_a_clinician_scope_is_always_everything():
    assert sharing.scope_for("clinician", notes=False, thoughts=False) == Scope(role="clinician", notes=True,
                                                                                 thoughts=True)
    assert sharing.visibility(sharing.scope_for("clinician")) == sharing.OWNER


def test_a_caregiver_sees_a_summary_with_notes_and_thoughts_off_by_default():
    seen = sharing.visibility(sharing.scope_for("caregiver"))
    assert seen.checkin_done and seen.mood_anxiety and seen.scale_bands and seen.upcoming_sessions
    assert not (seen.notes or seen.thoughts or seen.sleep or seen.scale_totals or seen.session_logs
                or seen.report or seen.export)


@pytest.mark.parametrize("notes, thoughts", [(True, False), (False, True), (True, True)])
def test_notes_and_thoughts_are_switched_separately_for_a_caregiver(notes, thoughts):
    seen = sharing.visibility(sharing.scope_for("caregiver", notes, thoughts))
    assert (seen.notes, seen.thoughts) == (notes, thoughts)
    assert not seen.scale_totals and not seen.export


def test_a_patient_has_no_sharing_scope():
    with pytest.raises(ValueError):
        sharing.scope_for("patient")


def test_a_shared_day_hides_exactly_what_the_scope_hides():
    checkin = Checkin(id=1, local_date=date(2026, 5, 1), mood=4, anxiety=6, sleep_hours=7.5, thoughts=2,
                      note="private words", updated_at="2026-05-01T10:00:00Z")
    summary = sharing.shared_day(checkin, sharing.visibility(sharing.scope_for("caregiver")))
    assert (summary.mood, summary.anxiety) == (4, 6)
    assert summary.note is None and summary.thoughts is None and summary.sleep_hours is None
    full = sharing.shared_day(checkin, sharing.visibility(sharing.scope_for("clinician")))
    assert (full.note, full.thoughts, full.sleep_hours) == ("private words", 2, 7.5)


def test_it_describes_what_a_caregiver_will_and_will_not_see():
    sees, hidden = sharing.describe(sharing.scope_for("caregiver", notes=True))
    assert "Your check-in notes" in sees
    assert "Your answers about thoughts of death or suicide" in hidden
    assert sharing.scope_text(sharing.scope_for("caregiver")) == "Summary only"
    assert sharing.scope_text(sharing.scope_for("caregiver", True, True)) == "Summary with notes and thoughts answers"


def test_the_invitee_is_told_what_they_will_see_of_the_patients_journal():
    sees, hidden = sharing.describe_to_invitee(sharing.scope_for("caregiver", notes=True))
    assert sees[:2] == ["Whether they checked in each day", "Their mood and anxiety trend"]
    assert "Their check-in notes" in sees and "Their answers about thoughts of death or suicide" in hidden
    sees, hidden = sharing.describe_to_invitee(sharing.scope_for("clinician"))
    assert hidden == ["Their safety plan, reminders and account settings"]
    assert not re.search(r"\byour?\b", " ".join(sees + hidden), re.IGNORECASE)


def test_a_caregivers_summary_says_what_the_patient_keeps_back():
    assert sharing.not_shared_text(sharing.scope_for("caregiver")) == (
        "Not shared with you: sleep, scores, session logs and side effects, their safety plan; their check-in"
        " notes; their answers about thoughts of death or suicide.")
    assert sharing.not_shared_text(sharing.scope_for("caregiver", True, True)) == (
        "Not shared with you: sleep, scores, session logs and side effects, their safety plan.")


def test_an_invitation_works_for_seven_days():
    assert sharing.invitation_expiry(NOW) == NOW + timedelta(days=7)
    assert sharing.invitation_problem(invitation(), NOW) is None
    expired = invitation(created_at=NOW - timedelta(days=7), expires_at=NOW)
    assert sharing.invitation_problem(expired, NOW) == "expired"
    assert sharing.invitation_problem(expired, NOW - timedelta(seconds=1)) is None


def test_an_invitation_is_single_use_and_can_be_withdrawn():
    assert sharing.invitation_problem(invitation(used_at=NOW), NOW) == "used"
    assert sharing.invitation_problem(invitation(withdrawn_at=NOW), NOW) == "withdrawn"
    assert sharing.invitation_problem(None, NOW) == "unknown"


def test_dead_invitation_messages_say_nothing_about_the_patient():
    for message in sharing.INVITATION_PROBLEMS.values():
        assert "@" not in message and "{" not in message


def test_only_the_matching_kind_of_account_can_accept():
    assert sharing.role_problem(invitation(), "caregiver") is None
    assert "caregiver account" in sharing.role_problem(invitation(), "patient")
    assert "caregiver account" in sharing.role_problem(invitation(), "clinician")


@pytest.mark.parametrize("typed, code", [
    ("7KQ2-M9XD", "7KQ2M9XD"), ("7kq2 m9xd", "7KQ2M9XD"), (" 7KQ2M9XD ", "7KQ2M9XD"),
    ("OIL2-M9XD", "0112M9XD"),  # letters that look like digits are read as the digits
])
def test_it_reads_a_short_code_however_it_was_typed(typed, code):
    assert sharing.normalise_code(typed) == code
    assert sharing.format_code(code) == f"{code[:4]}-{code[4:]}"


@pytest.mark.parametrize("typed", ["", "7KQ2-M9X", "7KQ2-M9XDD", "7KQ2-M9XU", "x" * 43])
def test_it_refuses_anything_that_is_not_a_short_code(typed):
    assert sharing.normalise_code(typed) is None


def test_a_code_never_contains_letters_people_misread():
    assert not set("ILOU") & set(sharing.CODE_ALPHABET)
    assert len(sharing.CODE_ALPHABET) == 32


def test_the_thoughts_flag_covers_the_last_14_local_days():
    today = date(2026, 5, 20)
    assert sharing.thoughts_flag([(today - timedelta(days=13), 1)], today)
    assert not sharing.thoughts_flag([(today - timedelta(days=14), 3)], today)
    assert not sharing.thoughts_flag([(today, 0), (today - timedelta(days=1), 0)], today)


def test_adherence_counts_distinct_days_in_the_window():
    today = date(2026, 5, 20)
    days = [today, today, today - timedelta(days=29), today - timedelta(days=30)]
    assert sharing.checkin_days(days, today) == 2


def result(id_, day, total, instrument="phq9", baseline=False):
    band = scales.band_for(scales.INSTRUMENTS[instrument], total).key
    return scales.ScaleResult(id=id_, instrument=instrument, local_date=day, total=total, band=band,
                              is_baseline=baseline)


def test_the_latest_score_has_its_band_and_change_from_baseline():
    results = [result(1, date(2026, 4, 1), 18), result(2, date(2026, 5, 1), 9)]
    latest = sharing.latest_score(results, scales.PHQ9)
    assert (latest.total, latest.band_label, latest.change) == (9, "Mild", -9)
    assert latest.change_text == "down 9 points (50%)"
    assert sharing.latest_score(results, scales.GAD7) is None
    only = sharing.latest_score(results[:1], scales.PHQ9)
    assert only.change is None and only.change_text is None


def score(total, change=None) -> sharing.LatestScore:
    return sharing.LatestScore(total=total, band_key="mild", band_label="Mild", local_date=date(2026, 5, 1),
                               change=change, change_text=None if change is None else scales.change_text(change, None))


def row(email, phq9=None, flag=False, days=0, last=None, quiet=0, change=None, counted=30,
        today=False) -> PanelRow:
    latest = None if phq9 is None else score(phq9, change)
    return PanelRow(patient_id=hash(email) % 1000, email=email, last_checkin=last, phq9=latest, gad7=None,
                    checkin_days=days, window=30, thoughts_flag=flag, days_since_checkin=quiet,
                    concerns=sharing.attention(flag, quiet, latest, None), counted=counted,
                    checked_in_today=today)


def test_the_panel_sorts_by_any_column_with_missing_values_last():
    rows = [row("b@x.org", phq9=5), row("a@x.org"), row("c@x.org", phq9=20, flag=True), row("d@x.org", phq9=12)]
    assert [r.email for r in sharing.sort_panel(rows, "phq9", True)] == ["c@x.org", "d@x.org", "b@x.org", "a@x.org"]
    assert [r.email for r in sharing.sort_panel(rows, "phq9", False)] == ["b@x.org", "d@x.org", "c@x.org", "a@x.org"]
    assert [r.email for r in sharing.sort_panel(rows, "patient", False)] == ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
    assert sharing.sort_panel(rows, "attention", True)[0].email == "c@x.org"


def test_the_attention_sort_orders_every_row_by_flag_then_phq9_in_either_direction():
    rows = [row("amy@x.org", phq9=3), row("bob@x.org", phq9=26), row("cat@x.org", phq9=10, flag=True),
            row("dan@x.org", phq9=20, flag=True), row("eve@x.org", flag=True), row("fay@x.org")]
    assert [r.email[:3] for r in sharing.sort_panel(rows, "attention", True)] == ["dan", "cat", "eve", "bob", "amy",
                                                                                  "fay"]
    assert [r.email[:3] for r in sharing.sort_panel(rows, "attention", False)] == ["amy", "bob", "fay", "cat", "dan",
                                                                                   "eve"]


def test_the_attention_sort_puts_thoughts_then_worsening_then_quiet_patients_first():
    rows = [row("amy@x.org", phq9=26), row("bob@x.org", phq9=4, quiet=9), row("cat@x.org", phq9=12, change=6),
            row("dan@x.org", phq9=2, flag=True), row("eve@x.org", phq9=11, change=5, quiet=7)]
    assert [r.email[:3] for r in sharing.sort_panel(rows, "attention", True)] == ["dan", "eve", "cat", "bob", "amy"]


def test_the_panel_counts_a_new_patients_check_ins_over_their_days_with_lift():
    today = date(2026, 5, 20)
    days = {today, today - timedelta(days=2)}
    counted = sharing.days_counted(days, today, today - timedelta(days=4))
    assert counted == 5 and sharing.checkin_days(days, today, counted) == 2
    assert sharing.panel_checkin_text(2, counted) == "2 of their first 5 days"
    assert sharing.panel_checkin_text(20, 30) == "20 of 30 days"
    assert sharing.panel_checkin_text(0, sharing.days_counted((), today, today)) == "Joined today, none yet"
    assert sharing.panel_checkin_text(1, 1) == "Joined today, checked in"
    assert row("a@x.org", days=2, counted=5).checkin_text == "2 of their first 5 days"


def test_the_check_ins_sort_goes_by_how_often_a_patient_checked_in_not_how_many_times():
    rows = [row("amy@x.org", days=20, counted=30, today=True),  # 20 of 30 days
            row("bob@x.org", days=2, counted=2, today=True),  # 2 of their first 2 days
            row("cat@x.org", days=1, counted=2),  # yesterday, not yet today: 1 of 1 so far
            row("dan@x.org", days=0, counted=1),  # joined today, none yet: nothing missed
            row("eve@x.org", days=0, counted=30),
            row("fay@x.org", days=0, counted=3),  # 0 of 2 finished days: fewer missed than eve
            row("gus@x.org", days=3, counted=30)]
    assert [r.email[:3] for r in sharing.sort_panel(rows, "adherence", False)] == [
        "eve", "fay", "gus", "amy", "dan", "cat", "bob"]
    assert [r.email[:3] for r in sharing.sort_panel(rows, "adherence", True)] == [
        "bob", "cat", "dan", "amy", "gus", "fay", "eve"]
    assert sharing.SORT_DIRECTIONS["adherence"] == ("least often first", "most often first")


def test_a_patient_who_joined_today_with_no_check_in_has_missed_nothing_in_the_check_ins_sort():
    # They were sorted last both ways: under 0 of 30 days with "most often first".
    new, lapsed = row("new@x.org", days=0, counted=1), row("old@x.org", days=0, counted=30)
    fair, done_today = row("ann@x.org", days=20, counted=30), row("joy@x.org", days=1, counted=1, today=True)
    rows = [new, lapsed, fair, done_today]
    assert sharing.sort_panel(rows, "adherence", False) == [lapsed, fair, new, done_today]
    assert sharing.sort_panel(rows, "adherence", True) == [done_today, new, fair, lapsed]


def test_a_patient_with_no_check_in_yet_is_quiet_once_5_days_have_passed_from_the_day_they_joined():
    assert sharing.attention(False, None, None, None, (), 0) == ()  # joined today: today isn't over
    assert sharing.attention(False, None, None, None, (), 3) == ()
    assert [c.text for c in sharing.attention(False, None, None, None, (), 4)] == ["No check-ins yet"]
    assert [c.text for c in sharing.attention(False, None, None, None, (), 40)] == ["No check-ins yet"]


def phq9_series(*totals: int) -> list[scales.ScaleResult]:
    """Weekly PHQ-9 results from Fri 1 May 2026, the first one the baseline."""
    return [scales.ScaleResult(id=i, instrument="phq9", local_date=date(2026, 5, 1) + timedelta(days=7 * i),
                               total=total, band="", is_baseline=i == 0) for i, total in enumerate(totals)]


def test_a_rise_after_improving_needs_attention_even_below_baseline():
    latest = sharing.latest_score(phq9_series(20, 6, 5, 5, 11), scales.PHQ9)
    assert (latest.change, latest.lowest, latest.lowest_date) == (-9, 5, date(2026, 5, 22))
    assert [c.text for c in sharing.attention(False, 0, latest, None)] == [
        "PHQ-9 up 6 points from its lowest, 5 on Fri 22 May 2026"]
    # A rise too small to matter says nothing; one that shows against baseline is said once, that way.
    assert sharing.attention(False, 0, sharing.latest_score(phq9_series(20, 6, 5, 9), scales.PHQ9), None) == ()
    worse = sharing.latest_score(phq9_series(20, 6, 5, 26), scales.PHQ9)
    assert [c.text for c in sharing.attention(False, 0, worse, None)] == ["PHQ-9 up 6 points (30%) from baseline"]
    assert sharing.latest_score(phq9_series(20, 6, 5, 5), scales.PHQ9).lowest is None


def test_a_patient_needs_attention_for_thoughts_a_real_rise_or_going_quiet():
    assert sharing.attention(False, 0, score(20, -4), None) == ()
    assert [c.text for c in sharing.attention(True, 4, score(21, 9), score(15, 4))] == [
        "Thoughts reported", "PHQ-9 up 9 points from baseline", "GAD-7 up 4 points from baseline"]
    assert sharing.attention(False, 0, score(16, 4), score(9, 3)) == ()  # rises too small to matter
    assert [c.text for c in sharing.attention(False, 5, None, None)] == ["No check-in for 5 days"]
    assert sharing.attention(False, 4, None, None) == ()
    assert [c.text for c in sharing.attention(False, None, None, None)] == ["No check-ins yet"]


def test_days_since_the_last_check_in_read_plainly():
    today = date(2026, 5, 20)
    assert sharing.days_since(date(2026, 5, 11), today) == 9 and sharing.days_since(None, today) is None
    assert sharing.days_since(date(2026, 5, 21), today) == 0  # checked in before moving west
    assert [sharing.days_ago(n) for n in (0, 1, 9)] == ["today", "yesterday", "9 days ago"]


def test_the_panel_shows_needs_attention_beside_the_name_and_words_every_sort_order():
    assert list(sharing.SORTS)[:2] == ["patient", "attention"]  # both on a phone's first screen
    assert sharing.SORT_DIRECTIONS.keys() == sharing.SORTS.keys()


def test_the_patient_sort_goes_by_the_clinicians_name_for_a_patient_where_they_gave_one():
    rows = [row("zed@x.org"), row("amy@x.org"), msgspec.structs.replace(row("bob@x.org"), label="Zoe Adams"),
            msgspec.structs.replace(row("cat@x.org"), label="ben (MRN 12)")]
    assert [r.shown_as for r in sharing.sort_panel(rows, "patient", False)] == [
        "amy@x.org", "ben (MRN 12)", "zed@x.org", "Zoe Adams"]
    assert [r.email for r in sharing.sort_panel(rows, "patient", True)] == ["bob@x.org", "zed@x.org", "cat@x.org",
                                                                            "amy@x.org"]
    # Rows alike in another column stay in that same order, as the clinician knows them.
    assert [r.shown_as for r in sharing.sort_panel(rows, "phq9", True)] == [
        "amy@x.org", "ben (MRN 12)", "zed@x.org", "Zoe Adams"]


def name_form(typed: str):
    return parse_form(sharing.GranteeLabelForm, {"name": typed}, sharing.GRANTEE_LABEL_MESSAGES)


@pytest.mark.parametrize("typed, kept", [
    ("Mum", "Mum"), ("  Jane Doe  ", "Jane Doe"), ("MRN 0042 · Jane", "MRN 0042 · Jane"), ("أمي", "أمي"),
    ("x" * 80, "x" * 80), ("", ""), ("   ", ""), ("\r\nMum\r\n", "Mum"),
])
def test_a_name_for_a_patient_is_trimmed_up_to_80_characters_and_empty_removes_it(typed, kept):
    form, errors = name_form(typed)
    assert errors == {} and form.name == kept
    assert parse_form(sharing.GranteeLabelForm, {}, sharing.GRANTEE_LABEL_MESSAGES)[0].name == ""


@pytest.mark.parametrize("typed", ["x" * 81, "Mum\tand Dad", "Jane\nDoe", "Jane\x00", "\x1b[31mJane", "Jane\x85Doe",
                                   "Jane\u2028Doe", "Jane\x7f"])
def test_a_name_for_a_patient_is_one_line_of_at_most_80_characters(typed):
    form, errors = name_form(typed)
    assert form is None
    assert errors == {"name": "Keep the name to 80 characters or fewer, on one line, or leave it empty to remove it."}


def test_an_unknown_sort_falls_back_to_attention_first():
    assert sharing.sort_choice("nonsense", "sideways") == ("attention", True)
    assert sharing.sort_choice("patient", None) == ("patient", False)
    assert sharing.sort_choice("phq9", "asc") == ("phq9", False)


def entry(action, what="", detail="", role="caregiver", email="sam@example.com") -> AuditEntry:
    return AuditEntry(id=1, at=NOW, actor_role=role, actor_email=email, action=action, what=what, detail=detail)


def test_the_audit_log_reads_as_who_saw_what():
    assert sharing.audit_sentence(entry("view", "summary")) == "sam@example.com (caregiver) looked at your summary."
    assert (sharing.audit_sentence(entry("export", "checkins", "2026-05-01 to 2026-05-20", "clinician"))
            == "sam@example.com (clinician) downloaded your check-ins as a CSV file (2026-05-01 to 2026-05-20).")
    assert (sharing.audit_sentence(entry("revoke", "caregiver", "sam@example.com", "patient", ""))
            == "You stopped sharing with sam@example.com.")
    assert "deleted their Lift account" in sharing.audit_sentence(entry("revoke", "account_deleted"))


def test_stopping_sharing_and_changing_what_they_see_name_them_as_the_patient_did():
    """"You stopped sharing with alex@example.com", on a log whose other lines say "Alex (partner)"."""
    stopped = msgspec.structs.replace(entry("revoke", "caregiver", "alex@example.com", "patient", ""),
                                      subject_label="Alex (partner)")
    assert sharing.audit_sentence(stopped) == "You stopped sharing with Alex (partner) (alex@example.com)."
    changed = msgspec.structs.replace(entry("scope", "caregiver", "alex@example.com: Summary with notes", "patient", ""),
                                      subject_label="Alex (partner)")
    assert (sharing.audit_sentence(changed)
            == "You changed what Alex (partner) (alex@example.com) can see: Summary with notes.")
    # Shared with no name, they are their address, as on the Sharing page.
    assert (sharing.audit_sentence(entry("scope", "caregiver", "alex@example.com: Summary only", "patient", ""))
            == "You changed what alex@example.com can see: Summary only.")


def test_a_deleted_account_is_named_as_the_patient_named_them_when_the_invitation_still_says():
    # detail is the name on the invitation they accepted, read while the patient's account exists.
    assert (sharing.audit_sentence(entry("revoke", sharing.ACCOUNT_DELETED, "Mum"))
            == "Mum (sam@example.com, caregiver) deleted their Lift account, so they can no longer see your journal.")
    assert (sharing.audit_sentence(entry("revoke", sharing.ACCOUNT_DELETED, role="clinician"))
            == "sam@example.com (clinician) deleted their Lift account, so they can no longer see your journal.")


def test_a_deleted_account_that_had_ended_its_own_access_says_both_and_the_patients_own_deletion_stays():
    assert (sharing.audit_sentence(entry("delete_account", detail="Mum"))
            == "Mum (sam@example.com, caregiver) deleted their Lift account, after ending their own access "
               "to your journal.")
    assert (sharing.audit_sentence(entry("delete_account", role="clinician"))
            == "sam@example.com (clinician) deleted their Lift account, after ending their own access to your journal.")
    assert sharing.audit_sentence(entry("delete_account", role="patient", email="")) == "The account was deleted."


def test_a_changed_sign_in_address_says_the_old_one_beside_the_new():
    changed = AuditEntry(id=1, at=NOW, actor_role="caregiver", actor_email="sam@new.example", action="grant",
                         what=sharing.EMAIL_CHANGED, detail="sam@example.com", actor_label="Mum")
    assert (sharing.audit_sentence(changed)
            == "Mum (sam@new.example, caregiver) changed the email address they sign in with (was sam@example.com).")


def test_shares_they_ended_and_accounts_they_deleted_are_one_list_newest_first():
    scope = sharing.scope_for("clinician")
    ended = sharing.Grant(id=1, patient_id=1, grantee_id=2, role="clinician", scope=scope, label="Dr Patel",
                          created_at=NOW - timedelta(days=9), grantee_email="doc@example.com",
                          ended_at=NOW - timedelta(days=2))
    deleted = [sharing.EndedShare(label="", email=f"{name}@example.com", role="caregiver",
                                  ended_at=NOW - timedelta(days=days), account_deleted=True)
               for name, days in (("sam", 1), ("kim", 3))]
    shares = sharing.ended_shares([ended], deleted)
    assert [(s.email, s.account_deleted) for s in shares] == [
        ("sam@example.com", True), ("doc@example.com", False), ("kim@example.com", True)]
    assert shares[1].label == "Dr Patel" and shares[1].role == "clinician"


def test_a_grantee_who_ended_their_own_access_is_not_said_to_have_deleted_their_account():
    ended = sharing.audit_sentence(entry("revoke", sharing.ENDED_BY_GRANTEE, role="clinician"))
    assert ended == ("sam@example.com (clinician) ended their own access to your journal, "
                     "so they can no longer see it.")
    assert "deleted" not in ended


def test_ending_ones_own_access_is_worded_for_each_role_and_says_what_happens():
    assert sharing.ENDINGS["clinician"].action == "Remove from my list"
    assert sharing.ENDINGS["caregiver"].action == "Stop seeing this journal"
    assert set(sharing.ENDINGS) == set(sharing.ROLES)
    facts = " ".join(sharing.ENDING_FACTS)
    for promise in ("at once", "Only they can share it with you again", "Nothing in their journal is deleted"):
        assert promise in facts


def test_the_audit_log_names_a_person_as_the_patient_labelled_them_with_their_address_beside():
    labelled = AuditEntry(id=1, at=NOW, actor_role="clinician", actor_email="dr@example.com", action="view",
                          what="timeline", detail="", actor_label="Dr Patel")
    assert sharing.audit_sentence(labelled) == "Dr Patel (dr@example.com, clinician) looked at your timeline."


def test_the_time_of_an_entry_is_shown_in_the_readers_zone():
    assert sharing.local_when(NOW, "America/New_York") == "Wed 20 May 2026, 08:00"
    assert sharing.local_when(NOW, "America/New_York", twelve_hour=True) == "Wed 20 May 2026, 8:00 AM"


def test_chart_sentences_about_the_patient_are_not_addressed_to_them():
    text = "Your latest PHQ-9 was 9 (mild range) on Wed 20 May: down 9 points (50%) from your baseline of 18."
    assert sharing.about_the_patient(text).startswith("The latest PHQ-9")
    assert "your" not in sharing.about_the_patient(text).lower()


def test_a_new_patients_chart_speaks_of_the_day_they_joined_about_them():
    today, joined = date(2026, 5, 20), date(2026, 5, 17)
    first, two_weeks = today - timedelta(days=13), trends.RANGES["14d"]
    history = [trends.DayValues(joined + timedelta(days=1), 4, 3, 7.0), trends.DayValues(today, 6, 3, 7.0)]
    chart = sharing.chart_about_the_patient(
        trends.daily_chart(trends.MOOD, history, first, today, today, two_weeks, trends.NO_SESSIONS, joined))
    assert chart.summary == "Mood averaged 5.0 this week, their first week with Lift."
    shared = sharing.about_the_patient(trends.charts_text(first, today, joined=joined))
    assert shared == "The charts start on Sun 17 May, the day they joined Lift."
    assert chart.x_labels[0] == "17 May" and len(chart.rows) == 4
    assert "No check-in" in [row[2] for row in chart.rows]  # a day since joining with none is still one
    empty = sharing.chart_about_the_patient(
        trends.daily_chart(trends.ANXIETY, [], first, today, today, two_weeks, trends.NO_SESSIONS, today))
    assert empty.summary.startswith("No anxiety check-ins since they joined.")
    phq9 = sharing.chart_about_the_patient(
        trends.scale_chart(scales.PHQ9, [], first, today, today, two_weeks, trends.NO_SESSIONS, joined))
    assert phq9.summary == "No PHQ-9 results in the last 2 weeks."
    for text in (chart.summary, empty.summary, phq9.summary, shared, *(row[2] for row in chart.rows)):
        assert not re.search(r"\byou(r)?\b", text, re.IGNORECASE), text


def test_charts_started_by_a_day_filled_in_before_joining_are_said_about_the_patient():
    today, joined, filled = date(2026, 5, 20), date(2026, 5, 17), date(2026, 5, 15)
    history = [trends.DayValues(filled, 4, 3, 7.0), trends.DayValues(today, 6, 3, 7.0)]
    chart = sharing.chart_about_the_patient(trends.daily_chart(
        trends.MOOD, history, today - timedelta(days=13), today, today, trends.RANGES["14d"],
        trends.NO_SESSIONS, joined, filled))
    assert chart.summary == "Mood averaged 5.0 this week, their first week with Lift."
    shared = sharing.about_the_patient(trends.charts_text(today - timedelta(days=13), today, joined=joined,
                                                          first_entry=filled))
    assert shared == "The charts start on Fri 15 May, the day of their first entry."
    for text in (chart.summary, shared, *(row[2] for row in chart.rows)):
        assert not re.search(r"\byou(r)?\b", text, re.IGNORECASE), text


def test_a_shared_tables_caption_is_not_addressed_to_the_patient():
    today = date(2026, 5, 20)
    chart = sharing.chart_about_the_patient(trends.daily_chart(
        trends.MOOD, [], today - timedelta(days=13), today, today, trends.RANGES["all"]))
    assert chart.table_caption == "Mood, all entries (7 to 20 May 2026)"


def test_a_reports_days_checked_in_count_only_from_the_patients_first_day():
    first, last = date(2026, 4, 21), date(2026, 5, 20)
    joined = date(2026, 5, 17)
    assert sharing.report_checkin_days([last], first, last, None) == ("1 of 30", "")
    assert sharing.report_checkin_days([last], first, last, date(2026, 1, 1)) == ("1 of 30", "")
    assert sharing.report_checkin_days([last], first, last, first) == ("1 of 30", "")
    assert sharing.report_checkin_days([date(2026, 5, 18), last], first, last, joined) == (
        "2 of 4", "since their first day with Lift, Sun 17 May 2026")
    # A day filled in from before they joined counts, and so does every day after it.
    assert sharing.report_checkin_days([date(2026, 5, 15), last], first, last, joined) == (
        "2 of 6", "since their first day with Lift, Fri 15 May 2026")
    assert sharing.report_checkin_days([], first, date(2026, 5, 10), joined) == (
        "None", "their first day with Lift, Sun 17 May 2026, came after this period")
    # A day filled in from before the period, and before they joined: every day of it counts.
    assert sharing.report_checkin_days([last], first, last, date(2026, 4, 25), date(2026, 4, 19)) == (
        "1 of 30", "")


def test_a_reports_title_starts_on_the_patients_first_day_when_the_period_began_before_it():
    """Joined on 30 Nov, the report on November was titled "Sun 1 Nov to Mon 30 Nov" while its
    charts start on 30 Nov: the title starts there too, and says why."""
    first, last = date(2026, 11, 1), date(2026, 11, 30)
    assert sharing.report_start(first, last, last) == (
        last, "It starts on the day they joined Lift; the period asked for began on Sun 1 Nov 2026.")
    # A day filled in from before they joined is their first day with Lift.
    assert sharing.report_start(first, last, last, date(2026, 11, 24)) == (
        date(2026, 11, 24), "It starts on the day of their first entry; the period asked for began on Sun 1 Nov 2026.")
    # With Lift since before the period, or on its first day, or unknown: the period as asked.
    for joined, first_entry in ((date(2026, 10, 2), None), (first, None), (None, None), (last, date(2026, 10, 9))):
        assert sharing.report_start(first, last, joined, first_entry) == (first, "")
    # A period that ended before they joined keeps its days (its charts say it ended before then).
    assert sharing.report_start(first, date(2026, 11, 20), last) == (first, "")


def test_every_piece_of_caregiver_guidance_cites_a_known_source_or_none():
    for item in sharing.CAREGIVER_GUIDANCE:
        assert item.source == "" or item.source in SOURCES
    assert any(item.source for item in sharing.CAREGIVER_GUIDANCE)


def test_caregiver_guidance_copies_no_run_of_8_words_from_a_source_document():
    hashes = {line.strip() for line in SHINGLES.read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")}
    for item in sharing.CAREGIVER_GUIDANCE:
        assert not shingle_hashes(f"{item.heading}\n{item.text}") & hashes, item.heading


def test_caregiver_guidance_keeps_no_source_sentence_with_words_swapped():
    seeds = seed_sentences()
    for item in sharing.CAREGIVER_GUIDANCE:
        assert not reworded_sentences(f"{item.heading}\n{item.text}", seeds), item.heading


def panel_session(days_ago, status="done", effects=None, bp_after="", back="1_2h") -> sharing.PanelSession:
    return sharing.PanelSession(patient_id=1, starts_at=datetime(2026, 5, 20, 15, tzinfo=UTC) - timedelta(days=days_ago),
                                status=status, side_effects=effects or {}, bp_after=bp_after, back_to_normal=back)


def test_a_session_the_patient_was_told_to_call_the_clinic_about_is_named_with_its_reasons():
    today = date(2026, 5, 20)
    [concern] = sharing.session_concerns([panel_session(1, effects={"bladder": "mild", "dizziness": "severe",
                                                                    "nausea": "moderate"},
                                                        bp_after="188/104", back="next_day")],
                                         "America/New_York", today)
    assert concern.kind == "session"
    assert concern.text == ("Session Tue 19 May: Dizziness severe, bladder pain (mild), BP after 188/104, "
                            "not back to normal until the next day")
    assert sharing.session_concerns([panel_session(2, effects={"nausea": "moderate"}, bp_after="150/95")],
                                    "America/New_York", today) == []


def test_session_warnings_follow_the_patients_contact_the_clinic_rule():
    cases = [({"dizziness": "severe"}, "", ""), ({"bladder": "mild"}, "", ""), ({}, "181/90", ""),
             ({}, "170/121", ""), ({}, "180/120", ""), ({}, "", "next_day"), ({}, "", "same_day"),
             ({"nausea": "moderate"}, "", "2_4h")]
    for effects, bp, back in cases:
        session = panel_session(3, effects=effects, bp_after=bp, back=back)
        patient_told = treatment.clinic_contact_reasons(effects, bp or None, back or None)
        assert bool(sharing.session_warnings(session, date(2026, 5, 17), date(2026, 5, 20))) == bool(patient_told)


def test_missed_sessions_count_within_the_patients_last_14_local_days():
    today = date(2026, 5, 20)
    concerns = sharing.session_concerns([panel_session(3, "missed"), panel_session(15, "missed")],
                                        "America/New_York", today)
    assert [c.text for c in concerns] == ["Missed session Sun 17 May"]
    # 23:30 UTC on the 19th is already the 20th in Auckland, the patient's today.
    late = sharing.PanelSession(patient_id=1, starts_at=datetime(2026, 5, 19, 23, 30, tzinfo=UTC), status="missed",
                                side_effects={}, bp_after="", back_to_normal="")
    assert [c.text for c in sharing.session_concerns([late], "Pacific/Auckland", today)] == [
        "Missed session Wed 20 May"]


def test_the_panel_writes_a_day_from_last_year_with_its_year():
    new_year = date(2027, 1, 2)
    missed = sharing.PanelSession(patient_id=1, starts_at=datetime(2026, 12, 30, 15, tzinfo=UTC), status="missed",
                                  side_effects={}, bp_after="", back_to_normal="")
    unlogged = msgspec.structs.replace(missed, starts_at=datetime(2027, 1, 1, 15, tzinfo=UTC), status="planned")
    assert [c.text for c in sharing.session_concerns([missed, unlogged], "America/New_York", new_year)] == [
        "Missed session Wed 30 Dec 2026", "Session Fri 1 Jan not logged yet"]
    latest = sharing.latest_score(phq9_series(20, 6, 5, 5, 11), scales.PHQ9)
    assert [c.text for c in sharing.attention(False, 0, latest, None, today=date(2026, 6, 1))] == [
        "PHQ-9 up 6 points from its lowest, 5 on Fri 22 May"]
    assert [c.text for c in sharing.attention(False, 0, latest, None, today=new_year)] == [
        "PHQ-9 up 6 points from its lowest, 5 on Fri 22 May 2026"]


def test_a_session_to_call_about_ranks_above_worsening_and_a_missed_one_above_going_quiet():
    call = sharing.Concern(kind="session", text="Session Tue 19 May: bladder pain (mild)")
    missed = sharing.Concern(kind="missed", text="Missed session Sun 17 May")
    rows = [row("amy@x.org", phq9=12, change=6), row("bob@x.org", phq9=4, quiet=8),
            msgspec.structs.replace(row("cat@x.org", phq9=3), concerns=sharing.attention(False, 0, None, None, [call])),
            msgspec.structs.replace(row("dan@x.org", phq9=3), concerns=sharing.attention(False, 0, None, None,
                                                                                       [missed]))]
    assert [r.email[:3] for r in sharing.sort_panel(rows, "attention", True)] == ["cat", "amy", "dan", "bob"]


def test_caregiver_guidance_points_to_the_deployments_first_crisis_line():
    us = crisis.CrisisResources(emergency_number="911", lines=[crisis.CrisisLine(name="988 Lifeline", call="988", text="988")])
    texts = " ".join(item.text for item in sharing.caregiver_guidance(us))
    assert "help them call or text 988 or contact their care team" in texts
    assert "{" not in texts


def test_planned_sessions_whose_day_passed_without_a_log_are_one_line_in_plain_words():
    today = date(2026, 5, 20)

    def unlogged(*days_ago: int) -> list[str]:
        sessions = [panel_session(n, "planned", back="") for n in days_ago]
        concerns = sharing.session_concerns(sessions, "America/New_York", today)
        return [c.text for c in concerns if c.kind == "unlogged"]

    assert unlogged(1) == ["Session Tue 19 May not logged yet"]
    assert unlogged(1, 4) == ["Sessions Sat 16 May and Tue 19 May not logged yet"]
    assert unlogged(8, 1, 4, 11) == ["4 sessions not logged yet, Sat 9 May to Tue 19 May"]
    # Today's session can still be logged today; one older than the panel's 14 days is history.
    assert unlogged(0) == [] and unlogged(14) == []
    # Logged sessions are weighed by what their log says, never as unlogged.
    logged = sharing.session_concerns([panel_session(1, "done"), panel_session(2, "missed")],
                                      "America/New_York", today)
    assert [c.kind for c in logged] == ["missed"]


def test_an_unlogged_session_is_listed_last_and_ranks_a_patient_only_above_those_with_nothing():
    unlogged = sharing.Concern(kind="unlogged", text="Session Tue 19 May not logged yet")
    missed = sharing.Concern(kind="missed", text="Missed session Sun 17 May")
    concerns = sharing.attention(False, 6, None, None, [unlogged, missed])
    assert [c.kind for c in concerns] == ["missed", "quiet", "unlogged"]
    rows = [row("amy@x.org", phq9=20), row("bob@x.org", phq9=4, quiet=8),
            msgspec.structs.replace(row("cat@x.org", phq9=3), concerns=sharing.attention(False, 0, None, None,
                                                                                       [unlogged]))]
    assert [r.email[:3] for r in sharing.sort_panel(rows, "attention", True)] == ["bob", "cat", "amy"]


def test_a_new_patients_check_ins_are_counted_from_joining_or_an_earlier_filled_in_day():
    today = date(2026, 5, 20)
    assert sharing.days_counted([], today, joined=None) == 30
    assert sharing.days_counted([], today, joined=today) == 1
    assert sharing.days_counted([today - timedelta(days=5)], today, joined=today - timedelta(days=2)) == 6
    assert sharing.days_counted([], today, joined=today - timedelta(days=90)) == 30
    assert sharing.checkin_count_text(1, 1) == "Checked in on their first day."
    assert sharing.checkin_count_text(0, 1) == "No check-in yet on their first day."
    assert sharing.checkin_count_text(3, 4) == "Checked in on 3 of their first 4 days."
    assert sharing.checkin_count_text(12, 30) == "Checked in on 12 of the last 30 days."


def test_an_accepted_invitation_names_the_role_not_the_address_after_as_a():
    named = AuditEntry(id=1, at=NOW, actor_role="caregiver", actor_email="sam@example.com", action="grant",
                       what="caregiver", detail="Summary only", actor_label="Mum")
    assert (sharing.audit_sentence(named)
            == "Mum (sam@example.com) accepted your invitation and can now see your journal as a caregiver"
               " (Summary only).")
    assert (sharing.audit_sentence(entry("grant", "clinician", role="clinician"))
            == "sam@example.com accepted your invitation and can now see your journal as a clinician.")


def look(minutes_before: int, what="panel", action="view", email="dr@example.com", detail="") -> AuditEntry:
    return AuditEntry(id=100 - minutes_before, at=NOW - timedelta(minutes=minutes_before), actor_role="clinician",
                      actor_email=email, action=action, what=what, detail=detail)


def test_a_run_of_looks_at_the_same_page_reads_as_one_line_with_how_many_and_the_first_time():
    # Newest first, as the log is read: four sorts of the panel.
    lines = sharing.audit_lines([look(0), look(3), look(12), look(21)], "UTC")
    assert [(line.times, line.entry.at, line.first_at) for line in lines] == [
        (4, NOW, NOW - timedelta(minutes=21))]
    text = sharing.audit_line_sentence(lines[0], "UTC")
    assert text == ("dr@example.com (clinician) looked at your row in their list of patients 4 times,"
                    f" the first at {NOW - timedelta(minutes=21):%H:%M}.")


def test_a_clinicians_looks_at_the_timeline_through_one_day_read_as_one_line():
    """Each look at the timeline was its own line, however many the same day: only looks within
    ten minutes of each other were folded."""
    hours = [0, 90, 180, 200]  # 12:00, 10:30, 09:00 and 08:40 on one day
    lines = sharing.audit_lines([look(minutes, what="timeline") for minutes in hours], "UTC")
    assert [(line.times, line.entry.at, line.first_at) for line in lines] == [
        (4, NOW, NOW - timedelta(minutes=200))]
    assert sharing.audit_line_sentence(lines[0], "UTC") == (
        "dr@example.com (clinician) looked at your timeline 4 times, the first at 08:40.")
    assert sharing.audit_line_sentence(lines[0], "UTC", twelve_hour=True).endswith("the first at 8:40 AM.")


def test_looks_on_another_day_or_at_another_page_or_by_someone_else_stay_apart():
    day = 24 * 60
    entries = [look(0), look(day), look(day + 1, what="timeline"), look(day + 2, email="other@example.com"),
               look(day + 3, detail="2026-05-01 to 2026-05-20"), look(day + 4, detail="2026-05-01 to 2026-05-19")]
    assert [line.times for line in sharing.audit_lines(entries, "UTC")] == [1, 1, 1, 1, 1, 1]


def test_looks_with_other_lines_between_them_on_the_same_day_still_fold_where_the_newest_is():
    """Only a run with no other line between was folded: a clinician moving between the timeline
    and their list left one line per look."""
    entries = [look(0, what="timeline"), look(5), look(10, what="timeline", action="export"),
               look(15, what="timeline"), look(20), look(25, email="carer@example.com"), look(30, what="timeline")]
    lines = sharing.audit_lines(entries, "UTC")
    assert [(line.entry.what, line.entry.action, line.times, line.first_at) for line in lines] == [
        ("timeline", "view", 3, NOW - timedelta(minutes=30)), ("panel", "view", 2, NOW - timedelta(minutes=20)),
        ("timeline", "export", 1, NOW - timedelta(minutes=10)), ("panel", "view", 1, NOW - timedelta(minutes=25))]
    assert lines[0].entry.at == NOW


def test_a_days_looks_fold_within_that_day_only_whatever_lies_between():
    day = 24 * 60
    entries = [look(0), look(5, what="timeline"), look(day), look(day + 5, what="timeline"), look(day + 10)]
    assert [(line.entry.what, line.times) for line in sharing.audit_lines(entries, "UTC")] == [
        ("panel", 1), ("timeline", 1), ("panel", 2), ("timeline", 1)]


def test_looks_under_one_address_by_two_people_sharing_one_after_the_other_stay_apart():
    """Mum ended her share and changed address; Uncle Joe signed up with her old one and was shared
    with the same day: their looks are two people's."""
    mum, joe = msgspec.structs.replace(look(30), actor_grant=1), msgspec.structs.replace(look(0), actor_grant=2)
    assert [line.times for line in sharing.audit_lines([joe, look(10), mum], "UTC")] == [1, 1, 1]


def test_entries_on_days_not_given_are_left_to_their_own_page():
    """Should the clock have gone back, a page's entries (read by id) hold other days' too."""
    yesterday = (NOW - timedelta(days=1)).date()
    entries = [look(0), look(24 * 60), look(24 * 60 + 5), look(5)]
    [line] = sharing.audit_lines(entries, "UTC", {yesterday})
    assert (line.times, line.entry.at, line.first_at) == (2, NOW - timedelta(days=1),
                                                         NOW - timedelta(days=1, minutes=5))
    assert [line.times for line in sharing.audit_lines(entries, "UTC", {NOW.date()})] == [2]


def test_downloads_and_sharing_changes_are_never_folded_together():
    entries = [look(0, what="checkins", action="export"), look(1, what="checkins", action="export"),
               look(2, what="caregiver", action="revoke"), look(3, what="caregiver", action="revoke")]
    assert [line.times for line in sharing.audit_lines(entries, "UTC")] == [1, 1, 1, 1]
    assert sharing.audit_line_sentence(sharing.audit_lines(entries, "UTC")[0], "UTC").endswith("as a CSV file.")


def test_the_day_a_run_keeps_to_is_the_readers_own():
    """Six minutes either side of midnight in UTC are two days there, and one evening in New York."""
    midnight = datetime(2026, 5, 21, 0, 3, tzinfo=UTC)
    run = [AuditEntry(id=2, at=midnight, actor_role="caregiver", actor_email="sam@example.com", action="view",
                      what="summary", detail=""),
           AuditEntry(id=1, at=midnight - timedelta(minutes=6), actor_role="caregiver",
                      actor_email="sam@example.com", action="view", what="summary", detail="")]
    assert [line.times for line in sharing.audit_lines(run, "UTC")] == [1, 1]
    [line] = sharing.audit_lines(run, "America/New_York")
    assert sharing.audit_line_sentence(line, "America/New_York") == (
        "sam@example.com (caregiver) looked at your summary 2 times, the first at 19:57.")


def test_each_source_of_the_caregiver_guidance_is_named_once_with_the_headings_it_backs():
    """It followed every piece: the same article three times over on a phone."""
    article, newsletter = SOURCES["001_bbfe915b9883af78.txt"], SOURCES["000_2ff687e3752922c8.txt"]
    assert sharing.guidance_sources(sharing.CAREGIVER_GUIDANCE) == (
        f"Source for “Treatment days”, “Side effects are usually brief” and “Ups and downs happen”: {article}.",
        f"Source for “Part of a wider plan”: {newsletter}.",
    )
    assert sharing.guidance_sources(()) == ()


def test_patients_are_known_by_a_key_that_sets_case_and_accents_aside():
    ordered = sorted([("zoe", "z@x.org"), ("Émile", "e@x.org"), ("", "Adam@x.org"), ("éva", "v@x.org"),
                      ("Eve", "w@x.org"), ("", "Ülla@x.org")], key=lambda pair: sharing.known_name_key(*pair))
    assert [label or email for label, email in ordered] == ["Adam@x.org", "Émile", "éva", "Eve", "Ülla@x.org", "zoe"]
    # The same name for two people: their addresses decide, the same way.
    assert sharing.known_name_key("Mum", "B@x.org") > sharing.known_name_key("mum", "a@x.org")


def daily(day: int, thoughts: int) -> Checkin:
    return Checkin(id=day, local_date=date(2026, 5, day), mood=5, anxiety=4, sleep_hours=7.0, thoughts=thoughts,
                   note="", updated_at="2026-05-01T10:00:00Z")


def test_the_report_lists_every_daily_thoughts_answer_above_none_newest_first():
    checkins = [daily(1, 0), daily(2, 1), daily(3, 0), daily(4, 3), daily(5, 2)]
    summary, reported = sharing.report_thoughts(checkins)
    assert summary == "3 of the 5 daily check-ins in this period reported thoughts of death or suicide."
    assert [(c.local_date.day, c.thoughts) for c in reported] == [(5, 2), (4, 3), (2, 1)]


@pytest.mark.parametrize("checkins, summary", [
    ([], "No daily check-ins in this period."),
    ([daily(1, 0)], "The one daily check-in in this period reported no thoughts of death or suicide."),
    ([daily(1, 1)], "The one daily check-in in this period reported thoughts of death or suicide."),
    ([daily(1, 0), daily(2, 0)], "None of the 2 daily check-ins in this period reported thoughts of death or suicide."),
])
def test_the_reports_thoughts_sentence_says_how_many_of_how_many(checkins, summary):
    assert sharing.report_thoughts(checkins)[0] == summary
    assert len(sharing.report_thoughts(checkins)[1]) == sum(c.thoughts > 0 for c in checkins)
