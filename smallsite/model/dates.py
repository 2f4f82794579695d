"""A page's date: a calendar day, or a moment with its zone; read from front matter, ordered, written out."""

from __future__ import annotations

import datetime as dt
import re

# YYYY-MM-DD, then optionally a time (T or a space before it, as Hugo, Jekyll and Pelican accept) and its
# zone: Z, +09:00, +0900 or +09, with or without a space before it (Jekyll writes "10:30:00 +0900").
_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
                   r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
                   r" ?(?:(?P<utc>[Zz])|(?P<sign>[+-])(?P<zone_hour>\d{2})(?::?(?P<zone_minute>\d{2}))?)?)?")

_UTC_MIDNIGHT = dt.time(tzinfo=dt.timezone.utc)

DATE_FORMS = "a real date written YYYY-MM-DD, like 2018-02-02, or a date and time with its zone, " \
             "like 2018-02-02T10:30:00+09:00"


class NoZone(ValueError):
    """A time without a zone: the site has none of its own to assume."""


def read_date(text: str) -> dt.date | dt.datetime:
    """A date, or an aware datetime keeping the zone it was written in. Raises NoZone for a time
    without a zone, ValueError for anything else that is not a real date or time."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    day = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    if match["hour"] is None:
        return day
    if match["utc"]:
        zone = dt.timezone.utc
    elif match["sign"]:
        hours, minutes = int(match["zone_hour"]), int(match["zone_minute"] or 0)
        if minutes > 59:
            raise ValueError(text)
        offset = dt.timedelta(hours=hours, minutes=minutes)
        zone = dt.timezone(-offset if match["sign"] == "-" else offset)  # ValueError from 24 h on
    else:
        raise NoZone(text)
    microseconds = int((match["fraction"] or "0").ljust(6, "0"))
    return dt.datetime.combine(day, dt.time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0),
                                            microseconds), zone)


def moment(value: dt.date | dt.datetime) -> dt.datetime:
    """The moment a date stands for, to order dates and datetimes together: a day alone is its start in
    UTC (as the feeds write it), a datetime is itself (compared across zones by Python)."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, _UTC_MIDNIGHT)


def newest_first(value: dt.date | dt.datetime | None) -> tuple[int, dt.timedelta]:
    """A sort key that puts later moments first and undated pages after every dated one."""
    if value is None:
        return (1, dt.timedelta(0))
    return (0, _EPOCH - moment(value))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def atom_time(value: dt.date | dt.datetime) -> str:
    """RFC 3339, as Atom's `updated` needs: a day alone at midnight UTC, a datetime in its own zone."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return f"{value.isoformat()}T00:00:00Z"
