"""Consistent copies of the live database, and the checks a restore must pass.

SQLite's online backup API copies a consistent snapshot while the app keeps writing: in
WAL mode readers never block the writer, so a backup needs no downtime.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from lift.db.connection import _migration_files


class BackupError(Exception):
    """A copy that must not be trusted or restored; the message says why in one line."""


def latest_schema_version() -> int:
    return max(version for version, _, _ in _migration_files())


def backup_database(source: Path, destination: Path) -> None:
    """Copy the live database to `destination`, then prove the copy is sound."""
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=".lift-backup-", dir=destination.parent)
    os.close(fd)
    try:
        # sqlite3's `with` commits but does not close: close both, so no -wal or -shm is left
        # beside the temporary name. The copy leaves WAL mode (the live file's, copied with its
        # pages) to be one self-contained file; Lift turns WAL on again when it opens it.
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(partial)) as copy:
            live.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        problem = database_problem(Path(partial))
        if problem:
            raise BackupError(f"the copy failed its check: {problem}")
        os.chmod(partial, 0o600)
        os.replace(partial, destination)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def database_problem(path: Path) -> str | None:
    """Why this file cannot be restored, or None: it must be an intact Lift database whose
    schema is not newer than this version of Lift understands."""
    if not path.is_file():
        return f"{path} does not exist"
    try:
        # Immutable: read exactly the bytes a restore copies, and make no -wal or -shm beside them.
        with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                return f"integrity check failed ({integrity})"
            version = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return f"not a readable Lift database ({exc})"
    if version is None:
        return "it has no applied migrations"
    if version > latest_schema_version():
        return f"its schema version {version} is newer than this Lift understands ({latest_schema_version()})"
    return None


def restore_database(backup: Path, target: Path) -> None:
    """Replace the database with a checked backup. Lift must be stopped while this runs."""
    problem = database_problem(backup)
    if problem:
        raise BackupError(f"refusing to restore {backup}: {problem}")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    partial = target.with_name(target.name + ".restoring")
    shutil.copyfile(backup, partial)
    os.chmod(partial, 0o600)
    os.replace(partial, target)
