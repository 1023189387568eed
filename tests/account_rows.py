"""After an account is deleted, which rows still name it, read from the schema itself: every
foreign key to users, and every email column. A table added later is checked without editing
a list. Used by the in-app deletion tests and the operator command's."""

from __future__ import annotations

import sqlite3


def rows_naming(conn: sqlite3.Connection, user_id: int, email: str) -> tuple[list[str], int]:
    """The table.column places that still hold a row naming the account, and how many foreign
    keys to users were checked."""
    left, checked = [], 0
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for fk in conn.execute(f"PRAGMA foreign_key_list({table})").fetchall():
            if fk[2] == "users":  # (id, seq, table, from, to, ...)
                checked += 1
                if conn.execute(f"SELECT count(*) FROM {table} WHERE {fk[3]} = ?", (user_id,)).fetchone()[0]:
                    left.append(f"{table}.{fk[3]}")
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})").fetchall()}
        for column in sorted(columns & {"email", "actor_email"}):
            if conn.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", (email,)).fetchone()[0]:
                left.append(f"{table}.{column}")
    return left, checked
