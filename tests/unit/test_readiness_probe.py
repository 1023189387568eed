"""The /readyz answer is reused for a second, so a public probe cannot make the database write
as often as it is called."""

from __future__ import annotations

import asyncio

from lift.web.pages import ReadinessProbe


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counting_check(status: int = 200):
    calls = []

    async def check():
        calls.append(None)
        await asyncio.sleep(0.01)  # a real check takes a write turn: callers arrive meanwhile
        return {"status": "ready" if status == 200 else "unavailable", "n": len(calls)}, status

    return check, calls


async def test_a_burst_of_callers_shares_one_check():
    probe, (check, calls) = ReadinessProbe(ttl=1.0, clock=Clock()), counting_check()
    answers = await asyncio.gather(*(probe.answer(check) for _ in range(50)))
    assert len(calls) == 1
    assert all(answer == ({"status": "ready", "n": 1}, 200) for answer in answers)


async def test_it_checks_again_once_the_answer_is_a_second_old():
    clock = Clock()
    probe, (check, calls) = ReadinessProbe(ttl=1.0, clock=clock), counting_check()
    await probe.answer(check)
    clock.now += 0.999
    assert (await probe.answer(check))[0]["n"] == 1
    clock.now += 0.001
    assert (await probe.answer(check))[0]["n"] == 2
    assert len(calls) == 2


async def test_an_unavailable_answer_is_reused_for_the_second_too_then_checked_again():
    clock = Clock()
    probe, (check, calls) = ReadinessProbe(ttl=1.0, clock=clock), counting_check(status=503)
    assert (await probe.answer(check))[1] == 503
    assert (await probe.answer(check))[1] == 503 and len(calls) == 1
    clock.now += 1.0
    await probe.answer(check)
    assert len(calls) == 2
