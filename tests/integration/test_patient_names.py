"""A caregiver's or clinician's own name for a patient ("Mum", "Jane Doe", a record number): only
they see it, only while the share lasts, and it goes with their access and their account."""

from __future__ import annotations

import csv
import io
import json
import re
from html import escape
from pathlib import Path

from tests.integration.conftest import PASSWORD
from tests.integration.sharing_helpers import caregiver, clinician, invite, shared_with, user_id  # noqa: F401


def labels(database) -> list[tuple]:
    return [tuple(row) for row in database.execute(
        "SELECT u.email, g.revoked_at IS NOT NULL, g.grantee_label FROM share_grants g"
        " JOIN users u ON u.id = g.grantee_id ORDER BY g.id")]


def name_directly(database, grantee_email: str, label: str) -> None:
    database.execute("UPDATE share_grants SET grantee_label = ? WHERE revoked_at IS NULL AND grantee_id ="
                     " (SELECT id FROM users WHERE email = ?)", (label, grantee_email))
    database.commit()


async def test_the_name_ends_with_the_share_whoever_ends_it(patient, caregiver, clinician, database):
    """An ended grant keeps the addresses it had, for the records; the grantee's name for the
    patient was part of their access and goes with it. A new share starts without one."""
    pid = user_id(database, "pat@example.com")
    name_directly(database, "carer@example.com", "Mum")
    name_directly(database, "doctor@example.com", "Jane Doe, MRN 0042")

    assert (await clinician.post(f"/clinician/patients/{pid}/stop")).status_code == 303
    grant = database.execute("SELECT id FROM share_grants WHERE grantee_id = ?",
                             (user_id(database, "carer@example.com"),)).fetchone()[0]
    assert (await patient.post(f"/sharing/grants/{grant}/revoke")).status_code == 303
    assert labels(database) == [("carer@example.com", 1, None), ("doctor@example.com", 1, None)]

    path, _ = await invite(patient)
    assert (await caregiver.post(f"{path}/accept")).status_code == 303
    assert labels(database)[-1] == ("carer@example.com", 0, None)


async def test_a_caregiver_names_the_patient_and_sees_the_name_with_their_address(patient, caregiver, database):
    pid = user_id(database, "pat@example.com")
    summary = await caregiver.get(f"/caregiver/patients/{pid}")
    assert "Give this person a name only you see" in summary.text
    assert f'action="/caregiver/patients/{pid}/name"' in summary.text and 'maxlength="80"' in summary.text

    response = await caregiver.post(f"/caregiver/patients/{pid}/name", {"name": "  Mum  "})
    assert response.status_code == 303 and response.headers["location"] == f"/caregiver/patients/{pid}?notice=named"
    assert labels(database) == [("carer@example.com", 0, "Mum")]

    summary = await caregiver.get(response.headers["location"])
    assert "<title>Mum · Lift</title>" in summary.text
    assert ('<h1 class="shared-name"><bdi class="patient-name">Mum</bdi> <span class="patient-email">'
            "pat@<wbr>example.com</span></h1>") in summary.text
    assert "Saved. Only you see this name; they don&#39;t." in summary.text
    assert "Change your name for this person" in summary.text and 'value="Mum"' in summary.text
    people_page = (await caregiver.get("/caregiver")).text
    assert '<bdi class="patient-name">Mum</bdi> <span class="patient-email">pat@<wbr>example.com</span>' in people_page
    stop = (await caregiver.get(f"/caregiver/patients/{pid}/stop")).text
    assert '<a class="back-link" href="/caregiver/patients/%d">Mum</a>' % pid in stop
    assert '<bdi class="patient-name">Mum</bdi>' in stop


async def test_a_caregiver_with_notes_reads_them_under_their_name_for_the_patient(patient, people, database):
    carer = await shared_with(patient, people("carer@example.com"), notes=True)
    pid = user_id(database, "pat@example.com")
    await carer.post(f"/caregiver/patients/{pid}/name", {"name": "Dad"})
    notes = (await carer.get(f"/caregiver/patients/{pid}/notes")).text
    assert ">Dad</a>" in notes and "The notes <bdi>Dad</bdi> wrote" in notes


async def test_removing_the_name_shows_the_address_alone_again(patient, caregiver, database):
    pid = user_id(database, "pat@example.com")
    await caregiver.post(f"/caregiver/patients/{pid}/name", {"name": "Mum"})
    for emptied in ({"name": "   "}, {}):
        response = await caregiver.post(f"/caregiver/patients/{pid}/name", emptied)
        assert response.headers["location"] == f"/caregiver/patients/{pid}?notice=unnamed"
        assert labels(database) == [("carer@example.com", 0, None)]
    summary = (await caregiver.get(response.headers["location"])).text
    assert '<h1 class="shared-name">pat@<wbr>example.com</h1>' in summary and '<bdi class="patient-name">' not in summary
    assert "Name removed. They are shown by their email address again." in summary


def panel_names(html: str) -> list[str]:
    """Each row's patient as the panel shows them: the clinician's name for them, else the address."""
    return [re.sub(r"<[^>]+>", "", named or email) for named, email in re.findall(
        r'<th scope="row"><a href="/clinician/patients/\d+">(?:<span class="panel__who"><bdi class="panel__name">'
        r'([^<]+)</bdi>.*?</span></span>|<span class="panel__email">(.*?)</span>)</a>', html)]


async def test_a_clinician_names_patients_and_the_panel_shows_and_sorts_them_by_those_names(
        patient, other_patient, clinician, people, database):
    path, _ = await invite(other_patient, "clinician")
    assert (await clinician.post(f"{path}/accept")).status_code == 303
    third = people("third@example.com")
    assert (await third.sign_up()).status_code == 303
    path, _ = await invite(third, "clinician")
    assert (await clinician.post(f"{path}/accept")).status_code == 303
    pid, other = user_id(database, "pat@example.com"), user_id(database, "other@example.com")
    await clinician.post(f"/clinician/patients/{pid}/name", {"name": "Zoe Adams (MRN 0042)"})
    await clinician.post(f"/clinician/patients/{other}/name", {"name": "ben Carter"})

    panel = (await clinician.get("/clinician?sort=patient&dir=asc")).text
    assert panel_names(panel) == ["ben Carter", "third@example.com", "Zoe Adams (MRN 0042)"]
    assert panel_names((await clinician.get("/clinician?sort=patient&dir=desc")).text) == [
        "Zoe Adams (MRN 0042)", "third@example.com", "ben Carter"]
    assert ('<span class="panel__who"><bdi class="panel__name">ben Carter</bdi> <span class="panel__email">'
            "other@<wbr>example.com</span></span>") in panel

    timeline = (await clinician.get(f"/clinician/patients/{pid}")).text
    assert "<title>Zoe Adams (MRN 0042) · Lift</title>" in timeline
    assert '<bdi class="patient-name">Zoe Adams (MRN 0042)</bdi> <span class="patient-email">pat@' in timeline
    assert "their name, or your own reference such as a record number" in timeline
    report = (await clinician.get(f"/clinician/patients/{pid}/report")).text
    assert ">Zoe Adams (MRN 0042)</a>" in report
    assert "<strong><bdi>Zoe Adams (MRN 0042)</bdi></strong> · pat@example.com" in report


async def test_each_person_has_their_own_name_for_a_patient(patient, caregiver, clinician, people, database):
    pid = user_id(database, "pat@example.com")
    second = await shared_with(patient, people("second-doctor@example.com"), "clinician")
    await caregiver.post(f"/caregiver/patients/{pid}/name", {"name": "Mum"})
    await clinician.post(f"/clinician/patients/{pid}/name", {"name": "Jane Doe"})
    assert "Mum" not in (text := (await clinician.get(f"/clinician/patients/{pid}")).text) and "Jane Doe" in text
    text = (await second.get(f"/clinician/patients/{pid}")).text
    assert "Jane Doe" not in text and "Mum" not in text and "Give this person a name only you see" in text


async def test_a_name_that_cannot_be_saved_comes_back_as_typed_with_what_to_fix(patient, clinician, database):
    pid = user_id(database, "pat@example.com")
    await clinician.post(f"/clinician/patients/{pid}/name", {"name": "Jane"})
    for typed in ("J" * 81, "Jane\tDoe <b>"):
        response = await clinician.post(f"/clinician/patients/{pid}/name", {"name": typed})
        assert response.status_code == 422
        page = response.text
        assert "<h1>Your name for this person</h1>" in page and "The name wasn't saved. Check it below." in page
        assert escape(typed) in page and 'aria-invalid="true"' in page
        assert "Keep the name to 80 characters or fewer, on one line, or leave it empty to remove it." in page
        assert f'href="/clinician/patients/{pid}">Jane</a>' in page
    # As htmx sends a boosted form: the same page, and the address bar keeps the patient's page.
    response = await clinician.post(f"/clinician/patients/{pid}/name", {"name": "J" * 81},
                                    headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert response.status_code == 422 and response.headers["HX-Push-Url"] == "false"
    assert labels(database) == [("doctor@example.com", 0, "Jane")]
    # The page of its own opens without a post too, filled in with the name as it is.
    page = await clinician.get(f"/clinician/patients/{pid}/name")
    assert page.status_code == 200 and 'value="Jane"' in page.text and "aria-invalid" not in page.text


async def test_a_name_the_database_cannot_store_comes_back_as_typed(patient, caregiver, database):
    pid = user_id(database, "pat@example.com")
    database.execute("CREATE TRIGGER refuse_names BEFORE UPDATE OF grantee_label ON share_grants"
                     " BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    database.commit()
    response = await caregiver.post(f"/caregiver/patients/{pid}/name", {"name": "Mum"})
    assert response.status_code == 503 and 'value="Mum"' in response.text
    assert "Nothing was saved because of a problem on our side" in response.text
    assert labels(database) == [("carer@example.com", 0, None)]


async def test_nobody_but_the_grantee_of_the_active_grant_can_name_the_patient_or_learn_they_exist(
        patient, other_patient, caregiver, clinician, people, database):
    """The matrix (test_authorization_matrix.py) has each kind of account; this adds people who
    have a grant of the right kind, for someone else. Each gets what a patient who does not exist
    gets, and nothing is stored."""
    pid = user_id(database, "pat@example.com")
    other_doctor = await shared_with(other_patient, people("other-doctor@example.com"), "clinician")
    other_carer = await shared_with(other_patient, people("other-carer@example.com"), notes=True, thoughts=True)
    nobody = pid + 1000
    for person, role in ((other_doctor, "clinician"), (other_carer, "caregiver"), (caregiver, "clinician"),
                         (clinician, "caregiver"), (patient, "caregiver"), (patient, "clinician")):
        for method in ("get", "post"):
            send = getattr(person, method)
            args = ({"name": "Named by a stranger"},) if method == "post" else ()
            existing = await send(f"/{role}/patients/{pid}/name", *args)
            missing = await send(f"/{role}/patients/{nobody}/name", *args)
            assert existing.status_code == missing.status_code == 404, (person.email, role, method)
            assert existing.text == missing.text.replace(str(nobody), str(pid)), (person.email, role, method)
    assert [label for _, _, label in labels(database)] == [None] * 4


async def test_naming_a_patient_needs_the_csrf_token(patient, caregiver, database):
    pid = user_id(database, "pat@example.com")
    assert (await caregiver.post(f"/caregiver/patients/{pid}/name", {"name": "Mum"}, csrf=False)).status_code == 403
    assert labels(database) == [("carer@example.com", 0, None)]


async def test_the_patient_never_sees_the_name_and_their_log_does_not_hold_it(patient, clinician, database):
    pid = user_id(database, "pat@example.com")
    entries = database.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    await clinician.post(f"/clinician/patients/{pid}/name", {"name": "Difficult Tuesday patient"})
    assert database.execute("SELECT count(*) FROM audit_log").fetchone()[0] == entries
    for page in ("/sharing", "/sharing/audit", "/account/data"):
        assert "Difficult Tuesday" not in (await patient.get(page)).text


def header(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text[:300]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


async def test_a_clinicians_files_end_with_their_own_name_for_each_patient(patient, other_patient, clinician,
                                                                          database):
    path, _ = await invite(other_patient, "clinician")
    assert (await clinician.post(f"{path}/accept")).status_code == 303
    pid = user_id(database, "pat@example.com")
    for person in (patient, other_patient):
        assert (await person.check_in()).status_code in (200, 303)
    await clinician.post(f"/clinician/patients/{pid}/name", {"name": '=HYPERLINK("http://evil.example","Jane")'})

    panel = csv_rows(await clinician.get("/clinician/export?kind=checkins"))
    assert {r["patient_email"]: r["your_name_for_patient"] for r in panel} == {
        "pat@example.com": '\'=HYPERLINK("http://evil.example","Jane")', "other@example.com": ""}
    for url in ("/clinician/export?kind=checkins", f"/clinician/patients/{pid}/export?kind=checkins",
                f"/clinician/patients/{pid}/export?kind=scales", "/clinician/export?kind=sessions"):
        assert header(await clinician.get(url))[-1] == "your_name_for_patient", url
    terms = {(r["file"], r["term"]) for r in csv_rows(await clinician.get("/clinician/export?kind=definitions"))}
    assert {("checkins", "your_name_for_patient"), ("scales", "your_name_for_patient")} <= terms

    # The patient's own files and their column definitions have no such column.
    for kind in ("checkins", "definitions"):
        assert "your_name_for_patient" not in (await patient.get(f"/export?kind={kind}")).text


async def test_their_archive_holds_the_names_they_gave_while_the_patients_holds_none(patient, caregiver,
                                                                                     database):
    pid = user_id(database, "pat@example.com")
    await caregiver.post(f"/caregiver/patients/{pid}/name", {"name": "Mum"})
    archive = json.loads((await caregiver.get("/account/data/archive.json")).content)
    assert archive["format"] == "lift-archive/2"
    assert [share["your_name_for_patient"] for share in archive["shared_with_me"]] == ["Mum"]
    assert ("shared_with_me", "your_name_for_patient") in {(d["section"], d["key"]) for d in archive["definitions"]}
    assert "the name you gave each" in (await caregiver.get("/account/data")).text
    assert b"Mum" not in (await patient.get("/account/data/archive.json")).content

    # Ended, the share stays in their archive (with the addresses it had), without the name.
    await caregiver.post(f"/caregiver/patients/{pid}/stop")
    archive = json.loads((await caregiver.get("/account/data/archive.json")).content)
    assert [(s["patient_email"], s["your_name_for_patient"]) for s in archive["shared_with_me"]] == [
        ("pat@example.com", None)]


async def test_deleting_their_account_deletes_the_names_they_gave_from_the_database_files(
        patient, clinician, settings, database):
    pid = user_id(database, "pat@example.com")
    name = "Quokka Zebrafish, MRN 77"
    await clinician.post(f"/clinician/patients/{pid}/name", {"name": name})
    assert labels(database) == [("doctor@example.com", 0, name)]
    response = await clinician.post("/account/delete", {"password": PASSWORD, "confirm": "true"})
    assert response.status_code in (200, 303)
    assert labels(database) == []
    for path in (settings.database_path, Path(f"{settings.database_path}-wal")):
        if path.exists():
            assert name.encode() not in path.read_bytes(), path.name


async def test_the_patient_is_told_before_inviting_that_the_person_can_name_them_privately(patient):
    page = (await patient.get("/sharing")).text
    assert ("The person you invite can give you a name that only they see, such as “Mum”; it goes when sharing "
            "ends.") in page


async def test_names_are_listed_alphabetically_with_accents_and_case_aside(patient, other_patient, caregiver,
                                                                           clinician, people, database):
    """SQLite's lower() knows only ASCII: "Émile" went after "zoe", and "ava" after "Zed"."""
    third = people("third@example.com")
    assert (await third.sign_up()).status_code == 303
    for person in (other_patient, third):
        for role, grantee in (("caregiver", caregiver), ("clinician", clinician)):
            path, _ = await invite(person, role)
            assert (await grantee.post(f"{path}/accept")).status_code == 303
        assert (await person.check_in()).status_code in (200, 303)
    assert (await patient.check_in()).status_code in (200, 303)
    names = {"pat@example.com": "zoe", "other@example.com": "Émile", "third@example.com": ""}
    for email, name in names.items():
        for role, grantee in (("caregiver", caregiver), ("clinician", clinician)):
            if name:
                saved = await grantee.post(f"/{role}/patients/{user_id(database, email)}/name", {"name": name})
                assert saved.status_code == 303

    listed = (await caregiver.get("/caregiver")).text
    shown = [listed.index(text) for text in (">Émile</bdi>", ">third@<wbr>example.com<", ">zoe</bdi>")]
    assert shown == sorted(shown)
    exported = csv_rows(await clinician.get("/clinician/export?kind=checkins"))
    assert [r["patient_email"] for r in exported] == ["other@example.com", "third@example.com", "pat@example.com"]
    panel = panel_names((await clinician.get("/clinician?sort=patient&dir=asc")).text)
    assert panel == ["Émile", "third@example.com", "zoe"]
