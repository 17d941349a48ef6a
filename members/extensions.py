"""Named extension points: where ``members`` lets a higher app join the end of one of its chains
without ``members`` importing it. Handlers are registered in an ``AppConfig.ready()`` (the same in
every process) and run inside the caller's transaction, in registration order.

- ``community_changed(commune_ids)``: facts counted by commune changed in these communes, without
  saying whose (groups edited, imports): the statistics recompute those communes whole;
- ``people_changed(user_ids)``: facts about these people changed (registration, village, memberships,
  progress, awards, certificates): the statistics recompute what these people count, wherever;
- ``sessions_changed(session_ids)``: these sessions were planned or held, or marks were taken at them:
  the statistics recompute what these sessions count.
- ``on_personal_data(part)``: a higher app declares rows it holds about people (a
  ``members.personal_data.Part``): the export finds them, and erasing a person scrubs them with the
  part's ``scrub`` (certificates become non-personal stubs).
"""

from collections.abc import Callable, Iterable

_community_changed: list[Callable] = []
_people_changed: list[Callable] = []
_sessions_changed: list[Callable] = []
_personal_data: list = []


def on_community_changed(handler: Callable) -> Callable:
    if handler not in _community_changed:
        _community_changed.append(handler)
    return handler


def community_changed(commune_ids: Iterable[int | None]) -> None:
    ids = {commune_id for commune_id in commune_ids if commune_id is not None}
    if ids:
        for handler in _community_changed:
            handler(ids)


def on_people_changed(handler: Callable) -> Callable:
    if handler not in _people_changed:
        _people_changed.append(handler)
    return handler


def people_changed(user_ids: Iterable[int | None]) -> None:
    ids = {user_id for user_id in user_ids if user_id is not None}
    if ids:
        for handler in _people_changed:
            handler(ids)


def on_sessions_changed(handler: Callable) -> Callable:
    if handler not in _sessions_changed:
        _sessions_changed.append(handler)
    return handler


def sessions_changed(session_ids: Iterable[int | None]) -> None:
    ids = {session_id for session_id in session_ids if session_id is not None}
    if ids:
        for handler in _sessions_changed:
            handler(ids)


def on_personal_data(part):
    if all(existing.key != part.key for existing in _personal_data):
        _personal_data.append(part)
    return part


def personal_data_parts() -> tuple:
    return tuple(_personal_data)
