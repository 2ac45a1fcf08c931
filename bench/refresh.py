"""Benchmark: `termnews refresh` against `newsboat -x reload`, same corpus, same run.

    python bench/refresh.py [--feeds 200] [--entries 50] [--runs 5]

Generates N feeds x M entries (mixed RSS 2.0 and Atom 1.0, 2-8 KB HTML
bodies), serves them on 127.0.0.1 (ETag and Last-Modified, gzip when asked),
and times both readers, each with its own files, in three scenarios:

  cold       empty cache: every feed downloaded, parsed and stored;
  warm       every feed answers 304 Not Modified;
  unchanged  the server sends no validators: 200 with the same body again.

Each feed has a host name of its own (feed-001.bench.test, ...: lines added to
/etc/hosts for the run, pointing at 127.0.0.1, and removed at the end), as
real subscriptions live on many hosts: a per-host connection limit acts as it
does on real feeds. Needs root for /etc/hosts (`--one-host` serves every feed
from 127.0.0.1 instead).

Prints the median wall time of each, the ratio termnews/newsboat and the peak
memory of each program (the largest single process, as `time -v` reports it,
and the peak summed PSS of the whole process tree, sampled every 20 ms: the
fairer figure for a program that runs worker processes).
See bench/README.md.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import gzip
import hashlib
import html
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "the of and to in is was for on that with as by at from his her an were are which this "
    "be or has had not but one all their they new after who been also its more city year "
    "people government police report market council school water energy court minister "
    "election research climate health company village river station museum festival "
    "café naïve résumé Zürich São Paulo Kraków — “quoted” ‘single’ € ünïcödé"
).split()


# -- the corpus ------------------------------------------------------------------------


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])


def _html_body(rng: random.Random, target: int) -> str:
    """A realistic article body of about `target` bytes of HTML."""
    parts: list[str] = []
    size = 0
    while size < target:
        kind = rng.random()
        if kind < 0.6:
            text = " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
            text = html.escape(text, quote=False)
            if rng.random() < 0.5:
                i = text.find(" ", rng.randint(0, max(1, len(text) - 20)))
                if i > 0:
                    text = (
                        text[:i] + f' <a href="https://news.example.org/{rng.randint(1, 99999)}'
                        f'?ref=feed&amp;utm={rng.randint(1, 9)}">{rng.choice(WORDS)}</a>' + text[i:]
                    )
            piece = f"<p>{text}</p>\n"
        elif kind < 0.7:
            piece = (
                f'<figure><img src="https://img.example.org/{rng.randint(1, 99999)}.jpg" '
                f'alt="{html.escape(_sentence(rng))}" width="640" height="360">'
                f"<figcaption>{html.escape(_sentence(rng))}</figcaption></figure>\n"
            )
        elif kind < 0.8:
            items = "".join(f"<li>{html.escape(_sentence(rng))}</li>" for _ in range(rng.randint(2, 5)))
            piece = f"<ul>{items}</ul>\n"
        elif kind < 0.9:
            piece = f"<h2>{html.escape(_sentence(rng))}</h2>\n"
        else:
            piece = f"<blockquote><p><em>{html.escape(_sentence(rng))}</em></p></blockquote>\n"
        parts.append(piece)
        size += len(piece.encode())
    return "".join(parts)


def _rss(rng: random.Random, n: int, entries: int) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wfw="http://wellformedweb.org/CommentAPI/">\n'
        f"<channel><title>Feed {n}: {html.escape(_sentence(rng))}</title>"
        f"<link>https://site{n}.example.org/</link><description>{html.escape(_sentence(rng))}</description>"
        f"<language>en</language><lastBuildDate>{formatdate(1_700_000_000, usegmt=True)}</lastBuildDate>\n"
    ]
    for i in range(entries):
        body = _html_body(rng, rng.randint(2000, 8000))
        link = f"https://site{n}.example.org/{2023 - i % 3}/{i}/story-{rng.randint(1, 10**6)}"
        stamp = 1_700_000_000 - i * rng.randint(600, 7200)
        guid = (
            f'<guid isPermaLink="false">site{n}-{i}</guid>' if rng.random() < 0.5 else f"<guid>{link}</guid>"
        )
        summary = html.escape(_sentence(rng) + " " + _sentence(rng))
        enclosure = (
            f'<enclosure url="https://cdn.example.org/{n}/{i}.mp3" length="{rng.randint(10**5, 10**7)}" type="audio/mpeg"/>'
            if rng.random() < 0.1
            else ""
        )
        date = formatdate(stamp, usegmt=rng.random() < 0.5, localtime=False)
        out.append(
            f"<item><title>{html.escape(_sentence(rng))}</title><link>{link}</link>{guid}"
            f"<pubDate>{date}</pubDate><dc:creator>{html.escape(rng.choice(WORDS).title())} "
            f"{html.escape(rng.choice(WORDS).title())}</dc:creator>"
            f"<category>{rng.choice(WORDS)}</category><category>{rng.choice(WORDS)}</category>"
            f"<description>{summary}</description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<comments>{link}#comments</comments><wfw:commentRss>{link}/feed</wfw:commentRss>"
            f"{enclosure}</item>\n"
        )
    out.append("</channel></rss>\n")
    return "".join(out).encode("utf-8")


def _iso(stamp: float, rng: random.Random) -> str:
    offset = rng.choice([0, 0, 60, -300, 330])
    t = time.gmtime(stamp + offset * 60)
    zone = (
        "Z" if offset == 0 else f"{'+' if offset > 0 else '-'}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    )
    return time.strftime("%Y-%m-%dT%H:%M:%S", t) + zone


def _atom(rng: random.Random, n: int, entries: int) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"<title>Feed {n}: {html.escape(_sentence(rng))}</title><id>urn:uuid:feed-{n}</id>"
        f'<link href="https://blog{n}.example.org/"/><link rel="self" href="https://blog{n}.example.org/atom.xml"/>'
        f"<updated>{_iso(1_700_000_000, rng)}</updated>\n"
    ]
    for i in range(entries):
        body = html.escape(_html_body(rng, rng.randint(2000, 8000)), quote=False)
        stamp = 1_700_000_000 - i * rng.randint(600, 7200)
        link = f"https://blog{n}.example.org/posts/{i}-{rng.randint(1, 10**6)}"
        author = f"<author><name>{html.escape(rng.choice(WORDS).title())}</name></author>"
        summary = (
            f'<summary type="text">{html.escape(_sentence(rng))}</summary>' if rng.random() < 0.7 else ""
        )
        published = f"<published>{_iso(stamp - 60, rng)}</published>" if rng.random() < 0.8 else ""
        out.append(
            f'<entry><title type="html">{html.escape(html.escape(_sentence(rng)))}</title>'
            f'<link rel="alternate" type="text/html" href="{link}"/><id>tag:blog{n}.example.org,2023:{i}</id>'
            f"<updated>{_iso(stamp, rng)}</updated>{published}{author}"
            f'<category term="{rng.choice(WORDS)}"/>{summary}<content type="html">{body}</content></entry>\n'
        )
    out.append("</feed>\n")
    return "".join(out).encode("utf-8")


def make_corpus(feeds: int = 200, entries: int = 50, seed: int = 1) -> dict[str, bytes]:
    """`{path: document}`: even feeds RSS 2.0, odd feeds Atom 1.0."""
    rng = random.Random(seed)
    corpus: dict[str, bytes] = {}
    for n in range(feeds):
        if n % 2 == 0:
            corpus[f"/rss/{n}.xml"] = _rss(rng, n, entries)
        else:
            corpus[f"/atom/{n}.xml"] = _atom(rng, n, entries)
    return corpus


# -- the server --------------------------------------------------------------------------


@dataclass
class _Doc:
    body: bytes
    packed: bytes
    etag: str
    modified: str


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        doc = self.server.docs.get(self.path)
        if doc is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        validators = self.server.validators
        if validators and (
            self.headers.get("If-None-Match") == doc.etag
            or (
                not self.headers.get("If-None-Match")
                and self.headers.get("If-Modified-Since") == doc.modified
            )
        ):
            self.send_response(304)
            self.send_header("ETag", doc.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.server.count("304")
            return
        gz = "gzip" in self.headers.get("Accept-Encoding", "")
        body = doc.packed if gz else doc.body
        self.send_response(200)
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        if validators:
            self.send_header("ETag", doc.etag)
            self.send_header("Last-Modified", doc.modified)
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.count("200")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, docs: dict[str, _Doc], shared: _Shared) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.docs = docs
        self.shared = shared

    @property
    def validators(self) -> bool:
        return bool(self.shared.validators.value)

    def count(self, key: str) -> None:
        counter = self.shared.ok if key == "200" else self.shared.not_modified
        with counter.get_lock():
            counter.value += 1


class _Shared:
    """What the bench and its server process share."""

    def __init__(self) -> None:
        ctx = multiprocessing.get_context("fork")
        self.validators = ctx.Value("b", 1)
        self.ok = ctx.Value("q", 0)
        self.not_modified = ctx.Value("q", 0)

    def counts(self) -> tuple[int, int]:
        return self.ok.value, self.not_modified.value


def _serve(corpus: dict[str, bytes], shared: _Shared, port: multiprocessing.queues.Queue) -> None:
    docs = {
        path: _Doc(
            body,
            gzip.compress(body, 6),
            '"' + hashlib.sha256(body).hexdigest()[:20] + '"',
            formatdate(1_700_000_000, usegmt=True),
        )
        for path, body in corpus.items()
    }
    server = _Server(docs, shared)
    port.put((server.server_address[1], sum(len(d.packed) for d in docs.values())))
    server.serve_forever()


class Server:
    """The corpus served from a process of its own (no GIL shared with the bench)."""

    def __init__(self, corpus: dict[str, bytes]) -> None:
        ctx = multiprocessing.get_context("fork")
        self.shared = _Shared()
        queue = ctx.Queue()
        self.process = ctx.Process(target=_serve, args=(corpus, self.shared, queue), daemon=True)
        self.process.start()
        self.port, self.gzipped = queue.get(timeout=120)

    @property
    def validators(self) -> bool:
        return bool(self.shared.validators.value)

    @validators.setter
    def validators(self, on: bool) -> None:
        self.shared.validators.value = int(on)

    def stop(self) -> None:
        self.process.kill()
        self.process.join()


# -- host names --------------------------------------------------------------------------

HOSTS_FILE = Path("/etc/hosts")
_MARK = "# termnews bench/refresh.py"


def host_name(n: int) -> str:
    return f"feed-{n:03d}.bench.test"


class HostNames:
    """One name per feed in /etc/hosts, all 127.0.0.1, for the length of the bench."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __enter__(self) -> HostNames:
        self._remove()  # lines a killed run left behind
        lines = "".join(f"127.0.0.1 {host_name(n)} {_MARK}\n" for n in range(self.count))
        text = HOSTS_FILE.read_text()
        HOSTS_FILE.write_text(text + ("" if text.endswith("\n") or not text else "\n") + lines)
        return self

    def __exit__(self, *exc: object) -> None:
        self._remove()

    @staticmethod
    def _remove() -> None:
        text = HOSTS_FILE.read_text()
        kept = "".join(line for line in text.splitlines(keepends=True) if _MARK not in line)
        if kept != text:
            HOSTS_FILE.write_text(kept)


# -- measuring ---------------------------------------------------------------------------


def _tree(pid: int) -> list[tuple[int, int]]:
    """(pid, its parent) of pid and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    found, todo = [], [(pid, 0)]
    while todo:
        p, parent = todo.pop()
        found.append((p, parent))
        todo.extend((child, p) for child in children.get(p, []))
    return found


_KCMP = 312 if os.uname().machine == "x86_64" else None  # kcmp(2)'s number; compared: KCMP_VM


def _shares_memory(pid: int, other: int) -> bool:
    """Whether two processes share one address space: a child between vfork and exec, the way
    Python's subprocess starts a program. Its smaps are its parent's, to be counted once."""
    if _KCMP is None:
        return False
    return _libc().syscall(_KCMP, pid, other, 1, 0, 0) == 0


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _memory_kib(pid: int) -> tuple[int, int, str]:
    """(PSS now, peak RSS so far (VmHWM), command name) of one process; zeros if gone."""
    pss = hwm = 0
    name = ""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                    break
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Name:"):
                    name = line.split()[1]
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return pss, hwm, name


@dataclass
class Run:
    seconds: float
    peak_rss_mib: float  # the largest single process (its VmHWM, as `time -v` reports)
    tree_pss_mib: float  # peak of the summed PSS of the process tree
    returncode: int
    processes: dict[int, tuple[str, float]]  # pid: (name, peak RSS MiB)
    indexed_seconds: float = 0.0  # termnews: until the background indexer finished
    indexer_rss_mib: float = 0.0


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    hwm: dict[int, tuple[str, int]] = {}
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            total = 0
            for pid, parent in _tree(proc.pid):
                if parent and _shares_memory(pid, parent):
                    continue
                pss, high, name = _memory_kib(pid)
                total += pss
                if name and high >= hwm.get(pid, ("", 0))[1]:
                    hwm[pid] = (name, high)
            peak = max(peak, total)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        text = err.decode(errors="replace").strip()
        print(f"  ! {' '.join(cmd[:3])} exited {proc.returncode}: {text[-500:]}", file=sys.stderr)
    # ru_maxrss of a child is no use here: a forked child starts with the
    # bench's own (corpus-sized) pages. VmHWM is reset by exec.
    largest = max((h for _, h in hwm.values()), default=0)
    return Run(
        seconds,
        largest / 1024,
        peak / 1024,
        proc.returncode,
        {pid: (name, h / 1024) for pid, (name, h) in hwm.items()},
    )


# -- the two programs ----------------------------------------------------------------------


def compile_termnews(python: str) -> None:
    """Write termnews's bytecode first, as installing it does. The bench runs it from src/;
    with PYTHONDONTWRITEBYTECODE set (as on the machines this runs on) every run would
    otherwise compile every module again, about 0.2 s that no installed copy spends."""
    subprocess.run(
        [python, "-m", "compileall", "-q", str(ROOT / "src")], check=True, stdout=subprocess.DEVNULL
    )


def wait_indexed(home: Path, refresh_seconds: float) -> tuple[float, float]:
    """Wait for the search index the refresh left to a background indexer: (seconds from
    the refresh's start until it is complete, the indexer's peak RSS in MiB)."""
    import sqlite3

    started, peak = time.perf_counter(), 0
    needle = str(home / "cache").encode()
    while True:
        for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"termnews.indexer" in cmdline and needle in cmdline:
                peak = max(peak, _memory_kib(pid)[1])
        with sqlite3.connect(home / "cache" / "cache.sqlite", timeout=30) as conn:
            left = conn.execute("SELECT COUNT(*) FROM articles WHERE fts_key IS NULL").fetchone()[0]
        if not left or time.perf_counter() - started > 600:
            return refresh_seconds + time.perf_counter() - started, peak / 1024
        time.sleep(0.05)


class Termnews:
    name = "termnews"

    def __init__(self, work: Path, urls: list[str], python: str) -> None:
        self.home = work / "termnews"
        self.python = python
        self.env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        (self.home / "config").mkdir(parents=True)
        (self.home / "config" / "config.toml").write_text("[general]\nseeds = false\n")
        opml = work / "feeds.opml"
        outlines = "\n".join(f'<outline type="rss" text="f{i}" xmlUrl="{u}"/>' for i, u in enumerate(urls))
        opml.write_text(
            f'<?xml version="1.0"?>\n<opml version="2.0"><head/><body>\n{outlines}\n</body></opml>\n'
        )
        subprocess.run(
            self._cmd("import-opml", str(opml)), env=self.env, check=True, stdout=subprocess.DEVNULL
        )

    def _cmd(self, *args: str) -> list[str]:
        return [self.python, "-m", "termnews", "--home", str(self.home), *args]

    def clear_cache(self) -> None:
        shutil.rmtree(self.home / "cache", ignore_errors=True)

    def run(self) -> Run:
        run = measure(self._cmd("refresh", "--quiet"), self.env)
        run.indexed_seconds, run.indexer_rss_mib = wait_indexed(self.home, run.seconds)
        return run

    def count(self) -> int:
        import sqlite3

        with sqlite3.connect(self.home / "cache" / "cache.sqlite") as conn:
            return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


class Newsboat:
    name = "newsboat"

    def __init__(self, work: Path, urls: list[str], threads: int | None) -> None:
        self.dir = work / "newsboat"
        self.dir.mkdir()
        self.urls = self.dir / "urls"
        self.urls.write_text("".join(u + "\n" for u in urls))
        self.config = self.dir / "config"
        self.config.write_text(f"reload-threads {threads}\n" if threads else "")
        self.cache = self.dir / "cache.db"

    def clear_cache(self) -> None:
        for p in self.dir.glob("cache.db*"):
            p.unlink()

    def run(self) -> Run:
        return measure(
            [
                "newsboat",
                "-x",
                "reload",
                "-u",
                str(self.urls),
                "-c",
                str(self.cache),
                "-C",
                str(self.config),
            ]
        )

    def count(self) -> int:
        import sqlite3

        with sqlite3.connect(self.cache) as conn:
            return conn.execute("SELECT COUNT(*) FROM rss_item").fetchone()[0]


def scenario(name: str, prog: Termnews | Newsboat, server: Server, runs: int) -> list[Run]:
    results = []
    if name == "cold":
        server.validators = True
        for _ in range(runs):
            prog.clear_cache()
            results.append(prog.run())
    elif name == "warm":
        server.validators = True
        prog.clear_cache()
        # Fill the cache and the validators. Twice: newsboat 2.21 sends its
        # validators only from its third load on (newsboat issue #2734).
        prog.run()
        prog.run()
        results = [prog.run() for _ in range(runs)]
    else:
        server.validators = False
        prog.clear_cache()
        prog.run()
        results = [prog.run() for _ in range(runs)]
        server.validators = True
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per scenario (median shown)")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs termnews")
    parser.add_argument(
        "--newsboat-threads",
        type=int,
        default=None,
        help="newsboat's reload-threads (default: newsboat's own default)",
    )
    parser.add_argument("--only", choices=["termnews", "newsboat"], help="time one program only")
    parser.add_argument(
        "--one-host", action="store_true", help="every feed on 127.0.0.1 (no /etc/hosts lines)"
    )
    args = parser.parse_args()
    if args.one_host:
        return run(args, [])
    with HostNames(args.feeds) as names:
        return run(args, [host_name(n) for n in range(names.count)])


TARGETS = {"cold": 0.5, "warm": 0.25, "unchanged": 0.1}


def run(args: argparse.Namespace, hosts: list[str]) -> int:

    have_newsboat = shutil.which("newsboat") is not None
    if not have_newsboat and args.only != "termnews":
        print(
            "newsboat not found: apt-get install -y newsboat (or run with --only termnews)", file=sys.stderr
        )
        return 2
    began = time.perf_counter()
    corpus = make_corpus(args.feeds, args.entries)
    size = sum(len(b) for b in corpus.values())
    server = Server(corpus)
    urls = [f"http://{hosts[n] if hosts else '127.0.0.1'}:{server.port}{p}" for n, p in enumerate(corpus)]
    print(
        f"corpus: {args.feeds} feeds x {args.entries} entries, {size / 2**20:.1f} MiB "
        f"({server.gzipped / 2**20:.1f} MiB gzipped), {'one host each' if hosts else 'all on 127.0.0.1'}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; {args.runs} runs each"
    )
    with tempfile.TemporaryDirectory(prefix="termnews-bench-") as tmp:
        work = Path(tmp)
        programs: list[Termnews | Newsboat] = []
        if args.only != "newsboat":
            compile_termnews(args.python)
            programs.append(Termnews(work, urls, args.python))
        if args.only != "termnews":
            programs.append(Newsboat(work, urls, args.newsboat_threads))
        table: dict[tuple[str, str], list[Run]] = {}
        answers: dict[tuple[str, str], tuple[int, int]] = {}
        for name in ("cold", "warm", "unchanged"):
            for prog in programs:
                before = server.shared.counts()
                table[(name, prog.name)] = scenario(name, prog, server, args.runs)
                after = server.shared.counts()
                answers[(name, prog.name)] = (after[0] - before[0], after[1] - before[1])
        counts = {p.name: p.count() for p in programs}
    print(f"articles stored: {', '.join(f'{k} {v}' for k, v in counts.items())}")
    print()
    print(f"{'scenario':<10} {'termnews s':>11} {'newsboat s':>11} {'ratio':>7}   target")
    for name in ("cold", "warm", "unchanged"):
        t = table.get((name, "termnews"))
        n = table.get((name, "newsboat"))
        tm = statistics.median(r.seconds for r in t) if t else float("nan")
        nm = statistics.median(r.seconds for r in n) if n else float("nan")
        ratio = tm / nm if t and n else float("nan")
        verdict = "" if not (t and n) else ("met" if ratio <= TARGETS[name] else "MISSED")
        print(f"{name:<10} {tm:>11.3f} {nm:>11.3f} {ratio:>7.2f}   <= {TARGETS[name]} {verdict}")
        for label, runs in (("termnews", t), ("newsboat", n)):
            if runs:
                print(f"{'':<10}   {label} runs: {' '.join(f'{r.seconds:.2f}' for r in runs)}")
        if t and any(r.indexed_seconds > r.seconds + 0.01 for r in t):
            im = statistics.median(r.indexed_seconds for r in t)
            print(
                f"{'':<10}   termnews until its search index is complete (background): {im:.3f} s"
                + (f", ratio {im / nm:.2f}" if n else "")
                + f"; indexer peak RSS {max(r.indexer_rss_mib for r in t):.1f} MiB"
            )
    print()
    print(f"{'peak memory (MiB)':<22} {'largest process':>16} {'whole tree PSS':>15}")
    peaks = {}
    for prog in programs:
        runs = [r for (s, p), rs in table.items() if p == prog.name for r in rs]
        peaks[prog.name] = (max(r.peak_rss_mib for r in runs), max(r.tree_pss_mib for r in runs))
        print(f"{prog.name:<22} {peaks[prog.name][0]:>16.1f} {peaks[prog.name][1]:>15.1f}")
    if len(peaks) == 2:
        print(
            f"ratio termnews/newsboat: largest process {peaks['termnews'][0] / peaks['newsboat'][0]:.2f}, "
            f"whole tree {peaks['termnews'][1] / peaks['newsboat'][1]:.2f}   target <= 2"
        )
    print("\nserver answers per scenario (200 / 304), priming runs included:")
    for (name, prog_name), (ok, nm) in answers.items():
        print(f"  {name:<10} {prog_name:<9} {ok:>5} / {nm}")
    print(f"\nbench took {time.perf_counter() - began:.0f} s; load average now {os.getloadavg()[0]:.1f}")
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
