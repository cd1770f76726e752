"""Dates as HTTP writes them (RFC 9110 HTTP-date, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`)."""

from __future__ import annotations

import datetime
import email.utils


def parse_http_date(value: str) -> float | None:
    """Epoch seconds of an HTTP-date (also RFC 1123 / RFC 2822 forms), or None when it is not one."""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return epoch_seconds(parsed)


def epoch_seconds(moment: datetime.datetime) -> float:
    """Epoch seconds; a naive datetime is UTC (HTTP-dates are always GMT, and "-0000" parses naive)."""
    return moment.replace(tzinfo=moment.tzinfo or datetime.UTC).timestamp()
