"""Opening a link in the person's browser, safely.

Only http, https and mailto open (see `text.is_safe_url`). The browser is
started with an argument list, never through a shell: `$BROWSER` (split like a
shell would, the URL added as one last argument), else the desktop's opener.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

from termnews.text import why_unsafe_url


class LinkRefused(ValueError):
    pass


def browser_command(url: str) -> list[str]:
    configured = os.environ.get("BROWSER", "").split(os.pathsep)[0].strip()
    if configured:
        return [*shlex.split(configured), url]
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener):
        return [opener, url]
    raise LinkRefused("no browser found: set $BROWSER")


def open_link(url: str) -> None:
    """Start the browser on `url` and return at once; raises LinkRefused."""
    if (why := why_unsafe_url(url)) is not None:
        raise LinkRefused(f"not opened: {why} ({url[:80]!r})")
    command = browser_command(url)
    try:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        raise LinkRefused(f"could not start {command[0]}: {exc.strerror or exc}") from exc
