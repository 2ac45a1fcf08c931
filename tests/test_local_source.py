"""The `local` source: the bundled seeds against their expected results, and hostile folders."""

from __future__ import annotations

import json
import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from termnews.models import FetchContext, FetchResult, SourceSpec
from termnews.sources.local import LocalSource, parse_file

EXPECTED_DIR = Path(__file__).parent / "data" / "seeds_expected"
SEED_NAMES = sorted(p.name for p in (Path(__file__).parent.parent / "seeds").iterdir())

WORDPRESS_FOOTER = "Leave a Reply\n\nYour email address will not be published. Required fields are marked *"
PUTIN_TITLE = "Russia’s Putin won’t congratulate Biden until Trump concede"

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks")


def fetch(folder: Path, ctx: FetchContext = FetchContext(), timeout: float = 15) -> FetchResult:
    """LocalSource.fetch in a daemon thread, failing the test if it does not return in time."""
    box: list[object] = []

    def run() -> None:
        try:
            box.append(LocalSource(SourceSpec("t", "local", str(folder))).fetch(ctx))
        except BaseException as exc:  # reported in the test's thread
            box.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"fetch of {folder} did not return within {timeout} s"
    if isinstance(box[0], BaseException):
        raise box[0]
    assert isinstance(box[0], FetchResult)
    return box[0]


def expected_dates(value: str | None, mtime: float) -> tuple[float | None, float | None]:
    """(published, first_seen): "mtime" marks a file without a date of its own,
    shown undated and ordered by its mtime."""
    if value == "mtime":
        return None, mtime
    return (None if value is None else datetime.fromisoformat(value).timestamp()), mtime


# -- the bundled seeds ---------------------------------------------------------


def test_every_seed_has_expected_results_and_vice_versa() -> None:
    expected = sorted(p.name.removesuffix(".json") for p in EXPECTED_DIR.glob("*.json"))
    assert SEED_NAMES == expected
    # Several headlines, from more than one kind of file.
    assert len(SEED_NAMES) >= 5
    assert {Path(n).suffix for n in SEED_NAMES} >= {".txt", ".md", ".html", ".rss"}


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_parses_as_expected(seeds_dir: Path, name: str) -> None:
    path = seeds_dir / name
    expected = json.loads((EXPECTED_DIR / f"{name}.json").read_text(encoding="utf-8"))
    mtime = path.stat().st_mtime
    articles = parse_file(name, path.read_bytes(), mtime)

    assert len(articles) == len(expected)
    for got, want in zip(articles, expected, strict=True):
        assert got.title == want["title"]
        assert got.body_format == want["body_format"]
        assert got.guid == want["guid"]
        assert got.link == want["link"]
        assert got.author == want["author"]
        published, first_seen = expected_dates(want["published"], mtime)
        assert got.published == published
        assert got.first_seen == (None if name.endswith(".rss") else first_seen)  # a feed's entries: none
        body = want["body"]
        assert len(got.body) == body["length"]
        assert got.body[:60] == body["head"]
        assert got.body[-60:] == body["tail"]
        for piece in body["contains"]:
            assert piece in got.body
        for piece in body["not_contains"]:
            assert piece not in got.body


def test_seeds_folder_fetches_every_expected_article(seeds_dir: Path) -> None:
    result = LocalSource(SourceSpec("seeds", "local", "bundled:seeds")).fetch(FetchContext())
    assert result.error is None
    assert result.warnings == ()
    assert result.body_hash
    expected_guids = sorted(
        entry["guid"]
        for p in EXPECTED_DIR.glob("*.json")
        for entry in json.loads(p.read_text(encoding="utf-8"))
    )
    assert sorted(a.guid for a in result.articles) == expected_guids
    # Dated seeds keep their own date, in the 2020-2026 range.
    dated = [a for a in result.articles if a.link]
    assert dated and all(
        datetime(2020, 1, 1, tzinfo=UTC).timestamp()
        <= a.published
        < datetime(2027, 1, 1, tzinfo=UTC).timestamp()
        for a in dated
    )


def test_txt_seed_keeps_caption_and_drops_wordpress_footer(seeds_dir: Path) -> None:
    path = seeds_dir / "000_f1e186d78982f520.txt"
    raw = path.read_text(encoding="utf-8")
    assert raw.rstrip().endswith("Required fields are marked *")  # the footer is really there
    [article] = parse_file(path.name, path.read_bytes(), None)
    assert article.title == PUTIN_TITLE
    assert "[Photo via Getty Images]" in article.body
    assert article.body.count("[Photo via Getty Images]") == 2
    assert "Leave a Reply" not in article.body
    assert "Your email address will not be published" not in article.body
    assert "Required fields are marked" not in article.body
    assert article.body.endswith(
        "he will be ready to work with any president-elect of the United States,” he said."
    )


# -- .txt and .md rules ---------------------------------------------------------


FULL_FORM = """Leave a Reply Cancel reply

Your email address will not be published. Required fields are marked *

Comment *

Name *

Email *

Website

Save my name, email, and website in this browser for the next time I comment.

Post Comment
"""


def test_txt_drops_the_whole_wordpress_form_at_the_end() -> None:
    text = f"Harbour news\n\nThe ferry runs again.\n\n{FULL_FORM}\n\n"
    [article] = parse_file("ferry.txt", text.encode(), None)
    assert article.body == "The ferry runs again."
    compact = "\n".join(line for line in FULL_FORM.replace(" Cancel reply", "").splitlines() if line)
    [article] = parse_file("ferry.txt", f"Harbour news\nThe ferry runs again.\n{compact}".encode(), None)
    assert article.body == "The ferry runs again."


def test_txt_keeps_a_leave_a_reply_heading_in_the_middle() -> None:
    text = "Etiquette\n\nLeave a Reply\n\nWhy a short reply is best.\n\nEmail *\n\nA field, explained.\n"
    [article] = parse_file("manners.txt", text.encode(), None)
    assert article.body.startswith("Leave a Reply\n") and article.body.endswith("A field, explained.")
    # A form-like tail that is not the form's (a line of the article after it) stays too.
    text = "Etiquette\n\nBody.\n\nLeave a Reply\n\nComment *\n\nWe read every one.\n"
    [article] = parse_file("manners.txt", text.encode(), None)
    assert article.body.endswith("Comment *\n\nWe read every one.")


def test_txt_with_crlf_line_endings() -> None:
    text = f"\n\n  Council approves new bus lanes  \n\nFirst paragraph.\nSecond line.\n\n{WORDPRESS_FOOTER}\n"
    data = text.replace("\n", "\r\n").encode("utf-8")
    [article] = parse_file("bus.txt", data, 1_600_000_000.0)
    assert article.title == "Council approves new bus lanes"
    assert article.body == "First paragraph.\nSecond line."
    assert article.body_format == "text"
    assert article.guid == "bus.txt"
    assert (article.published, article.first_seen) == (None, 1_600_000_000.0)  # undated: ordered by mtime


def test_txt_with_bom_and_empty_txt() -> None:
    [article] = parse_file("bom.txt", "\ufeffTitle\nbody".encode("utf-8"), None)
    assert article.title == "Title"
    assert article.body == "body"
    with pytest.raises(ValueError):
        parse_file("empty.txt", b"\n \n\n", None)


def test_markdown_front_matter() -> None:
    data = (
        b"---\n"
        b'title: "Quoted: a title with a colon"\n'
        b"date: 2023-02-01T10:00:00+02:00\n"
        b"author: 'A. Writer'\n"
        b"link: https://example.org/a?x=1&y=2\n"
        b"unknown: ignored\n"
        b"---\n"
        b"\n"
        b"# A heading that stays in the body\n"
        b"\n"
        b"Text.\n"
    )
    [article] = parse_file("notes/fm.md", data, 5.0)
    assert article.title == "Quoted: a title with a colon"
    assert article.published == datetime(2023, 2, 1, 8, 0, tzinfo=UTC).timestamp()
    assert article.author == "A. Writer"
    assert article.link == "https://example.org/a?x=1&y=2"
    assert article.body == "# A heading that stays in the body\n\nText."
    assert article.body_format == "markdown"
    assert article.guid == "notes/fm.md"


def test_markdown_front_matter_with_crlf_and_dates() -> None:
    data = b"---\r\ntitle: Plain\r\ndate: 2022-06-30\r\n---\r\nBody line\r\n"
    [article] = parse_file("a.md", data, 5.0)
    assert article.title == "Plain"
    assert article.published == datetime(2022, 6, 30, tzinfo=UTC).timestamp()
    assert article.body == "Body line"
    # A date that is not ISO is no date (ordered by the file's time); no title falls back to the heading.
    [article] = parse_file("b.md", b"---\ndate: last tuesday\n---\n# From heading\nx\n", 5.0)
    assert (article.published, article.first_seen) == (None, 5.0)
    assert article.title == "From heading"
    assert article.body == "x"


def test_markdown_without_front_matter_or_heading_uses_file_name() -> None:
    [article] = parse_file("sub/just-text.md", b"Some text with ## no heading.\n", 7.0)
    assert article.title == "just-text"
    assert article.body == "Some text with ## no heading."
    assert article.link is None and article.author is None
    assert (article.published, article.first_seen) == (None, 7.0)


def test_markdown_heading_title_ignores_subheadings() -> None:
    [article] = parse_file("h.md", b"## Second level\n\n# Real title #\n\nbody\n", None)
    assert article.title == "Real title"
    assert article.body == "## Second level\n\n\n\nbody"


# -- folder behaviour ------------------------------------------------------------


def test_unchanged_folder_is_not_modified_on_second_fetch(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Alpha\nbody a\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Beta\nbody b\n", encoding="utf-8")
    first = fetch(tmp_path)
    assert sorted(a.title for a in first.articles) == ["Alpha", "Beta"]
    assert first.body_hash and not first.not_modified

    second = fetch(tmp_path, FetchContext(body_hash=first.body_hash))
    assert second.not_modified
    assert second.body_hash == first.body_hash
    assert second.articles == []

    # A change is seen: new content, new size, new hash.
    (tmp_path / "a.txt").write_text("Alpha, revised\nlonger body a\n", encoding="utf-8")
    third = fetch(tmp_path, FetchContext(body_hash=first.body_hash))
    assert not third.not_modified
    assert third.body_hash != first.body_hash
    assert sorted(a.title for a in third.articles) == ["Alpha, revised", "Beta"]


def test_hidden_files_and_unknown_suffixes_are_ignored(tmp_path: Path) -> None:
    (tmp_path / ".hidden.md").write_text("# Hidden\n", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4\0\0")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text("Deep\nx\n", encoding="utf-8")
    result = fetch(tmp_path)
    assert [(a.title, a.guid) for a in result.articles] == [("Deep", "sub/deep.txt")]
    assert result.warnings == ()


def test_binary_md_is_skipped_with_warning(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("# Good\ntext\n", encoding="utf-8")
    (tmp_path / "blob.md").write_bytes(b"# Looks like markdown\n\x00\x01\x02\xff" * 50)
    result = fetch(tmp_path)
    assert result.error is None
    assert [a.title for a in result.articles] == ["Good"]
    assert any("blob.md" in w and "binary" in w for w in result.warnings), result.warnings


@posix_only
def test_fifo_is_skipped_with_warning_and_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("OK\nbody\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe.md")
    result = fetch(tmp_path, timeout=10)
    assert [a.title for a in result.articles] == ["OK"]
    for name in ("pipe.txt", "pipe.md"):
        assert any(name in w and "not a regular file" in w for w in result.warnings), result.warnings


@posix_only
def test_symlink_out_of_the_folder_is_skipped_with_warning(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("Secret title\nsecret body\n", encoding="utf-8")
    (folder / "ok.txt").write_text("OK\nbody\n", encoding="utf-8")
    (folder / "leak.txt").symlink_to(outside)
    (folder / "leak-relative.txt").symlink_to(Path("..") / "secret.txt")
    (folder / "outdir").symlink_to(tmp_path)  # a folder outside, too
    result = fetch(folder)
    assert [a.title for a in result.articles] == ["OK"]
    assert all("secret" not in a.body for a in result.articles)
    for name in ("leak.txt", "leak-relative.txt", "outdir"):
        assert any(w.startswith(name) and "out of the folder" in w for w in result.warnings), result.warnings


@posix_only
def test_symlink_to_dev_zero_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("OK\nbody\n", encoding="utf-8")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    result = fetch(tmp_path, timeout=10)
    assert [a.title for a in result.articles] == ["OK"]
    assert sum(1 for w in result.warnings if w.startswith(("zero.txt", "zero.md"))) == 2


@posix_only
def test_symlink_inside_the_folder_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("# Real\nbody\n", encoding="utf-8")
    (tmp_path / "alias.md").symlink_to("real.md")
    (tmp_path / "dangling.md").symlink_to("missing.md")
    result = fetch(tmp_path)
    assert [(a.title, a.guid) for a in result.articles] == [("Real", "real.md")]


@posix_only
def test_symlink_loop_is_skipped_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("OK\nbody\n", encoding="utf-8")
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    result = fetch(tmp_path)
    assert [a.title for a in result.articles] == ["OK"]


def test_missing_folder_is_an_error_not_an_exception(tmp_path: Path) -> None:
    result = fetch(tmp_path / "nope")
    assert result.error and "not a folder" in result.error
    assert result.articles == []


def test_bad_feed_file_is_skipped_with_warning(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("OK\nbody\n", encoding="utf-8")
    (tmp_path / "broken.rss").write_text("this is not a feed at all", encoding="utf-8")
    result = fetch(tmp_path)
    assert [a.title for a in result.articles] == ["OK"]
    assert any(w.startswith("broken.rss: skipped") for w in result.warnings), result.warnings
