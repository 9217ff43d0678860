"""Live try-on connection slots: how many streams each client, and the whole server, may hold.

Two ledgers with one interface. :class:`LocalSlots` counts in this process (the laptop
default: one process, nothing to share). :class:`RedisSlots` counts in Redis, so the limits hold
across every worker process behind the proxy: each live connection is a member of two sorted
sets (all connections; this client's) scored by its expiry time. A process refreshes the expiry
of all its connections every ``ttl / 3`` seconds and removes a connection when it closes; the
members of a process that died (SIGKILL, OOM) are not refreshed and stop counting after ``ttl``
seconds, so no slot leaks. When Redis cannot be reached a new connection is refused
(:class:`SlotsUnavailable`); open ones carry on, and re-register themselves once Redis is back
(a restarted Redis without persistence starts empty).

No Django import: :mod:`tryon.consumers` passes the limits and the URL.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter

logger = logging.getLogger(__name__)

OK = "ok"
BUSY = "busy"  # the server (every worker together) is full
TOO_MANY = "too_many"  # this client has its limit of connections

# KEYS: all, client. ARGV: member, max total, max per client, ttl ms. Returns 0 ok, 1 busy, 2 too many.
# The time is Redis's own, so every worker, on any machine, expires members on one clock.
_ACQUIRE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', t)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 2 end
local ttl = tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], t + ttl, ARGV[1])
redis.call('ZADD', KEYS[2], t + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 0
"""
# KEYS: all, then one client key per member. ARGV: ttl ms, then the members (same order).
_REFRESH = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], t + ttl, ARGV[i])
  redis.call('ZADD', KEYS[i], t + ttl, ARGV[i])
  redis.call('PEXPIRE', KEYS[i], ttl)
end
redis.call('PEXPIRE', KEYS[1], ttl)
return #ARGV - 1
"""
# KEYS: all. Returns the number of live members.
_COUNT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
return redis.call('ZCARD', KEYS[1])
"""


class SlotsUnavailable(Exception):
    """The shared ledger (Redis) cannot be reached: a new connection cannot be counted."""


class LocalSlots:
    """Connection counts in this process (the event loop is the only writer)."""

    def __init__(self) -> None:
        self._by_client: Counter[str] = Counter()
        self._members: dict[str, str] = {}

    async def acquire(self, client: str, *, max_total: int, max_per_client: int) -> tuple[str, str | None]:
        """Return ``(OK, token)`` with a slot taken, or ``(BUSY | TOO_MANY, None)``."""
        if len(self._members) >= max_total:
            return BUSY, None
        if self._by_client[client] >= max_per_client:
            return TOO_MANY, None
        token = uuid.uuid4().hex
        self._members[token] = client
        self._by_client[client] += 1
        return OK, token

    def _forget(self, token: str) -> str | None:
        client = self._members.pop(token, None)
        if client is not None:
            self._by_client[client] -= 1
            if self._by_client[client] <= 0:
                del self._by_client[client]
        return client

    def release(self, token: str) -> asyncio.Task | None:
        """Give the slot back (synchronous, idempotent); nothing is left to wait for."""
        self._forget(token)
        return None

    def live_connections(self) -> dict[str, int]:
        """Return this process's live connections per client address."""
        return dict(+self._by_client)

    async def total(self) -> int:
        """Return the live connections the limits count (here: this process's)."""
        return len(self._members)


class RedisSlots(LocalSlots):
    """Connection counts shared by every worker through Redis (see the module docstring).

    The process's own connections are also kept locally, for the heartbeat and for
    :meth:`live_connections`.
    """

    def __init__(self, url: str, *, ttl: float = 10.0, prefix: str = "fittingroom:live", timeout: float = 1.0) -> None:
        super().__init__()
        self.url = url
        self.ttl_ms = max(1000, int(ttl * 1000))
        self.prefix = prefix
        self.timeout = timeout
        # One client per event loop (redis-py's connections belong to the loop that made them).
        self._loop: asyncio.AbstractEventLoop | None = None
        self._redis = None
        self._heartbeat: asyncio.Task | None = None
        self._outage = False

    def _key_all(self) -> str:
        return f"{self.prefix}:all"

    def _key_client(self, client: str) -> str:
        return f"{self.prefix}:client:{client}"

    def _client(self):
        loop = asyncio.get_running_loop()
        if self._redis is None or self._loop is not loop:
            import redis.asyncio as aioredis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            # One retry, at once: a pooled connection that Redis's restart broke is replaced, and an
            # unreachable Redis is answered within two attempts rather than after backoffs.
            self._redis = aioredis.Redis.from_url(
                self.url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout,
                retry=Retry(NoBackoff(), 1), health_check_interval=0,
            )
            self._loop = loop
            self._heartbeat = None
        return self._redis

    async def acquire(self, client: str, *, max_total: int, max_per_client: int) -> tuple[str, str | None]:
        """Return ``(OK, token)`` with a slot taken, or ``(BUSY | TOO_MANY, None)``.

        Raise :class:`SlotsUnavailable` when Redis does not answer.
        """
        import redis

        token = uuid.uuid4().hex
        try:
            answer = await self._client().eval(
                _ACQUIRE, 2, self._key_all(), self._key_client(client), token, max_total, max_per_client, self.ttl_ms
            )
        except (redis.RedisError, OSError) as exc:
            raise SlotsUnavailable(str(exc)) from exc
        if int(answer) == 1:
            return BUSY, None
        if int(answer) == 2:
            return TOO_MANY, None
        self._members[token] = client
        self._by_client[client] += 1
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.get_running_loop().create_task(self._beat())
        return OK, token

    def release(self, token: str) -> asyncio.Task | None:
        """Give the slot back: locally at once, in Redis as soon as the loop runs (else it expires).

        Return the removal's task, for a caller that can wait until every worker sees the slot free.
        """
        client = self._forget(token)
        if client is None:
            return None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None  # no loop: the member expires after the ttl
        if self._loop is not loop or self._redis is None:
            return None
        task = loop.create_task(self._remove(token, client))
        _pending.add(task)
        task.add_done_callback(_pending.discard)
        return task

    async def _remove(self, token: str, client: str) -> None:
        import redis

        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                await pipe.zrem(self._key_all(), token).zrem(self._key_client(client), token).execute()
        except (redis.RedisError, OSError):
            logger.warning("live try-on: slot not removed from Redis (it expires in %.0f s)", self.ttl_ms / 1000)

    async def refresh(self) -> int:
        """Extend every live connection of this process by the ttl (re-adding any Redis lost)."""
        members = list(self._members.items())
        if not members:
            return 0
        keys = [self._key_all(), *(self._key_client(client) for _, client in members)]
        return int(await self._client().eval(_REFRESH, len(keys), *keys, self.ttl_ms, *(t for t, _ in members)))

    async def _beat(self) -> None:
        """Refresh this process's slots every ttl / 3 while it has any."""
        import redis

        while self._members:
            await asyncio.sleep(self.ttl_ms / 3000.0)
            try:
                await self.refresh()
            except (redis.RedisError, OSError) as exc:
                if not self._outage:
                    logger.warning("live try-on: Redis unreachable, slots not refreshed: %s", exc)
                self._outage = True
            else:
                if self._outage:
                    logger.warning("live try-on: Redis is back; %d slots refreshed", len(self._members))
                self._outage = False

    async def total(self) -> int:
        """Return the live connections of every worker (Redis's count)."""
        return int(await self._client().eval(_COUNT, 1, self._key_all()))


# Removals in flight (the event loop keeps only weak references to tasks).
_pending: set[asyncio.Task] = set()
