"""Fast inserts for demo data at scale: one prepared INSERT run with executemany, values prepared
by the model fields themselves (so dates, UUIDs and JSON are stored exactly as the ORM would).
The ORM's bulk_create spends most of its time compiling SQL for batches that SQLite keeps small.
"""

from collections.abc import Iterable
from itertools import islice

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, ForeignKey, IntegerField

CHUNK = 5000


def insert_rows(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """INSERT ``rows`` (tuples in the order of ``fields``; foreign keys as ids). Returns the count."""
    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup per use
    columns = [model._meta.get_field(name) for name in fields]
    # Integers and booleans go in as they are; other values are prepared by their field.
    plain = [isinstance(field, ForeignKey | IntegerField | BooleanField) for field in columns]
    quote = connection.ops.quote_name
    # Table and column names come from the model, never from input.
    names = ", ".join(quote(field.column) for field in columns)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    rows = iter(rows)
    count = 0
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, CHUNK)):
            prepared = [
                [
                    value if simple else field.get_db_prep_save(value, connection)
                    for field, simple, value in zip(columns, plain, row, strict=True)
                ]
                for row in chunk
            ]
            cursor.executemany(sql, prepared)
            count += len(chunk)
    return count
