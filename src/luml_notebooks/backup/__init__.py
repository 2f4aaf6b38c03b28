"""Instance backups outside the browser: ``luml-notebooks backup verify``
checks a backup zip the way a restore would, without restoring it."""

from .verify import (
    OK,
    PROBLEMS,
    UNREADABLE,
    UNVERIFIED,
    add_backup_parser,
    case_collisions,
    format_report,
    verify,
)

__all__ = [
    "OK",
    "PROBLEMS",
    "UNREADABLE",
    "UNVERIFIED",
    "add_backup_parser",
    "case_collisions",
    "format_report",
    "verify",
]
