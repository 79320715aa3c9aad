"""Login throttling and lockout, for ``POST /api/token`` and the UI's ``POST /login`` alike.

Every try is a row of ``login_attempts`` (time, user name, client address, success), so all the
server's workers share the counts. Within a sliding window of 15 minutes:

- a user name with 5 failures since its last success is throttled: each further try is answered
  429 with ``Retry-After`` (until the oldest of those failures leaves the window), without
  looking at the password, and counts as a failure;
- a user name with 10 failures is locked for 15 minutes from the 10th: every try is refused,
  the right password too (tries while locked are not counted, so the lock does end);
- a client address with 30 failures (any names) is throttled the same way (password spraying;
  set high, since a whole office may share one address).

Unknown user names are counted like real ones (no hint which names exist). The client address
is the socket's peer, or what uvicorn takes from ``X-Forwarded-For`` of a trusted proxy
(``--forwarded-allow-ips``)."""
from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import LexpertError
from ..expertise.db.models import LoginAttempt, utcnow

WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)
NAME_LIMIT = 5
LOCK_LIMIT = 10
IP_LIMIT = 30
KEEP = dt.timedelta(days=1)


class TooManyAttempts(LexpertError):
    code = "too_many_attempts"
    http_status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def _seconds(until: dt.datetime, now: dt.datetime) -> int:
    return math.ceil((until - now).total_seconds())


def _name_failures(s: Session, name: str, since: dt.datetime) -> list[dt.datetime]:
    last_ok = s.scalar(select(LoginAttempt.at).where(LoginAttempt.name == name, LoginAttempt.ok.is_(True),
                                                     LoginAttempt.at >= since).order_by(LoginAttempt.at.desc()).limit(1))
    q = select(LoginAttempt.at).where(LoginAttempt.name == name, LoginAttempt.ok.is_(False),
                                      LoginAttempt.at >= max(since, last_ok or since)).order_by(LoginAttempt.at)
    return list(s.scalars(q))


def locked_until(failures: list[dt.datetime]) -> dt.datetime | None:
    """The end of the lock these failures (in time order) put on a name: LOCK after any failure
    that is the 10th within one window."""
    ends = [failures[i] + LOCK for i in range(LOCK_LIMIT - 1, len(failures))
            if failures[i] - failures[i - LOCK_LIMIT + 1] <= WINDOW]
    return max(ends) if ends else None


def check(s: Session, name: str, ip: str) -> None:
    """Refuse (``TooManyAttempts``, 429) a login try that the recent failures forbid; a throttled
    try is recorded as a failure (the caller commits), a try on a locked name is not."""
    now = utcnow()
    name_f = _name_failures(s, name, now - WINDOW - LOCK)
    until = locked_until(name_f)
    if until is not None and until > now:
        raise TooManyAttempts(f"account locked after {LOCK_LIMIT} failed logins; try again in "
                              f"{math.ceil(_seconds(until, now) / 60)} minutes", _seconds(until, now))
    recent = [t for t in name_f if t >= now - WINDOW]
    ip_f = list(s.scalars(select(LoginAttempt.at).where(LoginAttempt.ip == ip, LoginAttempt.ok.is_(False),
                                                         LoginAttempt.at >= now - WINDOW).order_by(LoginAttempt.at)))
    for times, limit, what in ((recent, NAME_LIMIT, "for this user name"), (ip_f, IP_LIMIT, "from this address")):
        if len(times) >= limit:
            record(s, name, ip, ok=False)
            wait = _seconds(times[len(times) - limit] + WINDOW, now)
            raise TooManyAttempts(f"too many failed logins {what}; try again in {wait} seconds", wait)


def record(s: Session, name: str, ip: str, ok: bool) -> None:
    """One try; rows older than a day are deleted on the way."""
    now = utcnow()
    s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    s.add(LoginAttempt(at=now, name=name[:120], ip=ip[:64], ok=ok))
    s.flush()
