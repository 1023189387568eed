"""A caregiver's or clinician's own name for a patient ("Mum", "Jane Doe", a record number): only
they see it, only while the share lasts, and it goes with their access and their account."""

from __future__ import annotations

from tests.integration.sharing_helpers import caregiver, clinician, invite, user_id  # noqa: F401


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
