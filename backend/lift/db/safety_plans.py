"""Each patient's own safety plan (Stanley-Brown steps plus a care-team contact)."""

from __future__ import annotations

from lift.db.clock import iso, utc_now
from lift.db.connection import Database
from lift.domain.safety_plan import PLAN_FIELDS, SafetyPlan


async def safety_plan_for(db: Database, user_id: int) -> SafetyPlan | None:
    row = await db.fetch_one(
        f"SELECT {', '.join(PLAN_FIELDS)}, updated_at FROM safety_plans WHERE user_id = ?", (user_id,)
    )
    return SafetyPlan(**dict(row)) if row else None


async def save_safety_plan(db: Database, user_id: int, plan: SafetyPlan) -> None:
    values = [getattr(plan, name) for name in PLAN_FIELDS]
    async with db.write() as conn:
        await conn.execute(
            f"INSERT INTO safety_plans (user_id, {', '.join(PLAN_FIELDS)}, updated_at)"
            f" VALUES (?, {', '.join('?' * len(PLAN_FIELDS))}, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in PLAN_FIELDS)
            + ", updated_at = excluded.updated_at",
            (user_id, *values, iso(utc_now())),
        )
