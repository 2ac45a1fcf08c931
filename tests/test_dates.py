"""Feed dates: the forms real feeds write, read right or not at all."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from termnews.dates import parse_date


def utc(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


READ = {
    "Tue, 05 Mar 2024 08:30:00 +0100": "2024-03-05T07:30:00",
    "Tue, 05 Mar 2024 07:30:00 GMT": "2024-03-05T07:30:00",
    "5 Mar 2024 07:30:00 Z": "2024-03-05T07:30:00",
    "2024-03-05T07:30:00Z": "2024-03-05T07:30:00",
    "2024-03-05T08:30:00.123+01:00": "2024-03-05T07:30:00.123",
    "2024-03-05 08:30:00 +0100": "2024-03-05T07:30:00",
    "2024-03-05": "2024-03-05T00:00:00",
    # ordinal days
    "Mon, 16th Nov 2020 13:16:28 GMT": "2020-11-16T13:16:28",
    "Sun, 1st Mar 2020 00:00:00 +0000": "2020-03-01T00:00:00",
    # day and month names in other languages
    "Di, 23 Jan 2018 00:00:00 +0100": "2018-01-22T23:00:00",
    "Mi, 14 Mär 2018 10:00:00 +0100": "2018-03-14T09:00:00",
    "16. März 2021 um 10:00": "2021-03-16T10:00:00",
    "mar., 23 janv. 2018 10:00:00 +0100": "2018-01-23T09:00:00",
    "jeu., 1 août 2019 12:00:00 +0200": "2019-08-01T10:00:00",
    "Mié, 24 Ene 2018 10:00 CET": "2018-01-24T09:00:00",
    "Mar, 6 Feb 2018 10:00:00 +0000": "2018-02-06T10:00:00",  # "Mar" is Tuesday in Spanish
    "sexta-feira, 5 de março de 2021 09:00": "2021-03-05T09:00:00",
    "gio, 12 ott 2023 8:00:00 +0200": "2023-10-12T06:00:00",
    "wo, 11 okt 2023 08:00:00 +0200": "2023-10-11T06:00:00",
    "za, 4 mei 2024 08:00:00 +0200": "2024-05-04T06:00:00",
    # US forms
    "Apr 16, 2023 08:01 GMT": "2023-04-16T08:01:00",
    "April 16, 2023 8:01 PM EDT": "2023-04-17T00:01:00",
    "10/30/23 21:55:58": "2023-10-30T21:55:58",
    "30/10/2023 21:55": "2023-10-30T21:55:00",  # a day over 12 comes first
    "30.10.2023 21:55": "2023-10-30T21:55:00",  # dots: day first
    # missing seconds, two-digit years
    "Sat, 02 Dec 2023 09:05 EST": "2023-12-02T14:05:00",
    "Sat, 02 Dec 23 09:05:00 PST": "2023-12-02T17:05:00",
    "Thu, 02 Dec 99 09:05:00 GMT": "1999-12-02T09:05:00",
    # zones by name and by abbreviation
    "Fri, 31 Mar 2023 20:19:00 America/Los_Angeles": "2023-04-01T03:19:00",
    "Fri, 31 Mar 2023 20:19:00 Europe/Berlin": "2023-03-31T18:19:00",
    "Mon, 01 Jan 2024 12:00:00 AEDT": "2024-01-01T01:00:00",
    "Mon, 01 Jan 2024 12:00:00 JST": "2024-01-01T03:00:00",
    "Mon, 01 Jan 2024 12:00:00 CEST": "2024-01-01T10:00:00",
    "Mon, 16 Nov 2020 13:16:28 (PST)": "2020-11-16T21:16:28",
    "Mon, 01 Jan 2024 12:00:00 GMT+0200": "2024-01-01T10:00:00",
}


@pytest.mark.parametrize("text", sorted(READ))
def test_dates_real_feeds_write_are_read(text):
    assert parse_date(text) == utc(READ[text])


NOT_DATES = [
    "",
    None,
    "yesterday-ish",
    "Sun, 31 Mar 2024 25:61:00 EST",  # no such time
    "2024-02-30T00:00:00Z",  # no such day
    "Tue, 10 Jun 2003 04:00:00 XYZ",  # an unknown zone: no guess
    "Tue, 10 Jun 2003 04:00:00 IST",  # India, Ireland or Israel: no guess
    "Fri, 31 Mar 2023 20:19:00 Mars/Olympus_Mons",
    "10",
    "2023",
    "Mon, 16 Nov",
    "13/13/2023",
    "Jan Feb 2023",
    "Fri, 31 Mar 1492 20:19:00 GMT",  # before feeds
    "posted 3 days ago",
    "Tue, 05 Mar 2024 08:30:00 +0100 and then some",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_a_date_that_cannot_be_read_is_absent(text):
    assert parse_date(text) is None


def test_the_date_module_imports_nothing_heavy():
    code = "import sys, termnews.dates; print(sorted(m for m in ('feedparser', 'dateutil', 'lxml') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
