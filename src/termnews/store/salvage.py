"""Damaged files: move them aside whole, and recover what a damaged state file still holds."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

_SALVAGE_TABLES = ("flags", "drafts", "subscriptions", "settings", "inbox")


def move_aside(path: Path) -> Path:
    """Rename a database and its -wal and -shm to `NAME.corrupt-STAMP`; never delete them."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            shutil.move(part, Path(f"{target}{suffix}"))
    return target


def _open_read_only(path: Path) -> sqlite3.Connection:
    """`immutable`: nothing, not even a journal, is written beside the file."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _open_damaged(original: Path, repaired: Path) -> sqlite3.Connection | None:
    """The damaged file, or a copy with its 16-byte magic string put back; None if neither reads."""
    try:
        return _open_read_only(original)
    except sqlite3.Error:
        pass
    try:
        data = bytearray(original.read_bytes())
        data[:16] = b"SQLite format 3\0"
        repaired.write_bytes(bytes(data))
        return _open_read_only(repaired)
    except (OSError, sqlite3.Error):
        return None


def _readable_rows(source: sqlite3.Connection, table: str, names: str) -> list[tuple]:
    """Every row of `table` that can still be read: one at a time, so a damaged page loses only its rows."""
    if table == "flags":  # WITHOUT ROWID: all or nothing
        try:
            return source.execute(f"SELECT {names} FROM {table}").fetchall()
        except sqlite3.Error:
            return []
    rows: list[tuple] = []
    try:
        rowids = [r[0] for r in source.execute(f"SELECT rowid FROM {table}")]
    except sqlite3.Error:
        return rows
    for rowid in rowids:
        try:
            rows.extend(source.execute(f"SELECT {names} FROM {table} WHERE rowid = ?", (rowid,)))
        except sqlite3.Error:
            continue
    return rows


def _copy_table(conn: sqlite3.Connection, source: sqlite3.Connection, table: str) -> int:
    try:
        wanted = [r[1] for r in conn.execute(f"PRAGMA state.table_info({table})")]
        columns = [r[1] for r in source.execute(f"PRAGMA table_info({table})") if r[1] in wanted]
    except sqlite3.Error:
        return 0
    if not columns:
        return 0
    names = ", ".join(columns)
    rows = [r for r in _readable_rows(source, table, names) if r]
    conn.executemany(
        f"INSERT OR IGNORE INTO state.{table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows
    )
    return len(rows)


def salvage_state(conn: sqlite3.Connection, original: Path) -> dict[str, int]:
    """Copy every row still readable from a damaged state file into `state` (attached to `conn`).

    A table, or a row, that cannot be read is skipped. Returns the number of
    rows recovered per table.
    """
    repaired = original.with_name(original.name + ".salvage")
    source = _open_damaged(original, repaired)
    if source is None:
        repaired.unlink(missing_ok=True)
        return {}
    try:
        copied = {table: _copy_table(conn, source, table) for table in _SALVAGE_TABLES}
    finally:
        source.close()
        repaired.unlink(missing_ok=True)  # our own scratch copy, never the user's file
    return {table: n for table, n in copied.items() if n}
