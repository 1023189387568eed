import pytest


async def test_it_saves_the_plan_and_confirms(patient, database):
    response = await patient.post("/safety-plan", {"coping": "Walk the dog", "environment": "Meds with Sam"})
    assert response.status_code == 303
    page = await patient.get(response.headers["location"])
    assert "Your safety plan is saved" in page.text and "Walk the dog" in page.text
    assert database.execute("SELECT coping FROM safety_plans").fetchone()[0] == "Walk the dog"


async def test_it_keeps_what_was_typed_when_a_step_is_too_long(patient, database):
    response = await patient.post("/safety-plan", {"coping": "x" * 2001, "people": "Sam"})
    assert response.status_code == 422
    assert 'id="coping-error"' in response.text and ">Sam</textarea>" in response.text
    assert database.execute("SELECT count(*) FROM safety_plans").fetchone()[0] == 0


async def test_it_rejects_a_phone_number_with_letters(patient):
    response = await patient.post("/safety-plan", {"care_team_phone": "call me maybe"})
    assert response.status_code == 422
    assert 'id="care_team_phone-error"' in response.text


@pytest.mark.parametrize("flag", ["abc", "", "２", "1.5", "%00", "x" * 3000])
async def test_a_mangled_saved_flag_shows_the_plan_without_the_notice(patient, flag):
    await patient.post("/safety-plan", {"coping": "Walk the dog"})
    page = await patient.get(f"/safety-plan?saved={flag}")
    assert page.status_code == 200
    assert "Walk the dog" in page.text and "Your safety plan is saved" not in page.text
