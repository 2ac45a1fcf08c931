"""Damaged or full storage: the cache is rebuilt, the user's state is never deleted, drafts are kept."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from termnews.models import SourceSpec
from termnews.paths import Paths
from termnews.store import Store, StoreError, View
from termnews.update import RefreshSettings, refresh

GARBAGE = b"this is not a database \x1b]0;x\x07" * 300
INLINE = RefreshSettings(parse_workers=0)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seeded(paths, tmp_path: Path):
    folder = tmp_path / "articles"
    folder.mkdir(exist_ok=True)
    for n in range(5):
        (folder / f"a{n}.txt").write_text(f"Article {n}\n\nbody {n}\n")
    spec = SourceSpec("local", "local", str(folder))
    store = Store(paths)
    refresh(store, [spec], settings=INLINE)
    ids = [h.id for h in store.headlines(View(), 0, 10)]
    store.set_flag(ids[:2], "starred", True)
    for n in range(30):
        store.create_draft(
            article_id=ids[n % 5],
            article_title=f"Article {n % 5}",
            article_link=None,
            article_source="local",
            comment=f"my reply number {n} " + "words " * 50,
        )
    store.set_setting("theme", "nord")
    return store, spec, ids


def test_corrupt_cache_with_wal_and_shm_is_moved_aside_whole_and_rebuilt(paths, tmp_path: Path) -> None:
    store, spec, ids = seeded(paths, tmp_path)
    store.close()
    for suffix, data in (("", GARBAGE), ("-wal", b"wal garbage" * 100), ("-shm", b"shm garbage" * 100)):
        Path(f"{paths.cache_db}{suffix}").write_bytes(data)
    with Store(paths) as store:
        [notice] = store.notices
        assert "cache was unreadable" in notice and "rebuilt" in notice
        moved = sorted(p.name for p in paths.cache_dir.iterdir() if ".corrupt-" in p.name)
        assert moved and moved[0].startswith("cache.sqlite.corrupt-")
        assert (paths.cache_dir / moved[0]).read_bytes() == GARBAGE
        # No stale -wal/-shm is left to be replayed into the new cache (SQLite
        # discards an invalid WAL when the failed connection closes; a valid one is moved).
        for suffix in ("-wal", "-shm"):
            leftover = Path(f"{paths.cache_db}{suffix}")
            assert not leftover.exists() or b"garbage" not in leftover.read_bytes()
        assert store.count(View()) == 0
        refresh(store, [spec], settings=INLINE)
        # The user's data was in state.sqlite all along.
        assert store.count(View()) == 5
        assert store.count(View("starred")) == 2
        assert len(store.drafts()) == 30


def test_corrupt_state_is_kept_and_what_can_be_read_is_salvaged(paths, tmp_path: Path) -> None:
    store, spec, ids = seeded(paths, tmp_path)
    store.close()
    data = bytearray(paths.state_db.read_bytes())
    data[:16] = b"\x1b]0;clobbered\x07"[:16].ljust(16, b"\0")  # a stray write over the header
    paths.state_db.write_bytes(bytes(data))
    before = sha(paths.state_db)
    # Without salvage: refused, the file untouched (as before).
    with pytest.raises(StoreError, match=str(paths.state_db)):
        Store(paths)
    assert sha(paths.state_db) == before
    with Store(paths, salvage_state=True) as store:
        [notice] = store.notices
        [kept] = [
            p
            for p in paths.data_dir.iterdir()
            if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))
        ]
        assert sha(kept) == before, "the original must be kept byte for byte"
        assert str(kept) in notice and str(paths.state_db) in notice
        assert "30 drafts" in notice and "flags" in notice
        drafts = store.drafts()
        assert len(drafts) == 30
        assert {d.comment.split(" words")[0] for d in drafts} == {f"my reply number {n}" for n in range(30)}
        assert store.count(View("starred")) == 2
        assert store.setting("theme") == "nord"
        # The new state file works: a new draft is saved.
        store.create_draft(
            article_id=ids[0],
            article_title="Article 0",
            article_link=None,
            article_source="local",
            comment="after the salvage",
        )
    assert not any(p.name.endswith(".salvage") for p in paths.data_dir.iterdir())


def test_unreadable_state_of_pure_garbage_is_kept_and_a_new_one_started(paths) -> None:
    Store(paths).close()
    for suffix in ("-wal", "-shm"):
        Path(f"{paths.state_db}{suffix}").unlink(missing_ok=True)
    paths.state_db.write_bytes(GARBAGE)
    with Store(paths, salvage_state=True) as store:
        [notice] = store.notices
        assert "nothing could be read" in notice
        assert store.drafts() == []
    [kept] = [p for p in paths.data_dir.iterdir() if ".corrupt-" in p.name]
    assert kept.read_bytes() == GARBAGE


FULL_DISK_SCRIPT = r"""
import asyncio, json, os, resource, signal, sys
sys.path[:0] = sys.argv[2].split(os.pathsep)
from app_support import Notices, make_app, settle

# Past RLIMIT_FSIZE the kernel sends SIGXFSZ, whose default action ends the process (with a core
# dump), and the parent waited for an answer that never came. Ignored, the write fails with EFBIG,
# as on a full disk.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def status(app) -> str:
    return str(app.screen.query_one("#composer-status").render())


async def main():
    app = make_app(sys.argv[1])
    notices = Notices()
    async with app.run_test(size=(120, 40), message_hook=notices.hook) as pilot:
        await settle(app, pilot)
        await pilot.press("enter"); await settle(app, pilot)
        await pilot.press("r"); await settle(app, pilot)
        await pilot.press(*"saved words"); await pilot.pause(1.2); await settle(app, pilot)
        # The disk is full from here: no file may grow.
        _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))
        await pilot.press(*" and more typed on a full disk")
        for _ in range(80):  # until the autosave has tried and failed
            await pilot.pause(0.25)
            if "NOT SAVED" in status(app):
                break
        full = {"text": app.screen.query_one("Composer").read_fields().comment, "status": status(app)}
        # Space is back: the retry saves what is on screen.
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
        for _ in range(80):
            await pilot.pause(0.25)
            if status(app).endswith(" saved"):
                break
        await settle(app, pilot)
        print(json.dumps({"full": full, "after": status(app), "notices": notices.messages}))
        await app.action_quit()

asyncio.run(main())
"""


def test_full_disk_while_saving_a_draft_says_so_and_keeps_the_text(tmp_path: Path, subprocess_env) -> None:
    from app_support import make_home

    home = make_home(tmp_path)
    script = tmp_path / "fulldisk.py"
    script.write_text(FULL_DISK_SCRIPT)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(script), str(home), os.pathsep.join([str(root / "src"), str(root / "tests")])],
        capture_output=True,
        text=True,
        timeout=180,
        env=subprocess_env,
        cwd=str(root),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    typed = "saved words and more typed on a full disk"
    assert out["full"]["text"] == typed, "the text stays on screen"
    assert "NOT SAVED" in out["full"]["status"], out
    assert any(
        "Draft not saved" in n and ("full" in n or "disk" in n or "too large" in n.lower())
        for n in out["notices"]
    ), out["notices"]
    assert out["after"].endswith(" saved"), out
    with Store(Paths.resolve(home)) as store:
        [draft] = store.drafts()
        assert draft.comment == typed, "saved once space was back"
