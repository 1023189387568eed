"""The archive's definitions: its own keys and the codes its values use, worded for a reader."""

from lift.db.export import ARCHIVE_SECTIONS
from lift.domain import archive, treatment


def test_every_archive_section_has_its_keys_explained():
    assert {name for name, _, _ in ARCHIVE_SECTIONS} | {"account"} == set(archive.SECTIONS)
    keys = {(d["section"], d["key"]) for d in archive.definitions()}
    assert {("", name) for name in archive.SECTIONS if name != "account"} <= keys
    assert all(d["meaning"] for d in archive.definitions())


def test_codes_are_spelled_out():
    sessions = archive.SECTIONS["treatment_sessions"]
    assert "1_2h = 1 to 2 hours" in sessions["log.back_to_normal"]
    assert "(empty) = Not sure" in sessions["log.back_to_normal"]
    assert {f"log.side_effects.{key}" for key, _ in treatment.SIDE_EFFECTS} <= set(sessions)
    assert "0 = None" in archive.SECTIONS["checkins"]["thoughts"]
    assert "moderately-severe = Moderately severe 15-19" in archive.SECTIONS["scale_results"]["band"]
    assert "{" not in archive.SECTIONS["safety_plan"]["professionals"]


def test_every_special_audit_what_is_explained():
    from lift.domain.sharing import ACCOUNT_DELETED, EMAIL_CHANGED, ENDED_BY_GRANTEE

    what = archive.SECTIONS["audit_log"]["what"]
    assert all(f"{code} = " in what for code in (ENDED_BY_GRANTEE, ACCOUNT_DELETED, EMAIL_CHANGED))
