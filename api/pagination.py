from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Cursor pagination: stable and cheap on large lists (no COUNT, no OFFSET)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"


class ByName(Cursor):
    ordering = ("full_name", "id")


class ByCode(Cursor):
    ordering = ("code",)


class BySerial(Cursor):
    ordering = ("-issued_at", "-id")


class ByStart(Cursor):
    ordering = ("-starts_at", "-id")
