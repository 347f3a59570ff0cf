"""Which database a read may use when a read replica is configured (docs/deployment.md).

A replica is a little behind its primary. A person who has just written (supported a proposal, logged
in, answered a recommendation) must see what they wrote, so reads use the replica only while it is
safe to be a little behind:

- only inside a request that `ReplicaPinMiddleware` let through: a GET or HEAD from a browser that
  has not written in the last `KENES_REPLICA_PIN_SECONDS` seconds. Management commands, the task
  worker and the shell read the primary: they act on what they read;
- never once the request has written anything (`note_write`, called by the router for every write
  and every locked read): the rest of that request reads the primary;
- never inside `transaction.atomic()` (the router checks; see `kenes.core.db_router`).

After a write the middleware sets a short-lived signed cookie, so the pages that follow (the redirect
after a form, a reload) read the primary too. A cookie rather than a session flag: a flag would be one
more write after every write, and a browser that has not logged in has no session.

The state lives in a context variable: each granian worker thread (and each asyncio task) has its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signing import BadSignature
from django.http import HttpRequest, HttpResponse

REPLICA_ALIAS = "replica"
PIN_COOKIE = "kenes_primary"
_PIN_SALT = "kenes.core.replica.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass
class ReadRouting:
    """One request's (or one `replica_reads()` block's) decision, changed in place by a write."""

    use_replica: bool
    wrote: bool = False


_routing: ContextVar[ReadRouting | None] = ContextVar("kenes_read_routing", default=None)


def reads_may_use_replica() -> bool:
    routing = _routing.get()
    return routing is not None and routing.use_replica


def note_write() -> None:
    """The current request wrote (or locked rows): from now on it reads the primary."""
    routing = _routing.get()
    if routing is not None:
        routing.use_replica = False
        routing.wrote = True


@contextmanager
def replica_reads() -> Iterator[ReadRouting]:
    """Let reads outside a request use the replica (a long export or report that writes nothing)."""
    routing = ReadRouting(use_replica=True)
    token = _routing.set(routing)
    try:
        yield routing
    finally:
        _routing.reset(token)


def pin_seconds() -> int:
    return int(getattr(settings, "KENES_REPLICA_PIN_SECONDS", 5))


def recently_wrote(request: HttpRequest) -> bool:
    seconds = pin_seconds()
    if seconds <= 0 or PIN_COOKIE not in request.COOKIES:
        return False
    try:
        # The signature carries the time it was made: older than `seconds` is refused.
        request.get_signed_cookie(PIN_COOKIE, salt=_PIN_SALT, max_age=seconds)
    except BadSignature:  # SignatureExpired is a BadSignature
        return False
    return True


def set_pin_cookie(response: HttpResponse) -> None:
    seconds = pin_seconds()
    if seconds <= 0:
        return
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=_PIN_SALT,
        max_age=seconds,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class ReplicaPinMiddleware:
    """Decides per request whether its reads may use the replica; pins a browser to the primary
    for `KENES_REPLICA_PIN_SECONDS` after it wrote. Placed before the session and authentication
    middleware, so every read of the request is routed by its decision. Not used without a replica
    alias."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if REPLICA_ALIAS not in settings.DATABASES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pinned = request.method not in SAFE_METHODS or recently_wrote(request)
        routing = ReadRouting(use_replica=not pinned)
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if routing.wrote:
            set_pin_cookie(response)
        return response
