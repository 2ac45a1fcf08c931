"""The `termnews` command pauses the garbage collector while it starts, and resumes it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from app_support import make_app, make_home, settle
from termnews import collector, launch


@pytest.fixture
def paused() -> Iterator[None]:
    """The collector paused as the command pauses it; afterwards as the test process had it."""
    collector.pause()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_subcommand_collects_again_once_its_arguments_are_read(paused, tmp_path: Path) -> None:
    assert launch.main(["--home", str(make_home(tmp_path)), "headlines"]) == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what start-up built is left out of later collections


async def test_the_app_collects_again_after_its_first_paint(paused, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0


def test_an_app_in_another_program_leaves_its_collector_alone(tmp_path: Path) -> None:
    collector.resume()  # the collector was never paused: nothing to freeze
    assert gc.isenabled() and gc.get_freeze_count() == 0
