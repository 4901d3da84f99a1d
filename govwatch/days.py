"""Day options of the command line (``--as-of``, ``--from``, ``--to``), checked.

Its own module so that ``scores`` and ``report`` can parse a day without importing
``govwatch check`` and with it every rule (issue 17: start-up counts).
"""

from __future__ import annotations

from datetime import date

from govwatch.errors import BadInput
from storage.clock import china_today

#: The earliest day govwatch judges: no observation or indicator predates it.
EARLIEST_DAY = date(2000, 1, 1)


def parse_day(value: str | None, option: str = "--as-of") -> date | None:
    """A YYYY-MM-DD option value from 2000-01-01 to today (China); BadInput otherwise."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as error:
        raise BadInput(f"{option} {value!r} 不是 YYYY-MM-DD 格式的日期") from error
    today = china_today()
    if not EARLIEST_DAY <= day <= today:
        raise BadInput(
            f"{option} {day} 超出允许范围:应在 {EARLIEST_DAY} 至今天 {today}(北京时间)之间"
        )
    return day
