"""`python -m lift run|migrate|worker|vapid|backup PATH|restore PATH|reset-link EMAIL|delete-account EMAIL`:
serve Lift, bring its database up to date, send reminders without serving pages, make (once) and
show the Web Push key pair, copy the live database, put a checked copy back (with Lift stopped),
make a password reset link for an account (Lift sends no email: the clinic hands it over), or
delete an account as its owner would from the app (after a restore brought it back)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from lift.settings import SettingsError, load_settings, public_url_problem


COMMANDS = ["run", "migrate", "worker", "vapid", "backup", "restore", "reset-link", "delete-account"]
NEEDS_TARGET = {"backup": "a PATH", "restore": "a PATH", "reset-link": "an EMAIL", "delete-account": "an EMAIL"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lift")
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("target", nargs="?", metavar="PATH|EMAIL",
                        help="the backup file (backup, restore), or the account's email (reset-link,"
                             " delete-account)")
    parser.add_argument("--yes", action="store_true",
                        help="delete-account: delete without asking for the email again (for scripts)")
    args = parser.parse_intermixed_args(argv)  # "delete-account --yes EMAIL" too
    if args.yes and args.command != "delete-account":
        parser.error("--yes is only for delete-account")
    if args.command in NEEDS_TARGET and not args.target:
        parser.error(f"{args.command} needs {NEEDS_TARGET[args.command]}")
    environ = dict(os.environ)
    production = environ.get("LIFT_ENV") == "production"
    if args.command in ("vapid", "backup", "restore", "reset-link", "delete-account"):
        # Production's start-up checks guard serving; making the very keys they ask for,
        # copying the database, making a reset link or deleting an account must work without them.
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
            return copy_database(args.command, settings, Path(args.target))
        if args.command == "reset-link":
            # Serving's checks are skipped, not the one about the link itself: the only use of
            # LIFT_PUBLIC_URL is this link, and an http:// one would send its token in the clear.
            if production and (problem := public_url_problem(settings.public_url)):
                raise SettingsError(problem)
            return asyncio.run(reset_link(settings, args.target))
        if args.command == "delete-account":
            return asyncio.run(delete_account(settings, args.target, ask=not args.yes))
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


async def existing_database(settings, readers: int):
    """The data directory's database, open; None, said in one line, when there is none: opening
    it would make an empty database, and a wrong LIFT_DATA_DIR is the likely cause."""
    from lift.db.connection import Database

    if not settings.database_path.exists():
        print(f"lift: no database at {settings.database_path} (is LIFT_DATA_DIR set?)", file=sys.stderr)
        return None
    db = Database(settings.database_path, readers=readers)
    await db.open()
    return db


async def reset_link(settings, email: str) -> int:
    """Print a single-use link that lets the account with this email choose a new password."""
    from lift.db.clock import utc_now
    from lift.db.password_resets import create_reset_link
    from lift.domain.accounts import normalise_email
    from lift.domain.password_resets import RESET_LINK_HOURS, reset_link as link_for

    if (db := await existing_database(settings, readers=0)) is None:
        return 1
    address = normalise_email(email)
    try:
        made = await create_reset_link(db, address, utc_now())
    finally:
        await db.close()
    if made is None:
        print(f"lift: no account has the email {email!r} in {settings.database_path}", file=sys.stderr)
        return 1
    token, expires_at = made
    print(f"lift: a password reset link for {address}. It works once, for {RESET_LINK_HOURS}"
          f" hours (until {expires_at:%Y-%m-%d %H:%M} UTC), and replaces any earlier link for this account.")
    if not settings.public_url:
        print("lift: LIFT_PUBLIC_URL is not set, so this is the link's path: put the address people open"
              " Lift at in front of it.")
    print("lift: anyone who has the link can set the password: give it only to the account's owner,"
          " in person or through a number or account you know is theirs.")
    print(link_for(settings.public_url, token))
    return 0


async def delete_account(settings, email: str, ask: bool = True) -> int:
    """Delete the account with this email exactly as its owner's Delete my account does (one
    deletion path: db/data_rights.delete_account), after showing it and, unless `ask` is off,
    having the operator type its email again. Exit codes: 0 deleted; 1 nothing deleted (a
    different answer, the account changed meanwhile, no database); 2 no account has this email.
    Safe beside a running server: the write takes the same write turn as its processes."""
    from lift.db.data_rights import account_on_record, delete_account as delete
    from lift.domain.accounts import normalise_email
    from lift.domain.data_rights import confirms, deletion_summary

    if (db := await existing_database(settings, readers=1)) is None:
        return 1
    address = normalise_email(email)
    try:
        account = await account_on_record(db, address)
        if account is None:
            print(f"lift: no account has the email {email!r} in {settings.database_path}", file=sys.stderr)
            return 2
        print("lift: this deletes the account below and everything in it, for good (audit entries stay):")
        for line in deletion_summary(account):
            print(f"  {line}")
        if ask:
            print("Type the account's email again to delete it (anything else keeps it):", flush=True)
            try:
                typed = input()
            except EOFError:  # no answer: keep it
                typed = ""
            except KeyboardInterrupt:  # Ctrl-C: keep it, on a line of its own
                print(file=sys.stderr)
                typed = ""
            if not confirms(typed, account.user.email):
                print("lift: that is not the account's email; nothing was deleted", file=sys.stderr)
                return 1
            # Minutes may have passed: the account may have been deleted, or deleted and made
            # again with the same email (and, SQLite reusing ids, the same id), from the app.
            again = await account_on_record(db, address)
            if again is None or (again.user.id, again.created_at) != (account.user.id, account.created_at):
                print("lift: the account changed while you were confirming; nothing was deleted (run the"
                      " command again)", file=sys.stderr)
                return 1
        if not await delete(db, account.user):
            print("lift: the account was deleted meanwhile; nothing more was deleted", file=sys.stderr)
            return 1
    finally:
        await db.close()
    print(f"lift: deleted the account {account.user.email} ({account.user.role}). Backups made before now"
          " still hold it until they are deleted.")
    return 0


def serve(settings) -> int:
    import uvicorn

    from lift.app import create_app
    from lift.logs import configure_logging

    configure_logging()
    print(f"lift: serving on http://{settings.host}:{settings.port} (data in {settings.data_dir})", flush=True)
    # Lift writes its own JSON request log with route templates; uvicorn's access log would
    # print concrete paths, and a calendar feed's path is a secret. No "server: uvicorn" header:
    # naming the server and its version only helps someone looking for a known hole in it.
    server = {"host": settings.host, "port": settings.port, "log_level": "info", "access_log": False,
              "server_header": False, "timeout_graceful_shutdown": 10}
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
