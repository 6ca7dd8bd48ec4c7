"""The region's directory (municipalities, schools, people, curators) in and out of XLSX."""

from bot.services.directory.importer import (
    ImportReport,
    PersonInvite,
    Refusal,
    SheetCounts,
    import_directory,
)
from bot.services.directory.workbook import SHEET_TITLES, DirectoryBook, Sheet, read_directory

__all__ = [
    "SHEET_TITLES",
    "DirectoryBook",
    "ImportReport",
    "PersonInvite",
    "Refusal",
    "Sheet",
    "SheetCounts",
    "import_directory",
    "read_directory",
]
