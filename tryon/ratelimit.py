"""Fixed windows (one minute by default) per API key or studio visitor, counted where every web process sees them.

With ``REDIS_URL`` the counter is a Redis ``INCR`` (atomic on the server). On the embedded default
(SQLite) it is a row in a small SQLite file of its own (``TRYON_RATE_LIMIT_FILE``), bumped by one
upsert: SQLite has one write lock per file, and in the database's file every API request's count
queued for it behind the queue workers' progress writes (a worker runs at idle priority, so a
busy machine could hold it there for tens of milliseconds) and the creates' transactions. Only web
processes write the counts file, one statement at a time. With another database and no Redis, it is
a database row bumped with ``UPDATE … SET count = count + 1 … RETURNING count``. Never process
memory, and never Django's database cache, whose ``incr`` is a get-then-set race.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from tryon.models import ApiKey, RateLimitWindow


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    used: int
    reset_at: int  # Unix seconds when the window ends

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def retry_after(self, now: float | None = None) -> int:
        return max(1, self.reset_at - int(now if now is not None else time.time()))

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Used": str(min(self.used, self.limit)),
            "X-RateLimit-Reset": str(self.reset_at),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after())
        return headers


def count_request(api_key: ApiKey) -> RateLimitState:
    """Count one request for ``api_key`` and say whether it is within the limit."""
    return _count(api_key.prefix, _key_limit(api_key))


def _key_limit(api_key: ApiKey) -> int:
    return api_key.rate_limit_per_minute or settings.TRYON_RATE_LIMIT_PER_MINUTE


def count_studio_request(visitor: str) -> RateLimitState:
    """Count one studio post (a live check or a try-on) for ``visitor``: a user id or an IP address.

    The studio needs no key, so without this one browser could keep the engine and the queue
    busy for everybody. The visitor is hashed into a bucket name as short as a key's prefix.
    """
    bucket = "w" + hashlib.sha256(visitor.encode()).hexdigest()[:9]
    return _count(bucket, settings.TRYON_STUDIO_RATE_LIMIT_PER_MINUTE)


def client_address(meta: dict) -> str:
    """The client's IP address: behind TRYON_PROXY_COUNT proxies, the one the outermost of them saw.

    That is the address that many places from the end of X-Forwarded-For; anything further left can be forged.
    """
    address = meta.get("REMOTE_ADDR", "")
    if settings.TRYON_PROXY_COUNT:
        forwarded = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(forwarded) >= settings.TRYON_PROXY_COUNT:
            address = forwarded[-settings.TRYON_PROXY_COUNT]
    return address


def _failed_auth_bucket(address: str) -> str:
    return "a" + hashlib.sha256(address.encode()).hexdigest()[:9]


def failed_auth_state(address: str) -> RateLimitState:
    """Failed authentications from ``address`` in this window, without counting one."""
    seconds = settings.TRYON_RATE_LIMIT_WINDOW
    window = int(time.time()) // seconds
    bucket = _failed_auth_bucket(address)
    if settings.REDIS_URL:
        used = int(_redis().get(_redis_key(bucket, window, seconds)) or 0)
    elif settings.TRYON_RATE_LIMIT_FILE:
        used = _read_in_file(f"{bucket}:{seconds}", window)
    else:
        used = _read_in_database(f"{bucket}:{seconds}", window)
    return RateLimitState(limit=settings.TRYON_AUTH_FAILURES_PER_MINUTE, used=used, reset_at=(window + 1) * seconds)


def count_request_from(api_key: ApiKey, address: str) -> tuple[RateLimitState, RateLimitState]:
    """Count one request for ``api_key`` and read ``address``'s failed authentications: (failures, the key's count).

    With Redis both are one round trip: a status poll waited on each of them, a wake-up of another
    process on a busy machine. Elsewhere they are the two calls they always were.
    """
    if not settings.REDIS_URL:
        return failed_auth_state(address), count_request(api_key)
    seconds = settings.TRYON_RATE_LIMIT_WINDOW
    window = int(time.time()) // seconds
    pipe = _redis().pipeline()
    pipe.get(_redis_key(_failed_auth_bucket(address), window, seconds))
    _incr_in(pipe, api_key.prefix, window, seconds)
    failed, used, _ = pipe.execute()
    reset_at = (window + 1) * seconds
    return (
        RateLimitState(limit=settings.TRYON_AUTH_FAILURES_PER_MINUTE, used=int(failed or 0), reset_at=reset_at),
        RateLimitState(limit=_key_limit(api_key), used=int(used), reset_at=reset_at),
    )


def count_failed_auth(address: str) -> RateLimitState:
    """Count one wrong or missing API key from ``address`` (guessing keys is throttled per address, not per key)."""
    return _count(_failed_auth_bucket(address), settings.TRYON_AUTH_FAILURES_PER_MINUTE)


def _count(bucket: str, limit: int) -> RateLimitState:
    seconds = settings.TRYON_RATE_LIMIT_WINDOW
    window = int(time.time()) // seconds
    if settings.REDIS_URL:
        count = _count_in_redis
    elif settings.TRYON_RATE_LIMIT_FILE:
        count = _count_in_file
    else:
        count = _count_in_database
    used = count(bucket, window, seconds)
    return RateLimitState(limit=limit, used=used, reset_at=(window + 1) * seconds)


def _count_in_redis(prefix: str, window: int, seconds: int) -> int:
    pipe = _redis().pipeline()
    _incr_in(pipe, prefix, window, seconds)
    used, _ = pipe.execute()
    return int(used)


def _redis_key(prefix: str, window: int, seconds: int) -> str:
    return f"fitroom:ratelimit:{seconds}:{prefix}:{window}"


def _incr_in(pipe, prefix: str, window: int, seconds: int) -> None:
    """Queue on ``pipe`` one count for ``prefix`` in ``window``, the key kept two windows (two results)."""
    key = _redis_key(prefix, window, seconds)
    pipe.incr(key)
    pipe.expire(key, seconds * 2)


@cache
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


_files = threading.local()  # each thread's connection to the counts file: (path, connection)
_pruned_before = 0  # windows older than this were dropped from the counts file by this process


def _counts_file() -> sqlite3.Connection:
    """This thread's connection to TRYON_RATE_LIMIT_FILE, opened (and the file made) on first use."""
    path = str(settings.TRYON_RATE_LIMIT_FILE)
    opened = getattr(_files, "opened", None)
    if opened is not None and opened[0] == path:
        return opened[1]
    if opened is not None:
        opened[1].close()  # the setting changed (tests): one connection per thread, not one per file seen
    # Autocommit: each statement is its own transaction, so the write lock is held only inside it.
    # synchronous=OFF: a power cut may lose a minute's counts, which is all they are worth.
    db = sqlite3.connect(path, timeout=20, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(
        "CREATE TABLE IF NOT EXISTS counts (bucket TEXT NOT NULL, window_number INTEGER NOT NULL,"
        " used INTEGER NOT NULL, PRIMARY KEY (bucket, window_number)) WITHOUT ROWID"
    )
    _files.opened = (path, db)
    return db


def _count_in_file(prefix: str, window: int, seconds: int) -> int:
    global _pruned_before
    try:
        db = _counts_file()
        (used,) = db.execute(
            "INSERT INTO counts (bucket, window_number, used) VALUES (?, ?, 1)"
            " ON CONFLICT (bucket, window_number) DO UPDATE SET used = used + 1 RETURNING used",
            [f"{prefix}:{seconds}", window],
        ).fetchone()
        if used == 1 and _pruned_before < window - 1:
            # A bucket's first request of a window: drop the windows before the last one (a few rows,
            # once a window per process). The web does it, so no idle-priority sweep holds the file's lock.
            db.execute("DELETE FROM counts WHERE window_number < ?", [window - 1])
            _pruned_before = window - 1
    except sqlite3.Error as exc:
        raise DatabaseError(f"rate-limit counts: {exc}") from exc
    return int(used)


def _read_in_file(prefix: str, window: int) -> int:
    try:
        row = (
            _counts_file()
            .execute("SELECT used FROM counts WHERE bucket = ? AND window_number = ?", [prefix, window])
            .fetchone()
        )
    except sqlite3.Error as exc:
        raise DatabaseError(f"rate-limit counts: {exc}") from exc
    return 0 if row is None else int(row[0])


def _count_in_database(prefix: str, window: int, seconds: int) -> int:
    # Window numbers of different lengths never meet in practice; the key keeps them apart anyway.
    prefix = f"{prefix}:{seconds}"
    used = _bump(prefix, window)
    if used is None:
        try:
            with transaction.atomic():
                RateLimitWindow.objects.create(key_prefix=prefix, window=window, count=1)
                return 1
        except IntegrityError:  # another process created the row first
            used = _bump(prefix, window)
    return used


def _bump(prefix: str, window: int) -> int | None:
    """Add one to the window's row and return the count this request produced, or None without a row.

    One statement (UPDATE … RETURNING, SQLite 3.35+ and PostgreSQL): atomic on its own, and the
    shortest possible hold of SQLite's write lock, which every API request takes here.
    """
    quote = connection.ops.quote_name
    table, count = quote(RateLimitWindow._meta.db_table), quote("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {count} = {count} + 1 WHERE {quote('key_prefix')} = %s AND {quote('window')} = %s "
            f"RETURNING {count}",
            [prefix, window],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _read_in_database(prefix: str, window: int) -> int:
    """The window's count, 0 without a row: one plain SELECT, as every API request makes it (the ORM's
    query building cost more than the query, about 0.25 ms a request)."""
    quote = connection.ops.quote_name
    table, count = quote(RateLimitWindow._meta.db_table), quote("count")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {count} FROM {table} WHERE {quote('key_prefix')} = %s AND {quote('window')} = %s",
            [prefix, window],
        )
        row = cursor.fetchone()
    return 0 if row is None else int(row[0])


def delete_old_windows() -> int:
    """Housekeeping: drop database windows older than the current one."""
    current = int(time.time()) // settings.TRYON_RATE_LIMIT_WINDOW
    deleted, _ = RateLimitWindow.objects.filter(window__lt=current - 1).delete()
    return deleted
