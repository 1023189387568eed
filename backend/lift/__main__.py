"""`python -m lift run|migrate`: serve Lift, or only bring its database up to date."""

from __future__ import annotations

import argparse
import asyncio
import sys

from lift.settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lift")
    parser.add_argument("command", choices=["run", "migrate"])
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"lift: {exc}", file=sys.stderr)
        return 2
    if args.command == "migrate":
        return asyncio.run(migrate(settings))
    return serve(settings)


async def migrate(settings) -> int:
    from lift.db.connection import Database

    db = Database(settings.database_path, readers=0)
    await db.open()
    await db.close()
    print(f"lift: database at {settings.database_path} is up to date")
    return 0


def serve(settings) -> int:
    import uvicorn

    from lift.app import create_app

    print(f"lift: serving on http://{settings.host}:{settings.port} (data in {settings.data_dir})")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
