"""What happened, told to whoever listens: a small in-process event bus.

An app publishes an event from inside its service (`publish("proposal.status_changed", proposal_id=…)`);
subscribers register in their AppConfig.ready(). Handlers run at once, inside the publisher's
transaction, so whatever they write (the notifications outbox) commits or rolls back with the change
itself: no message about something that did not happen, and nothing that happened goes unannounced.
`core` knows no app: the publisher names the event, the subscriber knows what it means.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], None]

_handlers: dict[str, list[Handler]] = defaultdict(list)
_listeners: list[Handler] = []  # every event, whatever its kind (tests)


def subscribe(kind: str, handler: Handler) -> None:
    """Calls `handler` for every event of `kind` (each handler once, however often it subscribes)."""
    if handler not in _handlers[kind]:
        _handlers[kind].append(handler)


def publish(kind: str, **payload: Any) -> None:
    event = Event(kind=kind, payload=payload)
    for handler in [*_listeners, *_handlers.get(kind, ())]:
        handler(event)


@contextmanager
def captured() -> Iterator[list[Event]]:
    """Every event published inside the block, in order (the subscribers still run)."""
    seen: list[Event] = []
    _listeners.append(seen.append)
    try:
        yield seen
    finally:
        _listeners.remove(seen.append)
