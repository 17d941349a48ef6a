"""Fast inserts for demo data at scale: one prepared INSERT run with executemany, values prepared
by the model fields themselves (so dates, UUIDs and JSON are stored exactly as the ORM would).
The ORM's bulk_create spends most of its time compiling SQL for batches that SQLite keeps small.

The seed's values are already of the right type (aware datetimes, UUIDs, str), so the common
columns skip the fields' checks and go straight to the database's form: the checks cost more
than the insert itself for a few hundred thousand attendance marks.
"""

from collections.abc import Callable, Iterable
from itertools import islice

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, CharField, DateTimeField, ForeignKey, IntegerField, UUIDField

CHUNK = 5000


def _adapter(field, connection) -> Callable | None:
    """How a column's value becomes the database's: None for "as it is"."""
    if isinstance(field, ForeignKey | IntegerField | BooleanField | CharField):
        return None
    if isinstance(field, UUIDField) and not connection.features.has_native_uuid_field:
        return lambda value: None if value is None else value.hex
    if isinstance(field, DateTimeField) and connection.vendor == "sqlite" and settings.USE_TZ:
        # What the SQLite backend stores: the time in the connection's zone (UTC), naive, as text; the
        # same as its adapt_datetimefield_value, without the checks.
        zone = connection.timezone
        return lambda value: None if value is None else str(value.astimezone(zone).replace(tzinfo=None))
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """INSERT ``rows`` (tuples in the order of ``fields``; foreign keys as ids). Returns the count."""
    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup per use
    columns = [model._meta.get_field(name) for name in fields]
    adapters = [_adapter(field, connection) for field in columns]
    quote = connection.ops.quote_name
    # Table and column names come from the model, never from input.
    names = ", ".join(quote(field.column) for field in columns)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    rows = iter(rows)
    count = 0
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, CHUNK)):
            prepared = [
                [value if adapt is None else adapt(value) for adapt, value in zip(adapters, row, strict=True)]
                for row in chunk
            ]
            cursor.executemany(sql, prepared)
            count += len(chunk)
    return count
