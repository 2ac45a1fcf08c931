"""The headless side of drafts: validation, saving with compare-and-swap, export, $EDITOR.

Real SQLite files in a temporary profile; "another process" is a real second
Python process writing through `Store`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from termnews.config import Identity
from termnews.drafts import (
    COMMENT_MAX,
    ArticleRef,
    DraftEditor,
    DraftFields,
    draft_to_dict,
    edit_in_editor,
    editor_command,
    export_json,
    export_markdown,
    first_line,
    format_for_path,
    is_plausible_email,
    validate,
    write_export,
)
from termnews.paths import Paths
from termnews.store import DraftConflict, Store
from termnews.text import is_fetchable_url

ARTICLE = ArticleRef(
    "a1",
    "Russia’s Putin won’t congratulate Biden [Photo via Getty Images]",
    "https://example.org/putin",
    "seeds",
)
VALID = DraftFields(
    "A thoughtful reply.\nSecond line.", "Ann Reader", "ann@example.org", "https://ann.example.org"
)


# -- validation -------------------------------------------------------------------


def test_a_complete_reply_is_valid() -> None:
    assert validate(VALID) == {}
    assert validate(DraftFields("Hi", "Ann", "ann@example.org", "")) == {}  # website optional


def test_required_fields_are_named() -> None:
    problems = validate(DraftFields(" \n ", "", "", ""))
    assert problems == {
        "comment": "Comment is required",
        "name": "Name is required",
        "email": "Email is required",
    }


@pytest.mark.parametrize("email", ["ann@example.org", "a.b+c@mail.example.co.uk", " ann@example.org "])
def test_plausible_emails(email: str) -> None:
    assert is_plausible_email(email)


@pytest.mark.parametrize(
    "email",
    [
        "ann",
        "ann@",
        "@example.org",
        "ann@example",
        "a b@example.org",
        "ann@@example.org",
        "ann@example..org",
        "ann@.example.org",
    ],
)
def test_implausible_emails(email: str) -> None:
    assert not is_plausible_email(email)
    assert validate(DraftFields("Hi", "Ann", email)).keys() == {"email"}


@pytest.mark.parametrize(
    "url,ok",
    [
        ("https://ann.example.org", True),
        ("http://example.org/x?y=1", True),
        ("HTTPS://EXAMPLE.ORG", True),
        ("ftp://example.org", False),
        ("javascript:alert(1)", False),
        ("example.org", False),
        ("https://", False),
        ("https://exa mple.org", False),
    ],
)
def test_website_must_be_http(url: str, ok: bool) -> None:
    assert is_fetchable_url(url) is ok
    assert ("website" in validate(DraftFields("Hi", "Ann", "ann@example.org", url))) is (not ok)


def test_comment_length_cap() -> None:
    assert validate(DraftFields("x" * COMMENT_MAX, "Ann", "ann@example.org")) == {}
    problems = validate(DraftFields("x" * (COMMENT_MAX + 1), "Ann", "ann@example.org"))
    assert problems == {"comment": "Comment is too long: 65,526 characters (at most 65,525)"}


def test_first_line_skips_blank_lines_and_control_characters() -> None:
    assert first_line("\n\n  Hello\x1b[31m there\nmore") == "Hello there"
    assert first_line("x" * 100, 10) == "x" * 9 + "…"
    assert first_line("") == ""


# -- the store's compare-and-swap ---------------------------------------------------


def test_create_update_state_delete(store: Store) -> None:
    d = store.create_draft(
        article_id="a1", article_title="T", article_link=None, article_source="seeds", comment="one"
    )
    assert (d.version, d.state, d.comment) == (1, "draft", "one")
    d2 = store.update_draft(d.id, 1, comment="two", name="n", email="e", website="")
    assert (d2.version, d2.comment, d2.state) == (2, "two", "draft")
    assert d2.updated >= d.updated
    d3 = store.set_draft_state(d.id, 2, "ready")
    assert (d3.version, d3.state) == (3, "ready")
    with pytest.raises(DraftConflict) as stale:
        store.update_draft(d.id, 2, comment="stale", name="", email="", website="")
    assert stale.value.current == d3
    assert store.draft(d.id).comment == "two"
    with pytest.raises(ValueError):
        store.set_draft_state(d.id, 3, "sent")
    assert store.delete_draft(d.id)
    assert not store.delete_draft(d.id)
    with pytest.raises(DraftConflict) as gone:
        store.update_draft(d.id, 3, comment="x", name="", email="", website="")
    assert gone.value.current is None


# -- DraftEditor --------------------------------------------------------------------


def test_an_untouched_form_leaves_no_draft(store: Store) -> None:
    defaults = DraftFields.from_identity(Identity("Ann", "ann@example.org"))
    editor = DraftEditor(store, ARTICLE, None, defaults)
    editor.stage(defaults)
    outcome = editor.flush()
    assert not outcome.wrote and outcome.draft is None
    assert store.drafts() == []


def test_editor_creates_then_updates_one_row(store: Store) -> None:
    editor = DraftEditor(store, ARTICLE)
    editor.stage(DraftFields("Hel"))
    first = editor.flush()
    assert first.created and first.draft.comment == "Hel"
    assert first.draft.article_title == ARTICLE.title and first.draft.article_link == ARTICLE.link
    editor.stage(DraftFields("Hello"))
    second = editor.flush()
    assert second.wrote and not second.created and second.draft.version == 2
    assert not editor.flush().wrote  # nothing new: no write
    assert [d.comment for d in store.drafts()] == ["Hello"]


def test_invalid_words_are_saved_all_the_same(store: Store) -> None:
    editor = DraftEditor(store, ARTICLE)
    editor.stage(DraftFields("half a thought", "", "not-an-email", "ftp://x"))
    assert editor.flush().wrote
    stored = store.drafts()[0]
    assert (stored.comment, stored.email, stored.website) == ("half a thought", "not-an-email", "ftp://x")


def test_ready_and_back_and_editing_a_ready_draft(store: Store) -> None:
    editor = DraftEditor(store, ARTICLE)
    editor.stage(VALID)
    assert editor.flush("ready").draft.state == "ready"
    assert editor.flush("draft").draft.state == "draft"  # same words, state only
    assert editor.flush("ready").draft.state == "ready"
    editor.stage(DraftFields(VALID.comment + " More.", VALID.name, VALID.email, VALID.website))
    edited = editor.flush()
    assert edited.draft.state == "draft"  # ready meant "these exact words"
    assert store.draft(edited.draft.id).comment.endswith("More.")


def test_latest_staged_fields_win_however_flushes_interleave(store: Store) -> None:
    editor = DraftEditor(store, ARTICLE)
    editor.stage(DraftFields("old"))
    editor.stage(DraftFields("new"))
    editor.flush()
    editor.flush()
    assert store.drafts()[0].comment == "new"


def test_a_conflicting_edit_keeps_both_versions(store: Store, paths: Paths) -> None:
    mine = DraftEditor(store, ARTICLE)
    mine.stage(DraftFields("base"))
    base = mine.flush().draft
    with Store(paths) as other_connection:  # as a second window would
        theirs = DraftEditor(other_connection, ARTICLE, other_connection.draft(base.id))
        theirs.stage(DraftFields("their words"))
        theirs.flush()
    mine.stage(DraftFields("my words"))
    outcome = mine.flush()
    assert outcome.created and outcome.conflict is not None
    assert outcome.conflict.comment == "their words"
    assert f"draft #{outcome.draft.id}" in outcome.message and f"#{base.id}" in outcome.message
    assert "both versions are kept" in outcome.message
    assert sorted(d.comment for d in store.drafts()) == ["my words", "their words"]
    # The editor now follows the new row: the next save is an ordinary one.
    mine.stage(DraftFields("my words, more"))
    later = mine.flush()
    assert later.draft.id == outcome.draft.id and not later.created and later.message is None


def test_same_words_saved_elsewhere_are_not_kept_twice(store: Store) -> None:
    mine = DraftEditor(store, ARTICLE)
    mine.stage(DraftFields("base"))
    base = mine.flush().draft
    store.update_draft(base.id, base.version, comment="same", name="", email="", website="")
    mine.stage(DraftFields("same"))
    outcome = mine.flush()
    assert outcome.message is None and len(store.drafts()) == 1


def test_a_draft_deleted_elsewhere_is_saved_again(store: Store) -> None:
    editor = DraftEditor(store, ARTICLE)
    editor.stage(DraftFields("keep me"))
    first = editor.flush().draft
    store.delete_draft(first.id)
    editor.stage(DraftFields("keep me, please"))
    outcome = editor.flush()
    assert "was deleted elsewhere" in outcome.message
    assert [d.comment for d in store.drafts()] == ["keep me, please"]


# -- two processes -----------------------------------------------------------------

WRITER = textwrap.dedent("""
    import json, sys, time
    from termnews.drafts import ArticleRef, DraftEditor, DraftFields
    from termnews.paths import Paths
    from termnews.store import Store
    home, mode, draft_id, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    store = Store(Paths.resolve(home))
    editor = DraftEditor(store, ArticleRef("a1", "T", None, "seeds"), store.draft(draft_id))
    print("ready", flush=True)
    sys.stdin.readline()  # wait for "go"
    start = time.time()
    outcomes = []
    for n in range(count):
        editor.stage(DraftFields(f"{mode} {n}"))
        outcome = editor.flush()
        outcomes.append(outcome.message)
    print(json.dumps({"start": start, "end": time.time(), "messages": outcomes,
                      "draft": editor.draft.id}), flush=True)
    store.close()
""")


def _writer(subprocess_env: dict[str, str], home: Path, mode: str, draft_id: int, count: int):
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(home), mode, str(draft_id), str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env,
    )
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def _finish(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return json.loads(out)


def test_two_processes_writing_at_once_lose_nothing(
    store: Store, paths: Paths, tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    theirs = store.create_draft(article_id="a1", article_title="T", article_link=None, article_source="seeds")
    mine = DraftEditor(store, ARTICLE)
    process = _writer(subprocess_env, tmp_path / "home", "theirs", theirs.id, 200)
    process.stdin.write("go\n")
    process.stdin.flush()
    start = time.time()
    for n in range(200):
        mine.stage(DraftFields(f"mine {n}"))
        mine.flush()
    end = time.time()
    report = _finish(process)
    # The two writers really overlapped in time (busy timeout, not luck of turns).
    assert report["start"] < end and start < report["end"]
    assert report["messages"] == [None] * 200  # different rows: no conflict
    assert store.draft(theirs.id).comment == "theirs 199"
    assert store.draft(theirs.id).version == 201
    assert store.draft(mine.draft.id).comment == "mine 199"
    assert store.draft(mine.draft.id).version == 200


def test_two_processes_editing_the_same_draft_keep_both(
    store: Store, tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    base = store.create_draft(
        article_id="a1", article_title="T", article_link=None, article_source="seeds", comment="base"
    )
    mine = DraftEditor(store, ARTICLE, store.draft(base.id))
    process = _writer(subprocess_env, tmp_path / "home", "theirs", base.id, 1)
    process.stdin.write("go\n")
    process.stdin.flush()
    mine.stage(DraftFields("mine 0"))
    my_outcome = mine.flush()
    report = _finish(process)
    rows = store.drafts("a1")
    assert sorted(d.comment for d in rows) == ["mine 0", "theirs 0"]
    messages = [m for m in [my_outcome.message, *report["messages"]] if m]
    assert len(messages) == 1 and "both versions are kept" in messages[0]


# -- drafts outlive the cache ----------------------------------------------------------


def test_deleting_the_cache_folder_keeps_every_draft(paths: Paths) -> None:
    with Store(paths) as store:
        editor = DraftEditor(store, ARTICLE)
        editor.stage(VALID)
        editor.flush("ready")
        other = DraftEditor(store, ArticleRef("a2", "Second", None, "feed"))
        other.stage(DraftFields("second"))
        other.flush()
    shutil.rmtree(paths.cache_dir)
    with Store(paths) as store:
        drafts = store.drafts()
        assert {d.comment for d in drafts} == {VALID.comment, "second"}
        kept = next(d for d in drafts if d.article_id == "a1")
        assert (kept.article_title, kept.article_link, kept.article_source, kept.state) == (
            ARTICLE.title,
            ARTICLE.link,
            "seeds",
            "ready",
        )


# -- export ------------------------------------------------------------------------


def test_export_json_has_every_field_and_problems(store: Store) -> None:
    editor = DraftEditor(store, ARTICLE)
    editor.stage(DraftFields("Hi [b]there[/b]", "Ann", "nope"))
    editor.flush()
    data = json.loads(export_json(store.drafts()))
    assert len(data) == 1
    row = data[0]
    assert row["comment"] == "Hi [b]there[/b]" and row["article_title"] == ARTICLE.title
    assert row["problems"] == {"email": "Not an email address (expected name@example.org)"}
    assert row["created"].startswith(time.strftime("%Y-"))
    assert draft_to_dict(store.drafts()[0])["state"] == "draft"


def test_export_markdown_reads_as_written(store: Store) -> None:
    editor = DraftEditor(store, ARTICLE)
    editor.stage(VALID)
    editor.flush("ready")
    text = export_markdown(store.drafts())
    assert text.startswith("# termnews drafts (1)\n")
    assert "## Reply to: Russia’s Putin won’t congratulate Biden \\[Photo via Getty Images\\]" in text
    assert "- Draft: #1 (ready)" in text and "- Article: https://example.org/putin" in text
    assert "- Email: ann@example.org" in text
    assert "\nA thoughtful reply.\nSecond line.\n" in text


def test_format_for_path() -> None:
    assert format_for_path("out.json") == "json"
    assert format_for_path("out.JSON") == "json"
    assert format_for_path("out.md") == "md"
    assert format_for_path(None) == "md"
    assert format_for_path("out.md", "json") == "json"
    with pytest.raises(ValueError):
        format_for_path("x", "pdf")


def test_write_export_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "drafts.md"
    write_export(target, "first")
    write_export(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert [p.name for p in target.parent.iterdir()] == ["drafts.md"]


# -- $VISUAL / $EDITOR ------------------------------------------------------------------


def test_editor_command_prefers_visual_and_splits_like_a_shell() -> None:
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "vi"}) == ["code", "--wait"]
    assert editor_command({"EDITOR": "'my editor' -n"}) == ["my editor", "-n"]
    assert editor_command({"VISUAL": "  ", "PATH": ""}) is None


def _script(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "editor.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    return [sys.executable, str(script)]


def test_edit_round_trip(tmp_path: Path) -> None:
    editor = _script(
        tmp_path,
        """
        import sys
        path = sys.argv[1]
        text = open(path, encoding="utf-8").read()
        open(path, "w", encoding="utf-8").write(text.upper() + "Added in the editor ✓\\n")
    """,
    )
    result = edit_in_editor("draft words", editor)
    assert result == type(result)("DRAFT WORDS\nAdded in the editor ✓", True, None)


def test_the_file_handed_to_the_editor_ends_with_a_newline(tmp_path: Path) -> None:
    appending = _script(
        tmp_path,
        """
        import sys
        open(sys.argv[1], "a", encoding="utf-8").write("a line of its own\\n")
    """,
    )
    result = edit_in_editor("draft words", appending)
    assert (result.text, result.changed) == ("draft words\na line of its own", True)
    # Text that ends with a newline already gets no second one.
    assert edit_in_editor("two\n", appending).text == "two\na line of its own\n"


def test_editor_failure_or_no_change_keeps_the_text(tmp_path: Path) -> None:
    failing = _script(
        tmp_path,
        """
        import sys
        open(sys.argv[1], "w").write("half-written")
        sys.exit(3)
    """,
    )
    result = edit_in_editor("mine", failing)
    assert (result.text, result.changed) == ("mine", False)
    assert "exited with status 3" in result.error
    untouched = edit_in_editor("mine", [sys.executable, "-c", "pass"])
    assert (untouched.text, untouched.changed, untouched.error) == ("mine", False, None)
    missing = edit_in_editor("mine", [str(tmp_path / "no-such-editor")])
    assert missing.text == "mine" and "could not start" in missing.error


def test_drafts_core_does_not_import_textual(subprocess_env: dict[str, str]) -> None:
    code = "import sys, termnews.drafts, termnews.cli_drafts; print('textual' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env, check=True
    ).stdout
    assert out.strip() == "False"
