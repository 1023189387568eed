"""What each key of the "Download all my data" archive means, and the codes its values use, so a
person or another app reading the JSON understands every field without the CSV definitions
(which describe the CSV columns, not these keys). Keys inside a field holding an object are
written with a dot: "log.mood_before", "answers.phq9_1", "log.side_effects.nausea".

The format stays lift-archive/2 while keys are only added (a session log's created_at, a
share's ended_by, the failed_sign_ins section, and shared_with_me's your_name_for_patient, the
caregiver's or clinician's own name for the patient from migration 0015, came after it): a
reader of version 2 that skips keys it does not know reads every later archive of that version
as before. Removing or renaming a key, or changing what one holds or its shape, needs a new version
(web/data_rights.ARCHIVE_FORMAT), as "definitions" changing shape made version 2. Two values
were corrected within version 2: an ended share's viewer_email, which showed the address the
person signs in with now (an address changed after the share ended, which the patient was never
told), is the one they had when it ended, or empty where that is not known (migration 0014); and
the same way round, an ended share's patient_email in shared_with_me, which showed the patient's
address now, is the one the patient had when it ended, or empty for a share that ended before
Lift kept it (migration 0014)."""

from __future__ import annotations

from lift.domain import safety_plan, scales, treatment
from lift.domain.crisis import THOUGHTS_LABELS
from lift.domain.sharing import ACCOUNT_DELETED, EMAIL_CHANGED, ENDED_BY_GRANTEE, ENDED_SHOWN_DAYS

INSTANT = "in UTC (ISO 8601)"
LOCAL_DAY = "in the patient's time zone, as YYYY-MM-DD"
YES_NO = "1 yes, 0 no"


def _codes(pairs) -> str:
    return "; ".join(f"{'(empty)' if code == '' else code} = {label}" for code, label in pairs)


ID = "Lift's number for this entry, unique within this section."
ROLES = "caregiver or clinician"
SCOPE = {
    "include_notes": f"Whether they see the notes written with check-ins and session logs: {YES_NO}.",
    "include_thoughts": f"Whether they see the answer about thoughts of death or self-harm: {YES_NO}.",
}
ANSWERS = _codes(enumerate(scales.ANSWER_LABELS))

TOP = {
    "format": ("The name and version of this archive's layout. Within a version keys may be added, "
               "never removed or changed, so a reader can skip keys it does not know."),
    "exported_at": f"When this archive was made, {INSTANT}.",
    "account": "The account this archive belongs to.",
    "definitions": "What each key in this archive means (this list).",
}

SECTIONS: dict[str, dict[str, str]] = {
    "account": {
        "id": "Lift's number for this account.",
        "email": "The account's email address.",
        "role": "What the account is for: patient, caregiver or clinician.",
        "timezone": "The account's time zone (IANA name); days and reminder times follow it.",
        "created_at": f"When the account was made, {INSTANT}.",
    },
    "checkins": {
        "id": ID,
        "local_date": f"The day the check-in is for, {LOCAL_DAY}.",
        "mood": "Mood that day, 0 (lowest) to 10 (best).",
        "anxiety": "Anxiety that day, 0 (none) to 10 (most).",
        "sleep_hours": "Hours slept the night before, 0 to 24 (a decimal: 7.5 is seven and a half hours).",
        "thoughts": "Thoughts of death or self-harm that day: " + _codes(
            (int(code), label) for code, label in THOUGHTS_LABELS.items()) + ".",
        "note": "The note written with the check-in (may be empty).",
        "created_at": f"When the check-in was first saved, {INSTANT}.",
        "updated_at": f"When it was last changed, {INSTANT}.",
    },
    "scale_results": {
        "id": ID,
        "instrument": "The questionnaire: " + _codes((i.key, i.name) for i in scales.INSTRUMENTS.values()) + ".",
        "local_date": f"The day it was answered, {LOCAL_DAY}.",
        "taken_at": f"When it was answered, {INSTANT}.",
        "total": "The total score: the sum of the answers (PHQ-9 0 to 27, GAD-7 0 to 21).",
        "band": "The published severity band of the total: " + "; ".join(
            f"{i.name}: " + ", ".join(f"{b.key} = {b.label} {b.low}-{b.high}" for b in i.bands)
            for i in scales.INSTRUMENTS.values()) + ". " + "A score is not a diagnosis.",
        "difficulty": ("The last, unscored question (how difficult these problems made daily life): "
                       + _codes(enumerate(scales.DIFFICULTY_LABELS)) + "; empty when not answered."),
        "is_baseline": f"Whether this is the first result, the one change is measured from: {YES_NO}.",
        "answers": f"Each question's answer, by question code (below): {ANSWERS}.",
        **{f"answers.{item.id}": f"{instrument.name} question {item.number}: {item.text}"
           for instrument in scales.INSTRUMENTS.values() for item in instrument.items},
    },
    "treatment_plan": {
        "id": ID,
        "medication": "The treatment: " + _codes(treatment.MEDICATIONS.items()) + ".",
        "medication_name": "The medication's name, when it is something else (may be empty).",
        "clinic_name": "The clinic's name (may be empty).",
        "clinic_phone": "The clinic's phone number (may be empty).",
        "food_advice": "What the clinic said about eating and drinking before a session (may be empty).",
        "created_at": f"When the plan was first saved, {INSTANT}.",
        "updated_at": f"When it was last changed, {INSTANT}.",
    },
    "treatment_sessions": {
        "id": ID,
        "starts_at": f"When the session starts, {INSTANT}.",
        "requested_date": f"The day asked for, {LOCAL_DAY}.",
        "requested_time": "The clock time asked for, in the patient's time zone, as HH:MM.",
        "phase": "The part of the treatment course the session belongs to, as the schedule names it (may be empty).",
        "status": "planned = not happened yet; done = had it; missed = missed it; rescheduled = moved "
                  "(moved_to names the new session); cancelled = cancelled.",
        "ride_home": "The reminder to arrange a ride home: (empty) = not answered; arranged = a ride "
                     "was arranged; dismissed = the reminder was put away.",
        "moved_to": "For a moved session, the id of the session that replaced it; else empty.",
        "log": "What was logged about the session, or empty when nothing was.",
        "log.mood_before": "Mood before the session, 0 (lowest) to 10 (best); empty if not given.",
        "log.mood_after": "Mood after the session, 0 (lowest) to 10 (best); empty if not given.",
        "log.bp_before_systolic": "Blood pressure before the session, the upper number (mmHg).",
        "log.bp_before_diastolic": "Blood pressure before the session, the lower number (mmHg).",
        "log.bp_after_systolic": "Blood pressure after the session, the upper number (mmHg).",
        "log.bp_after_diastolic": "Blood pressure after the session, the lower number (mmHg).",
        "log.back_to_normal": "How long until feeling back to normal: "
                              + _codes(treatment.BACK_TO_NORMAL.items()) + ".",
        "log.note": "The note written with the log (may be empty).",
        "log.created_at": f"When the session was first logged, {INSTANT}.",
        "log.updated_at": f"When the log was last changed, {INSTANT}.",
        "log.side_effects": ("Side effects rated above none, by side-effect code (below), each "
                             "mild, moderate or severe. One not listed was rated none."),
        **{f"log.side_effects.{key}": label for key, label in treatment.SIDE_EFFECTS},
    },
    "safety_plan": {
        **{name: f"Safety plan step {heading}: {hint.format(crisis_line='a local crisis line')}"
           for name, heading, hint in safety_plan.STEPS},
        "care_team_name": "The care team's name (may be empty).",
        "care_team_phone": "The care team's phone number (may be empty).",
        "updated_at": f"When the plan was last changed, {INSTANT}.",
    },
    "reminder_preferences": {
        "checkin_enabled": f"Remind to check in each day: {YES_NO}.",
        "checkin_time": "The time of that reminder, as HH:MM in the account's time zone.",
        "eve_enabled": f"Remind the evening before a treatment day: {YES_NO}.",
        "eve_time": "The time of that reminder, as HH:MM in the account's time zone.",
        "lead_enabled": f"Remind shortly before each session: {YES_NO}.",
        "lead_minutes": "How many minutes before the session that reminder comes.",
        "scale_enabled": f"Remind when the weekly questionnaires are due: {YES_NO}.",
        "scale_time": "The time of that reminder, as HH:MM in the account's time zone.",
        "quiet_start": "Start of the quiet hours with no reminders, as HH:MM (empty: none).",
        "quiet_end": "End of the quiet hours, as HH:MM (empty: none).",
        "detailed_text": f"Whether reminders say what they are about on a locked screen: {YES_NO}.",
        "updated_at": f"When these settings were last changed, {INSTANT}.",
    },
    "notification_devices": {
        "id": ID,
        "label": "The name given to the device (browser and system).",
        "created_at": f"When reminders were turned on there, {INSTANT}.",
        "last_sent_at": f"When a notification was last sent to it, {INSTANT}; empty if never.",
    },
    "removed_notification_devices": {
        "id": ID,
        "label": "The name given to the device.",
        "gone_at": f"When its browser or push service ended its reminders and Lift removed it, {INSTANT}.",
    },
    "calendar_feed": {
        "created_at": f"When the private calendar link was made, {INSTANT}. The link itself is not in the archive.",
    },
    "signed_in_devices": {
        "created_at": f"When this sign-in began, {INSTANT}.",
        "expires_at": f"When it ends unless used again, {INSTANT}.",
        "user_agent": "What the browser said about itself when signing in.",
    },
    "shared_with": {
        "id": ID,
        "viewer_email": ("The email address of the person the journal is shared with: the one they sign in "
                         "with now while the sharing goes on, the one they had when it ended once it has "
                         "ended (empty if Lift did not record it, for sharing that ended before it did)."),
        "role": f"What they are: {ROLES}.",
        **SCOPE,
        "label": "The name the patient gave the invitation (may be empty).",
        "created_at": f"When the sharing began, {INSTANT}.",
        "revoked_at": f"When it ended, {INSTANT}; empty while it goes on.",
        "ended_by": ("Who ended it: patient = the patient stopped sharing; grantee = the caregiver or "
                     "clinician ended their own access; empty while it goes on."),
    },
    "shared_with_me": {
        "id": ID,
        "patient_email": ("The email address of the patient whose journal is shared: the one they sign in "
                          "with now while the sharing goes on, the one they had when it ended once it has "
                          "ended (empty if Lift did not record it, for sharing that ended before it did)."),
        "role": f"What this account is to them: {ROLES}.",
        **SCOPE,
        "created_at": f"When the sharing began, {INSTANT}.",
        "revoked_at": f"When it ended, {INSTANT}; empty while it goes on.",
        "ended_by": ("Who ended it: patient = the patient stopped sharing; grantee = this account ended "
                     "its own access; empty while it goes on."),
        "your_name_for_patient": ("The name this account gave the patient in Lift, which only this account "
                                  "sees; empty if none was given, and once the sharing has ended (the name "
                                  "goes with it)."),
    },
    "invitations": {
        "id": ID,
        "role": f"Who the invitation is for: {ROLES}.",
        **SCOPE,
        "label": "The name the patient gave the invitation (may be empty).",
        "created_at": f"When it was made, {INSTANT}.",
        "expires_at": f"When it stops working if unused, {INSTANT}.",
        "used_at": f"When it was accepted, {INSTANT}; empty if not.",
        "withdrawn_at": f"When the patient withdrew it, {INSTANT}; empty if not.",
    },
    "failed_sign_ins": {
        "id": ID,
        "at": (f"When a wrong password was given for this account's email address, {INSTANT}: at sign-in, "
               "or when the password was asked again (to change it or the email address, or to delete "
               "the account). Lift keeps these only to slow down guessing: a right password clears "
               "them, and each is deleted a minute after the throttle's window stops counting it (15 "
               "minutes unless the clinic changed it)."),
        "ip": "The network address the attempt came from, as Lift's server saw it. It may not be yours.",
    },
    "audit_log": {
        "id": ID,
        "at": f"When it happened, {INSTANT}.",
        "actor_role": "Who acted: patient, caregiver or clinician.",
        "actor_email": "The address of whoever acted, at the time (empty when the patient acted).",
        "action": ("What happened: invite = an invitation was made; withdraw = it was withdrawn; "
                   "grant = an invitation was accepted; scope = what a caregiver sees was changed; "
                   "revoke = sharing ended; view = a page of the journal was opened; export = a "
                   "file was downloaded; delete_account = the account was deleted (by a caregiver or "
                   f"clinician: they deleted theirs after ending their own access in the {ENDED_SHOWN_DAYS} "
                   "days before)."),
        "what": ("Which: for invite, withdraw, grant, scope and revoke, the role (caregiver or "
                 f"clinician), or {ENDED_BY_GRANTEE} = the viewer ended it, {ACCOUNT_DELETED} = their "
                 f"account was deleted, {EMAIL_CHANGED} = they changed the address they sign in with; "
                 "for view, the page (summary, notes, panel, timeline, report); for export, the file "
                 "(checkins, scales, sessions)."),
        "detail": ("More about it: an invitation's name, what was shared, a date range, or the "
                   "address they signed in with before a change (may be empty)."),
    },
}


def definitions() -> list[dict[str, str]]:
    """Every key of the archive with what it means, section by section (section "" for the
    archive's own top-level keys)."""
    rows = [{"section": "", "key": key, "meaning": meaning} for key, meaning in TOP.items()]
    rows += [{"section": "", "key": name, "meaning": f"The {name.replace('_', ' ')} section: a list of entries."}
             for name in SECTIONS if name != "account"]
    return rows + [{"section": section, "key": key, "meaning": meaning}
                   for section, keys in SECTIONS.items() for key, meaning in keys.items()]
