"""What an import file may hold, and the problem a whole file can have: shared by the CSV and XLSX
readers (``members.imports.files``, ``members.imports.xlsx``) and the import views."""

from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
# The province's longest list has 20,000 rows; a file is read whole before anything is shown, so its
# size bounds how long a server process is busy with it.
MAX_ROWS = 25_000
# Empty rows count too (csv and openpyxl give each one as a row): a list may leave one between groups,
# not the millions a few megabytes of line breaks, or one cell numbered 1048576, make.
MAX_LINES = 2 * MAX_ROWS


class FileProblem(Exception):
    """The file as a whole cannot be imported; ``message`` says why, for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def too_large_message() -> str:
    return _("The file is larger than %(limit)d MB. Split it into smaller files.") % {
        "limit": MAX_BYTES // (1024 * 1024)
    }


def not_a_list_message() -> str:
    return _("This is not a CSV or an Excel (.xlsx) file.")


def number_text(value: int) -> str:
    """Thousands grouped with dots, as Vietnamese writes them (the messages are read in Vietnamese)."""
    return f"{value:,}".replace(",", ".")
