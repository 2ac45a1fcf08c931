"""The real program, under a real pseudo-terminal, over hostile feeds: the raw bytes it writes.

termnews runs as `python -m termnews --home H` with a pty as its terminal; the
test opens hostile articles with the keys a person would press and reads every
byte written to the terminal. Textual's own escape sequences are fine; none of
the sequences the feeds carry may be among them.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from hostile_payloads import INJECTED_BYTES, hostile_atom, hostile_json, hostile_rss

from app_support import make_home
from termnews.session import Session
from termnews.update import RefreshSettings, refresh

# OSC sequences: Textual itself writes none that set a title or the clipboard.
_OSC = re.compile(rb"\x1b\](\d+);")


def hostile_home(tmp_path: Path) -> Path:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "rss.xml").write_bytes(hostile_rss("Pty", raw_controls=True))
    (feeds / "atom.xml").write_bytes(hostile_atom("PtyAtom"))
    (feeds / "json.json").write_bytes(hostile_json("PtyJson"))
    extra = "".join(
        f'\n[[sources]]\nname = "{name}"\nkind = "feed"\nlocation = "{feeds / name}"\n'
        for name in ("rss.xml", "atom.xml", "json.json")
    )
    home = make_home(tmp_path, extra)
    session = Session.open(str(home))
    try:
        outcomes = refresh(session.store, session.specs(), settings=RefreshSettings(parse_workers=0))
        assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
    finally:
        session.close()
    return home


def read_for(fd: int, seconds: float, sink: bytearray) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            sink.extend(chunk)


def test_tui_over_hostile_feeds_writes_none_of_their_sequences(tmp_path: Path, subprocess_env) -> None:
    home = hostile_home(tmp_path)
    root = Path(__file__).resolve().parents[2]
    env = dict(subprocess_env, TERM="xterm-256color", COLUMNS="140", LINES="45", TZ="UTC")
    env.pop("TERMNEWS_EXIT_AFTER_FIRST_PAINT", None)
    master, slave = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 140, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "termnews", "--home", str(home)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=str(root),
        start_new_session=True,
    )
    os.close(slave)
    out = bytearray()
    try:
        read_for(master, 8, out)
        # Newest first: the hostile entries are dated 2023-11, after the seeds? Walk them all.
        for _ in range(12):
            os.write(master, b"\r")  # open the article under the cursor
            read_for(master, 0.8, out)
            os.write(master, b"j")  # next headline
            read_for(master, 0.3, out)
        os.write(master, b"q")
        read_for(master, 5, out)
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
    data = bytes(out)
    if os.environ.get("HOSTILE_DUMP"):
        Path(os.environ["HOSTILE_DUMP"]).write_bytes(data)
    assert proc.returncode == 0, data[-2000:]
    # The hostile articles were on screen (their words, cleaned) ...
    for word in (b"Pty title", b"PtyAtom", b"PtyJson", b"author"):
        assert word in data, f"{word!r} never shown"
    assert b"[@click=app.quit]press me[/]" in data or b"[@click=app.quit]" in data, "markup is shown as text"
    # ... and none of their sequences reached the terminal.
    for payload in INJECTED_BYTES:
        assert payload not in data, f"{payload!r} was written to the terminal"
    # Textual's own OSCs (22: the mouse pointer's shape) end with BEL; no other BEL may appear.
    assert b"\x07" not in re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", data)
    bad_osc = [m.group(0) for m in _OSC.finditer(data) if m.group(1) in (b"0", b"1", b"2", b"52")]
    assert bad_osc == [], bad_osc
