"""`python -m lift run|migrate|worker|vapid|backup PATH|restore PATH`: serve Lift, bring its
database up to date, send reminders without serving pages, make (once) and show the Web Push
key pair, copy the live database, or put a checked copy back (with Lift stopped)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from lift.settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lift")
    parser.add_argument("command", choices=["run", "migrate", "worker", "vapid", "backup", "restore"])
    parser.add_argument("path", nargs="?", help="the backup file, for backup and restore")
    args = parser.parse_args(argv)
    if args.command in ("backup", "restore") and not args.path:
        parser.error(f"{args.command} needs a PATH")
    environ = dict(os.environ)
    if args.command in ("vapid", "backup", "restore"):
        # Production's start-up checks guard serving; making the very keys they ask for, or
        # copying the database, must work before those keys exist.
        environ["LIFT_ENV"] = "development"
    try:
        settings = load_settings(environ)
        if args.command == "migrate":
            return asyncio.run(migrate(settings))
        if args.command == "worker":
            return asyncio.run(worker(settings))
        if args.command == "vapid":
            return vapid(settings)
        if args.command in ("backup", "restore"):
            return copy_database(args.command, settings, Path(args.path))
        return serve(settings)
    except SettingsError as exc:
        print(f"lift: {exc}", file=sys.stderr)
        return 2


async def migrate(settings) -> int:
    from lift.db.connection import Database

    db = Database(settings.database_path, readers=0)
    await db.open()
    await db.close()
    print(f"lift: database at {settings.database_path} is up to date")
    return 0


async def worker(settings) -> int:
    """The reminder scheduler on its own, until SIGTERM or Ctrl-C; it finishes the sends in
    flight before it exits. Safe to run beside the app's own scheduler, or several at once."""
    import signal

    from lift.db.connection import Database
    from lift.push.scheduler import Scheduler
    from lift.push.vapid import ensure_vapid_keys

    keys, _ = ensure_vapid_keys(settings)
    db = Database(settings.database_path, readers=1)
    await db.open()
    scheduler = Scheduler.from_settings(db, settings, keys)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, scheduler.request_stop)
    print(f"lift: reminder worker {scheduler.worker} running (data in {settings.data_dir})", flush=True)
    try:
        await scheduler.run()
    finally:
        scheduler.close()
        await db.close()
    print("lift: reminder worker stopped", flush=True)
    return 0


def vapid(settings) -> int:
    """Make the Web Push key pair once (kept in the data directory), or show the one in use."""
    from lift.push.vapid import KEY_FILE, ensure_vapid_keys

    keys, created = ensure_vapid_keys(settings)
    if keys.source == "settings":
        print("lift: using the VAPID key pair from LIFT_VAPID_PRIVATE_KEY")
    elif created:
        print(f"lift: made a new VAPID key pair in {settings.data_path / KEY_FILE}")
    else:
        print(f"lift: using the existing VAPID key pair in {keys.source} (not replaced: that would"
              " end every device's subscription)")
    print(f"LIFT_VAPID_PUBLIC_KEY={keys.public_key}")
    return 0


def copy_database(command: str, settings, path: Path) -> int:
    from lift.db.backup import BackupError, backup_database, restore_database

    try:
        if command == "backup":
            backup_database(settings.database_path, path)
            print(f"lift: backed up {settings.database_path} to {path} (integrity check ok)")
        else:
            restore_database(path, settings.database_path)
            print(f"lift: restored {settings.database_path} from {path}")
    except BackupError as exc:
        print(f"lift: {exc}", file=sys.stderr)
        return 1
    return 0


def serve(settings) -> int:
    import uvicorn

    from lift.app import create_app
    from lift.logs import configure_logging

    configure_logging()
    print(f"lift: serving on http://{settings.host}:{settings.port} (data in {settings.data_dir})", flush=True)
    # Lift writes its own JSON request log with route templates; uvicorn's access log would
    # print concrete paths, and a calendar feed's path is a secret.
    server = {"host": settings.host, "port": settings.port, "log_level": "info", "access_log": False,
              "timeout_graceful_shutdown": 10}
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **server)
        return 0
    from lift.push.vapid import ensure_vapid_keys

    # Make what every process needs once, before several race to make it.
    asyncio.run(migrate(settings))
    create_app(settings)
    ensure_vapid_keys(settings)
    uvicorn.run("lift.__main__:worker_process_app", factory=True, workers=settings.workers, **server)
    return 0


def worker_process_app():
    """The app in each of several server processes: uvicorn imports and calls this there."""
    from lift.app import create_app
    from lift.logs import configure_logging

    configure_logging()
    return create_app()


if __name__ == "__main__":
    sys.exit(main())
