"""Plan and log rules, side effects and the contact-your-clinic rule, and how sessions are shown."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import msgspec
import pytest

from lift.domain import treatment as rules
from lift.domain.forms import parse_form

TODAY = date(2026, 11, 23)
NEW_YORK = "America/New_York"


def plan_form(**changes):
    return rules.PlanForm(**{"medication": "esketamine", **changes})


def schedule_form(**changes):
    fields = {"template": "esketamine", "start_date": TODAY, "session_time": "10:00", **changes}
    return rules.ScheduleForm(**fields)


def session(**changes):
    fields = dict(id=1, plan_id=1, starts_at=datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
                  requested_date=TODAY, requested_time=time(10, 0), phase="Twice a week",
                  status="planned", ride_home="")
    return rules.Session(**{**fields, **changes})


# The clinic rule -------------------------------------------------------------------------


def test_it_lists_every_side_effect_the_issue_names():
    keys = {key for key, _ in rules.SIDE_EFFECTS}
    assert {"dissociation", "dizziness", "nausea", "sedation", "confusion", "anxiety", "memory",
            "numbness", "visual", "blood_pressure", "bladder"} <= keys


@pytest.mark.parametrize("effect", [key for key, _ in rules.SIDE_EFFECTS])
def test_any_severe_side_effect_means_contact_the_clinic(effect):
    assert rules.clinic_contact_reasons({effect: "severe"})


@pytest.mark.parametrize("level", ["mild", "moderate", "severe"])
def test_any_bladder_pain_means_contact_the_clinic(level):
    reasons = rules.clinic_contact_reasons({"bladder": level})
    assert reasons == [f"You had bladder pain ({level})"]


def test_mild_or_moderate_side_effects_other_than_bladder_pain_do_not():
    assert rules.clinic_contact_reasons({"dissociation": "moderate", "nausea": "mild", "dizziness": "moderate"}) == []
    assert rules.clinic_contact_reasons({}) == []


def test_each_severe_effect_is_named_in_the_advice():
    reasons = rules.clinic_contact_reasons({"dizziness": "severe", "confusion": "severe", "anxiety": "mild"})
    assert reasons == ["Dizziness was severe", "Confusion was severe"]


@pytest.mark.parametrize("reading, alert", [
    ("180/120", False), ("181/90", True), ("150/121", True), ("210/125", True), ("141/90", False),
])
def test_a_blood_pressure_after_the_session_above_180_120_means_contact_the_clinic(reading, alert):
    reasons = rules.clinic_contact_reasons({}, bp_after=reading, emergency_number="112")
    assert bool(reasons) is alert
    if alert:
        assert reading in reasons[0] and "call 112 now" in reasons[0] and "chest pain" in reasons[0]
        assert "a top number over 180 or a bottom number over 120" in reasons[0]


def test_no_blood_pressure_reading_is_no_reason():
    assert rules.clinic_contact_reasons({}, bp_after=None) == rules.clinic_contact_reasons({}, bp_after="") == []


@pytest.mark.parametrize("back, days_since, alert", [
    ("next_day", 0, True), ("same_day", 0, False), ("not_yet", 0, False), ("not_yet", 1, True),
    ("not_yet", 3, True), (None, 2, False),
])
def test_effects_lasting_into_the_next_day_mean_contact_the_clinic(back, days_since, alert):
    """"Not yet" on the session day is usual (the effects last a few hours); the day after, it is not."""
    reasons = rules.clinic_contact_reasons({"dissociation": "moderate"}, back_to_normal=back,
                                           days_since_session=days_since)
    assert bool(reasons) is alert


def test_side_effects_keep_only_levels_above_none():
    chosen, errors = rules.parse_side_effects({"effect_dissociation": "moderate", "effect_nausea": "none",
                                               "effect_bladder": " mild "})
    assert errors == {}
    assert chosen == {"dissociation": "moderate", "bladder": "mild"}


def test_an_unknown_severity_is_an_error_for_that_effect():
    chosen, errors = rules.parse_side_effects({"effect_dizziness": "extreme"})
    assert errors == {"effect_dizziness": rules.SEVERITY_MESSAGE}


# Blood pressure ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["120/80", " 95 / 60 ", "180/110", "60/30", "260/160"])  # the limits
def test_it_accepts_a_plausible_blood_pressure(text):
    assert rules.blood_pressure_error(text) is None


@pytest.mark.parametrize("text", ["80/120", "300/80", "120/20", "120/120", "59/40", "261/100", "120/29",
                                  "200/161"])
def test_it_refuses_a_mistyped_blood_pressure(text):
    assert rules.blood_pressure_error(text)


def test_blood_pressure_problems_are_found_from_what_was_typed():
    assert rules.blood_pressure_problems({"bp_before": "80/120", "bp_after": "120/80"}) == {
        "bp_before": rules.blood_pressure_error("80/120")}
    assert rules.blood_pressure_problems({"bp_before": "not a number", "bp_after": ""}) == {}


def test_it_stores_blood_pressure_in_one_form():
    assert rules.normal_blood_pressure(" 120 / 80") == "120/80"
    assert rules.normal_blood_pressure(None) == ""


def test_a_blood_pressure_that_is_not_two_numbers_fails_to_parse():
    _, errors = parse_form(rules.LogForm, {"outcome": "done", "bp_before": "120-80"},
                           rules.log_messages(False))
    assert errors == {"bp_before": rules.LOG_MESSAGES["bp_before"]}


# Plans -----------------------------------------------------------------------------------


def test_a_plan_starting_today_is_fine():
    assert rules.plan_problems(plan_form(), schedule_form(), TODAY) == {}


def test_a_plan_cannot_start_in_the_past():
    problems = rules.plan_problems(plan_form(), schedule_form(start_date=date(2026, 11, 22)), TODAY)
    assert set(problems) == {"start_date"}


def test_a_plan_cannot_end_before_it_starts():
    problems = rules.plan_problems(plan_form(), schedule_form(start_date=date(2026, 12, 2),
                                                               end_date=date(2026, 12, 1)), TODAY)
    assert set(problems) == {"end_date"}


def test_a_template_needs_a_date_and_a_time():
    problems = rules.plan_problems(plan_form(), schedule_form(start_date=None, session_time=None), TODAY)
    assert set(problems) == {"start_date", "session_time"}


def test_adding_sessions_one_by_one_needs_no_date():
    assert rules.plan_problems(plan_form(), schedule_form(template="none", start_date=None,
                                                            session_time=None), TODAY) == {}


@pytest.mark.parametrize("medication, template, message", [
    ("esketamine", "iv_ketamine",
     "The schedule you had chosen is for IV ketamine, so it is no longer chosen. "
     "Choose the esketamine schedule, or add sessions one by one."),
    ("iv_ketamine", "esketamine",
     "The schedule you had chosen is for esketamine, so it is no longer chosen. "
     "Choose the IV ketamine schedule, or add sessions one by one."),
])
def test_a_schedule_for_the_other_medicine_is_refused(medication, template, message):
    assert rules.unfit_schedule({**FULL_FORM, "medication": medication, "template": template}) == message
    # Read as parse_form reads them: a space around an answer does not let a schedule through.
    spaced = {**FULL_FORM, "medication": f" {medication}", "template": f"{template} "}
    assert rules.unfit_schedule(spaced) == message


@pytest.mark.parametrize("template", ["esketamine", "iv_ketamine"])
def test_another_treatment_gets_no_schedule_made_for_esketamine_or_iv_ketamine(template):
    problem = rules.unfit_schedule({**FULL_FORM, "medication": "other", "template": template})
    assert problem.endswith("so it is no longer chosen. For another treatment, add your sessions one by one.")


@pytest.mark.parametrize("changes", [{}, {"template": "none"}, {"medication": "other", "template": "none"},
                                     {"template": "daily"}, {"medication": "lozenge"}, {"medication": ""}])
def test_a_schedule_that_fits_or_an_answer_the_form_does_not_offer_is_no_mismatch(changes):
    assert rules.unfit_schedule({**FULL_FORM, **changes}) is None


def test_a_refused_form_comes_back_without_a_schedule_that_does_not_fit_and_with_every_other_answer():
    # Without JavaScript the form hides the schedule a new treatment does not fit but cannot unchoose it.
    sent = {**FULL_FORM, "medication": "esketamine", "template": "iv_ketamine", "induction_weeks": "2"}
    assert rules.shown_again(sent, rules.unfit_schedule(sent)) == {
        field: value for field, value in sent.items() if field != "template"}
    for fitting in ({**FULL_FORM, "template": "none"}, {**FULL_FORM, "start_date": "2020-01-01"},
                    {**FULL_FORM, "template": "daily"}):
        assert rules.shown_again(fitting, rules.unfit_schedule(fitting)) == fitting


@pytest.mark.parametrize("medication", list(rules.MEDICATIONS))
def test_each_treatment_fits_its_own_schedule_and_sessions_one_by_one(medication):
    fitting = [template for template in ("esketamine", "iv_ketamine", "none")
               if not rules.schedule_mismatch(medication, template)]
    assert fitting == list(rules.SCHEDULES_FOR[medication])
    assert fitting == ([medication, "none"] if medication != "other" else ["none"])
    assert all(medication in rules.treatments_fitting(template) for template in fitting)


FULL_FORM = {"medication": "esketamine", "medication_name": "Spravato 84 mg", "clinic_name": "Riverside",
             "template": "esketamine", "start_date": "2026-12-01", "session_time": "10:00", "end_date": "",
             "maintenance": "weekly", "induction_weeks": "2"}


@pytest.mark.parametrize("changes, left_out", [
    ({}, {"medication_name", "induction_weeks"}),
    ({"medication": "iv_ketamine", "template": "iv_ketamine"}, {"medication_name", "maintenance"}),
    ({"medication": "other", "template": "none"},
     {"start_date", "session_time", "end_date", "maintenance", "induction_weeks"}),
    # No known schedule: its answers stay, and the schedule itself is the error to show.
    ({"template": "daily"}, {"medication_name"}),
    ({"template": ""}, {"medication_name"}),
])
def test_answers_that_do_not_fit_the_treatment_or_schedule_are_left_out(changes, left_out):
    values = {**FULL_FORM, **changes}
    assert set(values) - set(rules.applicable(values)) == left_out
    assert all(rules.applicable(values)[field] == values[field] for field in set(values) - left_out)


def test_something_else_needs_a_name():
    assert set(rules.plan_problems(plan_form(medication="other"), None, TODAY)) == {"medication_name"}
    assert rules.plan_problems(plan_form(medication="other", medication_name="Ketamine lozenge"), None, TODAY) == {}


def test_an_unknown_template_or_medication_fails_to_parse():
    _, errors = parse_form(rules.ScheduleForm, {"template": "daily"}, rules.schedule_messages(False))
    assert errors == {"template": rules.SCHEDULE_MESSAGES["template"]}
    _, errors = parse_form(rules.PlanForm, {"medication": "lsd"}, rules.PLAN_MESSAGES)
    assert errors == {"medication": rules.PLAN_MESSAGES["medication"]}



@pytest.mark.parametrize("sent, weeks", [({"induction_weeks": "2"}, 2), ({"induction_weeks": "3"}, 3),
                                         ({}, 3)])
def test_iv_ketamine_has_two_or_three_twice_weekly_weeks_and_three_when_none_is_sent(sent, weeks):
    form, errors = parse_form(rules.ScheduleForm, {"template": "iv_ketamine", **sent}, rules.schedule_messages(False))
    assert errors == {} and form.induction_weeks == weeks


@pytest.mark.parametrize("weeks", ["1", "4"])
def test_other_numbers_of_twice_weekly_weeks_are_refused(weeks):
    _, errors = parse_form(rules.ScheduleForm, {"template": "iv_ketamine", "induction_weeks": weeks},
                           rules.schedule_messages(False))
    assert errors == {"induction_weeks": "Choose 2 or 3 weeks of twice-weekly sessions."}


@pytest.mark.parametrize("medication, name, label", [
    ("other", "Ketamine lozenge", "Ketamine lozenge"),
    ("other", "", "Something else"),
    # Only "Something else" goes by a name of its own.
    ("esketamine", "Ketamine lozenge", "Esketamine nasal spray (Spravato)"),
    ("iv_ketamine", "", "IV ketamine infusion"),
])
def test_a_plan_is_called_by_its_treatment_or_the_name_the_patient_gave_it(medication, name, label):
    plan = rules.Plan(id=1, medication=medication, medication_name=name, clinic_name="", clinic_phone="",
                      food_advice="", updated_at="")
    assert plan.treatment_label == label


@pytest.mark.parametrize("field, longest", [("clinic_name", 120), ("medication_name", 120), ("food_advice", 500)])
def test_plan_texts_hold_their_limit_and_no_more(field, longest):
    form, errors = parse_form(rules.PlanForm, {"medication": "other", field: "x" * longest}, rules.PLAN_MESSAGES)
    assert errors == {} and getattr(form, field) == "x" * longest
    _, errors = parse_form(rules.PlanForm, {"medication": "other", field: "x" * (longest + 1)}, rules.PLAN_MESSAGES)
    assert errors == {field: rules.PLAN_MESSAGES[field]}


@pytest.mark.parametrize("mood, accepted", [("0", True), ("10", True), ("-1", False), ("11", False)])
def test_mood_is_scored_from_0_to_10(mood, accepted):
    form, errors = parse_form(rules.LogForm, {"outcome": "done", "mood_before": mood, "mood_after": mood},
                              rules.log_messages(False))
    if accepted:
        assert errors == {} and form.mood_before == form.mood_after == int(mood)
    else:
        assert set(errors) == {"mood_before", "mood_after"}


def test_a_session_note_holds_two_thousand_characters_and_no_more():
    form, errors = parse_form(rules.LogForm, {"outcome": "done", "note": "n" * 2000}, rules.log_messages(False))
    assert errors == {} and len(form.note) == 2000
    _, errors = parse_form(rules.LogForm, {"outcome": "done", "note": "n" * 2001}, rules.log_messages(False))
    assert errors == {"note": "Keep the note to 2,000 characters or fewer."}


# Logs ------------------------------------------------------------------------------------


def test_a_session_cannot_be_logged_as_done_or_missed_before_its_day():
    for outcome in ("done", "missed"):
        problems = rules.log_problems(rules.LogForm(outcome=outcome), "planned", date(2026, 11, 24), TODAY)
        assert problems == {"form": rules.NOT_YET}
    assert rules.log_problems(rules.LogForm(outcome="done"), "planned", TODAY, TODAY) == {}


def test_a_log_must_follow_the_status_rules():
    assert "cancelled" in rules.log_problems(rules.LogForm(outcome="done"), "cancelled", TODAY, TODAY)["form"]
    moved = rules.LogForm(outcome="rescheduled", new_date=TODAY, new_time="10:00")
    assert "form" in rules.log_problems(moved, "done", TODAY, TODAY)
    assert rules.log_problems(rules.LogForm(outcome="missed"), "done", TODAY, TODAY) == {}


def test_a_moved_session_needs_a_new_date_and_time_not_in_the_past():
    problems = rules.log_problems(rules.LogForm(outcome="rescheduled"), "planned", TODAY, TODAY)
    assert set(problems) == {"new_date", "new_time"}
    past = rules.LogForm(outcome="rescheduled", new_date=date(2026, 11, 20), new_time="10:00")
    assert set(rules.log_problems(past, "planned", TODAY, TODAY)) == {"new_date"}
    # A session can be moved before its day comes.
    later = rules.LogForm(outcome="rescheduled", new_date=date(2026, 11, 30), new_time="10:00")
    assert rules.log_problems(later, "planned", date(2026, 11, 25), TODAY) == {}


@pytest.mark.parametrize(("twelve_hour", "example"), [(True, "9:30 AM"), (False, "09:30")])
def test_a_missing_or_wrong_time_is_asked_for_on_the_patients_clock(twelve_hour, example):
    # "like 09:30" was shown to a patient who reads "9:30 AM" everywhere else in Lift.
    assert rules.schedule_messages(twelve_hour)["session_time"] == f"Enter the time of day, like {example}."
    assert rules.session_messages(twelve_hour)["session_time"] == f"Enter the time of day, like {example}."
    assert rules.log_messages(twelve_hour)["new_time"] == f"Enter the new time, like {example}."
    moved = rules.log_problems(rules.LogForm(outcome="rescheduled", new_date=TODAY), "planned", TODAY, TODAY,
                               twelve_hour=twelve_hour)
    assert moved == {"new_time": f"Enter the new time, like {example}."}
    unset = rules.plan_problems(plan_form(), schedule_form(session_time=None), TODAY, twelve_hour=twelve_hour)
    assert unset == {"session_time": f"Enter the time of day, like {example}."}
    _, errors = parse_form(rules.SessionForm, {"session_date": "2026-11-30", "session_time": "9.30"},
                           rules.session_messages(twelve_hour))
    assert errors == {"session_time": f"Enter the time of day, like {example}."}


def test_a_cancelled_or_moved_session_cannot_be_logged():
    assert "cancelled" in rules.log_block_reason("cancelled", TODAY, TODAY)
    assert "moved" in rules.log_block_reason("rescheduled", TODAY, TODAY)
    assert rules.log_block_reason("planned", date(2026, 11, 24), TODAY) == rules.NOT_YET
    assert rules.log_block_reason("done", TODAY, TODAY) is None


def test_mood_change_is_after_minus_before_when_both_are_given():
    def log(before, after):
        return rules.SessionLog(mood_before=before, mood_after=after, bp_before="", bp_after="",
                                back_to_normal="", note="", side_effects={}, updated_at="")
    assert rules.mood_change(log(3, 7)) == 4
    assert rules.mood_change(log(6, 4)) == -2
    assert rules.mood_change(log(None, 7)) is None


def test_a_log_form_is_filled_in_with_what_was_logged_and_nothing_for_what_was_not():
    # Without a log, only an outcome the form offers is chosen: a planned session's is left blank.
    assert rules.as_log_values(None, "planned") == {"outcome": ""}
    assert rules.as_log_values(None, "missed") == {"outcome": "missed"}
    log = rules.SessionLog(mood_before=None, mood_after=0, bp_before="", bp_after="128/84",
                           back_to_normal="1_2h", note="ok", side_effects={"nausea": "mild"}, updated_at="")
    assert rules.as_log_values(log, "done") == {
        "outcome": "done", "mood_before": "", "mood_after": "0", "bp_before": "", "bp_after": "128/84",
        "back_to_normal": "1_2h", "note": "ok", "effect_nausea": "mild"}
    values = rules.as_log_values(msgspec.structs.replace(log, mood_before=3, mood_after=None), "done")
    assert (values["mood_before"], values["mood_after"]) == ("3", "")


# Showing sessions ----------------------------------------------------------------------


def test_a_session_is_shown_in_the_patients_time_zone():
    item = rules.view(session(), NEW_YORK, TODAY)
    assert (item.day, item.time_label, item.is_today, item.loggable) == (TODAY, "10:00", True, True)
    assert item.day_label == "Today, Mon 23 Nov"
    tokyo = rules.view(session(), "Asia/Tokyo", TODAY)
    assert (tokyo.day_label, tokyo.time_label) == ("Tomorrow, Tue 24 Nov", "00:00")
    assert not tokyo.loggable


def test_logging_is_offered_from_the_sessions_start_not_all_day():
    # 21:30 in New York on Monday 23 November is 02:30 UTC on the Tuesday.
    evening = session(starts_at=datetime(2026, 11, 24, 2, 30, tzinfo=UTC), requested_time=time(21, 30))
    def at(hour, minute=0):
        return datetime(2026, 11, 23, hour, minute, tzinfo=ZoneInfo(NEW_YORK))
    assert not rules.log_offered(evening, NEW_YORK, at(10))
    assert not rules.log_offered(evening, NEW_YORK, at(21, 29))
    assert rules.log_offered(evening, NEW_YORK, at(21, 30))
    assert rules.log_offered(evening, NEW_YORK, at(23, 59))
    # The server still takes a log all day; only the offer waits.
    morning = rules.view(evening, NEW_YORK, TODAY, at(10))
    assert (morning.loggable, morning.log_offered) == (True, False)
    assert rules.view(evening, NEW_YORK, TODAY, at(22)).log_offered


def test_a_log_given_early_can_be_changed_before_the_start():
    early = session(starts_at=datetime(2026, 11, 24, 2, 30, tzinfo=UTC), status="missed", has_log=True)
    assert rules.log_offered(early, NEW_YORK, datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo(NEW_YORK)))


def test_logging_is_never_offered_without_now_or_when_the_server_refuses_it():
    noon = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo(NEW_YORK))
    assert not rules.view(session(), NEW_YORK, TODAY).log_offered  # a caregiver's or clinician's view
    assert not rules.log_offered(session(status="cancelled"), NEW_YORK, noon)
    assert not rules.log_offered(session(starts_at=datetime(2026, 11, 24, 15, 0, tzinfo=UTC)), NEW_YORK, noon)


def test_a_gap_session_explains_its_new_time():
    gap = session(starts_at=datetime(2026, 3, 8, 7, 0, tzinfo=UTC), requested_date=date(2026, 3, 8),
                  requested_time=time(2, 30))
    item = rules.view(gap, NEW_YORK, date(2026, 3, 1))
    assert item.time_label == "03:00"
    assert "02:30 doesn't exist" in item.time_note
    # In another zone the rule no longer describes where the session is, so no note.
    assert rules.view(gap, "Europe/London", date(2026, 3, 1)).time_note == ""


def test_today_is_a_treatment_day_only_with_a_planned_or_done_session_today():
    planned_today = session()
    cancelled_today = session(id=2, status="cancelled")
    tomorrow = session(id=3, starts_at=datetime(2026, 11, 24, 15, 0, tzinfo=UTC))
    assert rules.todays_session([tomorrow, planned_today], TODAY, NEW_YORK) == planned_today
    assert rules.todays_session([cancelled_today, tomorrow], TODAY, NEW_YORK) is None
    assert rules.todays_session([session(status="done")], TODAY, NEW_YORK).status == "done"


def test_upcoming_keeps_todays_planned_session_until_it_is_logged():
    yesterday = session(id=1, starts_at=datetime(2026, 11, 22, 15, 0, tzinfo=UTC))
    today = session(id=2)
    later = session(id=3, starts_at=datetime(2026, 11, 26, 15, 0, tzinfo=UTC))
    cancelled = session(id=4, starts_at=datetime(2026, 11, 27, 15, 0, tzinfo=UTC), status="cancelled")
    sessions = [yesterday, today, later, cancelled]
    assert [s.id for s in rules.upcoming(sessions, TODAY, NEW_YORK)] == [2, 3]
    assert [s.id for s in rules.earlier(sessions, TODAY, NEW_YORK)] == [4, 1]


def test_a_moved_session_says_the_day_and_time_it_was_moved_to():
    """It said "Moved" alone, and the patient had to open it to learn when the session now is."""
    # Moved to Thursday 3 December at 10:00 in New York (15:00 UTC).
    moved = session(status="rescheduled", moved_to=2, moved_to_starts_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    assert rules.view(moved, NEW_YORK, TODAY).status_label == "Moved to Thu 3 Dec, 10:00"
    assert rules.view(moved, NEW_YORK, TODAY, on_paper=True).status_label == "Moved to Thu 3 Dec 2026, 10:00"
    # In the patient's own zone: 15:00 UTC is 07:00 in Los Angeles.
    assert rules.view(moved, "America/Los_Angeles", TODAY).status_label == "Moved to Thu 3 Dec, 07:00"
    # The session's page links the day and time alone, after "Moved to".
    assert rules.view(moved, NEW_YORK, TODAY).moved_to_label == "Thu 3 Dec, 10:00"
    assert rules.view(moved, NEW_YORK, TODAY, on_paper=True).moved_to_label == "Thu 3 Dec 2026, 10:00"
    # The new session deleted (moved_to is then empty) leaves what is known; other statuses are unchanged.
    assert rules.view(session(status="rescheduled"), NEW_YORK, TODAY).status_label == "Moved"
    assert rules.view(session(status="cancelled"), NEW_YORK, TODAY).status_label == "Cancelled"
    assert rules.view(session(status="rescheduled"), NEW_YORK, TODAY).moved_to_label == ""
    assert rules.view(session(), NEW_YORK, TODAY).moved_to_label == ""



def test_a_session_cannot_be_moved_to_the_day_and_time_it_already_has():
    """The move form opens filled with the session's own day and time; sent as it was, it made a
    session saying "Moved to" its own day and time."""
    # Monday 23 November at 10:00 in New York (15:00 UTC).
    item = rules.view(session(starts_at=datetime(2026, 11, 23, 15, 0, tzinfo=UTC)), NEW_YORK, TODAY)
    assert rules.same_time_error(item, NEW_YORK, date(2026, 11, 23), "10:00") == rules.SAME_TIME
    assert rules.same_time_error(item, NEW_YORK, date(2026, 11, 23), "10:00:00") == rules.SAME_TIME
    # Another time, another day, or the same time in UTC (05:00 in New York) is a move.
    assert rules.same_time_error(item, NEW_YORK, date(2026, 11, 23), "10:30") is None
    assert rules.same_time_error(item, NEW_YORK, date(2026, 11, 24), "10:00") is None
    assert rules.same_time_error(item, NEW_YORK, date(2026, 11, 23), "15:00") is None
    assert rules.same_time_error(item, NEW_YORK, None, None) is None


def test_a_time_skipped_the_evening_before_lands_on_a_session_at_midnight():
    """Nuuk's clocks go from 23:00 on 28 March 2026 straight to midnight: 23:30 that evening is
    placed at 00:00 on the 29th, where this session already is."""
    nuuk = "America/Nuuk"
    midnight = session(starts_at=datetime(2026, 3, 29, 1, 0, tzinfo=UTC), requested_date=date(2026, 3, 29),
                       requested_time=time(0, 0))
    item = rules.view(midnight, nuuk, date(2026, 3, 1))
    assert rules.same_time_error(item, nuuk, date(2026, 3, 28), "23:30") == rules.SAME_TIME
    assert rules.same_time_error(item, nuuk, date(2026, 3, 28), "22:59") is None


def test_a_session_the_gap_rule_placed_cannot_be_moved_to_the_time_that_does_not_exist():
    """02:30 on 8 March 2026 does not exist in New York: a session asked for then is at 03:00.
    Asking to move it to 02:30 (the time the patient asked for, which its note names) would place
    the new session at 03:00 again: a session "Moved to" its own day and time."""
    gap_day = date(2026, 3, 8)
    placed = session(starts_at=datetime(2026, 3, 8, 7, 0, tzinfo=UTC), requested_date=gap_day,
                     requested_time=time(2, 30))
    item = rules.view(placed, NEW_YORK, date(2026, 3, 1))
    assert item.time_label == "03:00"
    for asked in ("02:30", "02:00", "02:59", "03:00"):
        assert rules.same_time_error(item, NEW_YORK, gap_day, asked) == rules.SAME_TIME, asked
    # 03:01, 01:59, and 02:30 the day before or after exist: each is a move.
    assert rules.same_time_error(item, NEW_YORK, gap_day, "03:01") is None
    assert rules.same_time_error(item, NEW_YORK, gap_day, "01:59") is None
    assert rules.same_time_error(item, NEW_YORK, date(2026, 3, 7), "02:30") is None
    assert rules.same_time_error(item, NEW_YORK, date(2026, 3, 9), "02:30") is None
    # A date far off (the form refuses it on its own) is no move to this session, and no error.
    assert rules.same_time_error(item, NEW_YORK, date(9999, 12, 31), "23:59") is None
    assert rules.same_time_error(item, NEW_YORK, date(1, 1, 1), "00:00") is None


def test_a_session_at_a_time_the_clocks_repeat_is_the_same_time_on_either_reading():
    """01:30 on 1 November 2026 happens twice in New York. The move form opens with the session's
    own 01:30, whichever of the two it is; sent unchanged, it is no move."""
    fold_day = date(2026, 11, 1)
    for starts_at in (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, 30, tzinfo=UTC)):
        item = rules.view(session(starts_at=starts_at, requested_date=fold_day, requested_time=time(1, 30)),
                          NEW_YORK, date(2026, 10, 25))
        assert rules.same_time_error(item, NEW_YORK, fold_day, "01:30") == rules.SAME_TIME
        assert rules.same_time_error(item, NEW_YORK, fold_day, "02:30") is None


def test_a_session_is_written_on_the_readers_clock():
    moved = session(status="rescheduled", moved_to=2, moved_to_starts_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    twelve, twenty_four = (rules.view(moved, "America/Los_Angeles", TODAY, twelve_hour=clock) for clock in (True, False))
    assert twelve.status_label == "Moved to Thu 3 Dec, 7:00 AM" and twelve.moved_to_label == "Thu 3 Dec, 7:00 AM"
    assert twenty_four.status_label == "Moved to Thu 3 Dec, 07:00"
    # The session itself: 15:00 UTC on 23 November.
    assert (twelve.time_label, twenty_four.time_label) == ("7:00 AM", "07:00")


# A past session nobody logged ----------------------------------------------------------------


def test_a_past_session_left_planned_needs_its_log_and_says_so():
    # Thursday 19 November at 10:00 in New York; today is Monday 23 November.
    past = session(starts_at=datetime(2026, 11, 19, 15, 0, tzinfo=UTC))
    assert rules.view(past, NEW_YORK, TODAY).needs_log
    assert not rules.view(session(), NEW_YORK, TODAY).needs_log  # today's has its checklist
    assert not rules.view(session(starts_at=datetime(2026, 11, 19, 15, 0, tzinfo=UTC), status="done"),
                          NEW_YORK, TODAY).needs_log


def test_today_asks_about_the_latest_unlogged_session_only():
    thursday = session(id=1, starts_at=datetime(2026, 11, 19, 15, 0, tzinfo=UTC))
    saturday = session(id=2, starts_at=datetime(2026, 11, 21, 15, 0, tzinfo=UTC))
    logged = session(id=3, starts_at=datetime(2026, 11, 22, 15, 0, tzinfo=UTC), status="done")
    moved = session(id=4, starts_at=datetime(2026, 11, 22, 16, 0, tzinfo=UTC), status="rescheduled")
    today = session(id=5)
    assert rules.session_to_log([thursday, saturday, moved, today], TODAY, NEW_YORK) == saturday
    assert rules.session_to_log([logged, moved, today], TODAY, NEW_YORK) is None


def test_a_session_logged_at_the_same_instant_is_not_a_newer_one():
    # Two sessions at one time (one added twice): the unlogged one still reads "Not logged yet"
    # on Treatment, so Today asks about it too; only a newer log ends the question.
    saturday = session(id=2, starts_at=datetime(2026, 11, 21, 15, 0, tzinfo=UTC))
    twin = session(id=3, starts_at=saturday.starts_at, status="done")
    assert rules.session_to_log([saturday, twin], TODAY, NEW_YORK) == saturday


def test_it_keeps_asking_about_the_last_unlogged_session_past_a_week():
    """It dropped a session from Today after 6 days, just as the next one came, leaving the only
    record of that dose to the Treatment page."""
    six_days_ago = session(starts_at=datetime(2026, 11, 17, 15, 0, tzinfo=UTC))
    seven_days_ago = session(starts_at=datetime(2026, 11, 16, 15, 0, tzinfo=UTC))
    assert rules.session_to_log([six_days_ago], TODAY, NEW_YORK) == six_days_ago
    assert rules.session_to_log([seven_days_ago], TODAY, NEW_YORK) == seven_days_ago
    # The next session, still ahead today, does not end the question.
    assert rules.session_to_log([seven_days_ago, session(id=2)], TODAY, NEW_YORK) == seven_days_ago


@pytest.mark.parametrize("days, asked", [(13, True), (14, True), (15, False), (30, False)])
def test_it_stops_asking_two_weeks_after_the_sessions_day(days, asked):
    """A patient who stopped treatment was asked about their last session for ever."""
    assert rules.LOG_QUESTION_DAYS == 14
    day = date.fromordinal(TODAY.toordinal() - days)
    past = session(starts_at=datetime.combine(day, time(10, 0), ZoneInfo(NEW_YORK)).astimezone(UTC))
    assert (rules.session_to_log([past], TODAY, NEW_YORK) == past) is asked
    # Treatment still marks it "Not logged yet".
    assert rules.view(past, NEW_YORK, TODAY).needs_log


def test_the_two_weeks_count_the_patients_own_days():
    # 22:30 on Sunday 8 November in Los Angeles, 15 of its days ago, is already 9 November in UTC,
    # 14 days ago there: in Los Angeles it is past the limit, in London (still 9 November) not.
    late = session(starts_at=datetime(2026, 11, 9, 6, 30, tzinfo=UTC))
    assert rules.session_to_log([late], TODAY, "America/Los_Angeles") is None
    assert rules.session_to_log([late], TODAY, "Europe/London") == late


def test_it_stops_asking_once_a_newer_session_is_logged():
    week_ago = session(id=1, starts_at=datetime(2026, 11, 16, 15, 0, tzinfo=UTC))
    for status in ("done", "missed"):
        logged_since = session(id=2, starts_at=datetime(2026, 11, 19, 15, 0, tzinfo=UTC), status=status)
        assert rules.session_to_log([week_ago, logged_since], TODAY, NEW_YORK) is None
        # Today's, logged as had this morning, is newer too.
        assert rules.session_to_log([week_ago, session(id=3, status=status)], TODAY, NEW_YORK) is None
    # A newer session moved or cancelled was no dose: the question stays.
    for status in ("rescheduled", "cancelled"):
        gone = session(id=2, starts_at=datetime(2026, 11, 19, 15, 0, tzinfo=UTC), status=status)
        assert rules.session_to_log([week_ago, gone], TODAY, NEW_YORK) == week_ago
    # An older session logged does not end the question about a newer one.
    older = session(id=4, starts_at=datetime(2026, 11, 12, 15, 0, tzinfo=UTC), status="done")
    assert rules.session_to_log([older, week_ago], TODAY, NEW_YORK) == week_ago


def test_a_late_evening_session_belongs_to_the_patients_own_day():
    # 22:30 on Sunday 22 November in Los Angeles is already Monday 23 November in UTC.
    late = session(starts_at=datetime(2026, 11, 23, 6, 30, tzinfo=UTC))
    assert rules.session_to_log([late], TODAY, "America/Los_Angeles") == late
    assert rules.log_question(date(2026, 11, 22), TODAY) == "How did yesterday's session go?"
    # In London it is today's session, with its checklist, not one to ask about.
    assert rules.session_to_log([late], TODAY, "Europe/London") is None


def test_it_asks_by_weekday_within_the_week_and_by_date_before_it():
    assert rules.log_question(date(2026, 11, 19), TODAY) == "How did Thursday's session go?"
    assert rules.log_question(date(2026, 11, 17), TODAY) == "How did Tuesday's session go?"
    # A week ago "Monday's" would be today's weekday, not that session's.
    assert rules.log_question(date(2026, 11, 16), TODAY) == "How did your session on Mon 16 Nov go?"
    assert rules.log_question(date(2025, 12, 30), TODAY) == "How did your session on Tue 30 Dec 2025 go?"


# When a session is over -------------------------------------------------------------------


@pytest.mark.parametrize("now, over", [
    (datetime(2026, 11, 23, 14, 0, tzinfo=UTC), False),   # 09:00 in New York: still ahead
    (datetime(2026, 11, 23, 16, 59, tzinfo=UTC), False),  # 11:59: the monitoring is not over
    (datetime(2026, 11, 23, 17, 0, tzinfo=UTC), True),    # 12:00: two hours after 10:00
    (datetime(2026, 11, 24, 3, 0, tzinfo=UTC), True),     # 22:00
])
def test_a_session_is_over_two_hours_after_its_time(now, over):
    assert rules.is_over(session(), now) is over
    assert rules.view(session(), NEW_YORK, TODAY, now).over is over


def test_a_session_is_over_after_two_real_hours_on_the_night_the_clocks_change():
    # 01:30 in New York on Sunday 8 March 2026; at 02:00 the clocks go forward to 03:00. At 03:30
    # on the wall only one hour has passed.
    night = session(starts_at=datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo(NEW_YORK)).astimezone(UTC))
    assert not rules.is_over(night, datetime(2026, 3, 8, 3, 30, tzinfo=ZoneInfo(NEW_YORK)))
    assert rules.is_over(night, datetime(2026, 3, 8, 4, 30, tzinfo=ZoneInfo(NEW_YORK)))


def test_a_session_read_by_someone_else_is_never_over():
    # Without `now` (a caregiver's or clinician's page) nothing on the page depends on the hour.
    assert not rules.view(session(), NEW_YORK, TODAY).over


@pytest.mark.parametrize("raw, expected", [
    ("/", "/"), ("/treatment/sessions/12", "/treatment/sessions/12"), ("//evil.example", "/treatment"),
    ("https://evil.example/", "/treatment"), ("/treatment/sessions/12/../../x", "/treatment"), (None, "/treatment"),
    ("/treatment/sessions/12\n", "/treatment"), ("/treatment/sessions/١٢", "/treatment"),
])
def test_a_checklist_tick_only_returns_to_home_or_a_session(raw, expected):
    assert rules.back_path(raw) == expected
