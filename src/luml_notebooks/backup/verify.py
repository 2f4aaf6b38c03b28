"""Offline checks of LUML Notebooks backups: ``luml-notebooks backup verify``.

A backup is a zip of an instance's files plus ``luml-backup.json``, a
manifest with the size and sha256 of every file. ``verify`` checks what the
browser checks before a restore (zip integrity, CRC-32, unsafe and duplicate
paths, zip bombs, the manifest, every sha256 and size) without a browser,
for users who keep archives.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = "luml-backup.json"
MANIFEST_FORMAT = "luml-notebooks-backup"
MANIFEST_VERSION = 1

#: the same caps as the browser's restore
MAX_TOTAL_BYTES = 16 * 1024**3
MAX_RATIO = 200
RATIO_FLOOR = 64 * 1024**2
MAX_MANIFEST_BYTES = 64 * 1024**2
READ_SIZE = 1024 * 1024

#: exit codes
OK = 0
PROBLEMS = 1
UNREADABLE = 2
UNVERIFIED = 3

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class Entry:
    path: str
    size: int
    compressed: int
    method: str
    modified: str
    sha256: str = ""
    status: str = ""


@dataclass
class Report:
    """What ``verify`` found; ``exit_code`` says it in one number."""

    archive: Path
    entries: list[Entry] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    manifest: dict | None = None
    unreadable: bool = False

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return UNREADABLE
        if self.problems:
            return PROBLEMS
        if self.manifest is None:
            return UNVERIFIED
        return OK


class UnsafePath(ValueError):
    pass


def safe_path(name: str) -> tuple[str, bool]:
    """The instance path for an entry name, or UnsafePath (as the browser does)."""
    normal = name.replace("\\", "/")
    if normal.startswith("/"):
        raise UnsafePath(f"{name!r} is an absolute path")
    if re.match(r"^[a-zA-Z]:", normal):
        raise UnsafePath(f"{name!r} has a drive letter")
    if _CONTROL.search(normal):
        raise UnsafePath(f"{name!r} holds a control character")
    is_folder = normal.endswith("/")
    parts = [part for part in normal.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafePath(f"{name!r} climbs out of the instance with ..")
    if not parts:
        raise UnsafePath(f"{name!r} is an empty name")
    return "/".join(parts), is_folder


def verify(archive: Path) -> Report:
    """Check a backup (or any zip) and describe its contents."""
    report = Report(archive=archive)
    if not archive.is_file():
        report.unreadable = True
        report.problems.append(f"{archive}: no such file")
        return report
    problem = None
    end = _end_record_offset(archive)
    if end is None:
        problem = "its end-of-directory record is missing"
    else:
        try:
            zf = zipfile.ZipFile(archive)
        except zipfile.BadZipFile as error:
            problem = str(error)
    if problem:
        with archive.open("rb") as stream:
            head = stream.read(4)
        if head in (b"PK\x03\x04", b"PK\x05\x06"):
            report.problems.append(
                f"the zip is incomplete or damaged ({problem}): the copy was "
                "probably interrupted"
            )
        else:
            report.unreadable = True
            report.problems.append("this file is not a zip archive")
        return report
    with zf:
        counted = _counted_entries(archive, end)
        found = len(zf.infolist())
        if counted != found:
            # zipfile reads the directory by its size; most readers (and
            # the browser's restore) go by the count
            report.problems.append(
                f"the zip's end record counts {counted} entries but its "
                f"directory holds {found}: the tool that wrote it could not "
                "count past 65,535 files, so other tools would silently "
                f"restore only {counted} of them (LUML Notebooks refuses it); "
                "make the backup again with a current LUML Notebooks"
            )
        _check(zf, report)
    return report


def _end_record_offset(archive: Path) -> int | None:
    """Where the end-of-directory record is, if it (with its comment) ends the file.

    zipfile accepts any such record in the last 64 KiB, so a truncated backup
    that ends after a stored zip would be read as that inner zip.
    """
    size = archive.stat().st_size
    start = max(0, size - 22 - 0xFFFF)
    with archive.open("rb") as stream:
        stream.seek(start)
        tail = stream.read()
    at = tail.rfind(b"PK\x05\x06")
    while at >= 0:
        if at + 22 <= len(tail):
            (comment,) = struct.unpack("<H", tail[at + 20 : at + 22])
            if at + 22 + comment == len(tail):
                return start + at
        at = tail.rfind(b"PK\x05\x06", 0, at)
    return None


def _counted_entries(archive: Path, end: int) -> int:
    """The entry count the end records declare: the zip64 one when a locator
    precedes the end record, else the 16-bit one."""
    with archive.open("rb") as stream:
        stream.seek(end + 10)
        (count,) = struct.unpack("<H", stream.read(2))
        if end < 20:
            return count
        stream.seek(end - 20)
        locator = stream.read(20)
        if locator[:4] != b"PK\x06\x07":
            return count
        (zip64_end,) = struct.unpack("<Q", locator[8:16])
        stream.seek(zip64_end)
        record = stream.read(56)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            (count,) = struct.unpack("<Q", record[32:40])
    return count


def _check(zf: zipfile.ZipFile, report: Report) -> None:
    infos = zf.infolist()
    seen: set[str] = set()
    files: dict[str, zipfile.ZipInfo] = {}
    folders: set[str] = set()
    manifest_info = None
    for info in infos:
        try:
            path, is_folder = safe_path(info.filename)
        except UnsafePath as error:
            report.problems.append(f"unsafe path: {error}")
            continue
        if path in seen:
            report.problems.append(f"duplicate path: {path!r} is in the zip twice")
            continue
        seen.add(path)
        if info.flag_bits & 0x1:
            report.problems.append(f"{path!r} is encrypted")
        elif is_folder:
            folders.add(path)
        elif path == MANIFEST_NAME:
            manifest_info = info
        else:
            files[path] = info
    for path in files:
        parts = path.split("/")
        for i in range(1, len(parts)):
            parent = "/".join(parts[:i])
            if parent in files:
                report.problems.append(
                    f"duplicate path: {parent!r} is both a file and a folder"
                )
    report.folders = sorted(folders)
    for group in case_collisions(files):
        report.notices.append(
            "names that differ only by case collide on case-insensitive disks "
            "(Windows, macOS), where one would replace the other: "
            + ", ".join(repr(path) for path in group)
        )

    expanded = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    if expanded > MAX_TOTAL_BYTES:
        report.problems.append(
            f"zip bomb: it would expand to {expanded / 1024**3:.1f} GB "
            f"(the cap is {MAX_TOTAL_BYTES / 1024**3:.0f} GB)"
        )
    elif expanded > RATIO_FLOOR and expanded > MAX_RATIO * max(1, compressed):
        report.problems.append(
            f"zip bomb: it would expand {expanded // max(1, compressed)} times "
            f"(to {expanded / 1024**3:.1f} GB)"
        )
    if report.problems:
        # do not expand an archive that is unsafe to expand
        report.entries = [_entry(path, info) for path, info in sorted(files.items())]
        return

    records = _read_manifest(zf, manifest_info, report)
    for path, info in sorted(files.items()):
        entry = _entry(path, info)
        report.entries.append(entry)
        entry.sha256, error = _hash(zf, info)
        if error:
            entry.status = "DAMAGED"
            report.problems.append(f"{path}: {error}")
            continue
        record = records.get(path) if records is not None else None
        if records is None:
            entry.status = "crc ok"
        elif record is None:
            entry.status = "NOT IN MANIFEST"
            report.problems.append(f"{path}: in the zip but not in the manifest")
        elif record.get("size") != info.file_size:
            entry.status = "SIZE MISMATCH"
            report.problems.append(
                f"{path}: {info.file_size} bytes,"
                f" the manifest says {record.get('size')}"
            )
        elif record.get("sha256") != entry.sha256:
            entry.status = "SHA256 MISMATCH"
            report.problems.append(
                f"{path}: its sha256 differs from the manifest's (altered or damaged)"
            )
        else:
            entry.status = "ok"
    if records is not None:
        for path in sorted(set(records) - set(files)):
            report.problems.append(f"{path}: in the manifest but missing from the zip")


def case_collisions(paths) -> list[list[str]]:
    """Groups of paths that are one path to a case-insensitive disk."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(path.lower(), []).append(path)
    return [sorted(group) for group in groups.values() if len(group) > 1]


def _entry(path: str, info: zipfile.ZipInfo) -> Entry:
    method = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}.get(
        info.compress_type, f"method {info.compress_type}"
    )
    year, month, day, hour, minute, _second = info.date_time
    return Entry(
        path=path,
        size=info.file_size,
        compressed=info.compress_size,
        method=method,
        modified=f"{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}",
    )


def _hash(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, str]:
    """The sha256 of an entry, reading it once; zipfile checks its CRC-32."""
    digest = hashlib.sha256()
    total = 0
    try:
        with zf.open(info) as stream:
            while chunk := stream.read(READ_SIZE):
                total += len(chunk)
                if total > info.file_size:
                    return "", "expands beyond its declared size (zip bomb?)"
                digest.update(chunk)
    except zipfile.BadZipFile as error:
        return "", f"damaged ({error})"
    except (OSError, EOFError, ValueError, NotImplementedError) as error:
        return "", f"cannot be read ({error})"
    except Exception as error:  # zlib.error and friends: a damaged stream
        return "", f"damaged ({error})"
    return digest.hexdigest(), ""


def _read_manifest(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo | None, report: Report
) -> dict[str, dict] | None:
    if info is None:
        report.notices.append(
            f"no {MANIFEST_NAME}: this is a plain zip of files; CRC-32 checked, "
            "nothing could be verified against sha256 values"
        )
        return None
    if info.file_size > MAX_MANIFEST_BYTES:
        report.problems.append(f"{MANIFEST_NAME} is implausibly large")
        return {}
    try:
        manifest = json.loads(zf.read(info).decode("utf-8"))
    except (ValueError, zipfile.BadZipFile) as error:
        report.problems.append(f"{MANIFEST_NAME} is damaged ({error})")
        return {}
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        report.problems.append(f"{MANIFEST_NAME} is not a LUML Notebooks manifest")
        return {}
    version = manifest.get("formatVersion")
    if not isinstance(version, int) or version > MANIFEST_VERSION:
        report.problems.append(
            f"backup format {version!r} is newer than this tool reads "
            f"({MANIFEST_VERSION}): upgrade luml-notebooks"
        )
        return {}
    report.manifest = manifest
    records: dict[str, dict] = {}
    for record in manifest.get("files") or []:
        path = record.get("path") if isinstance(record, dict) else None
        if not isinstance(path, str):
            report.problems.append(f"{MANIFEST_NAME} has a file entry without a path")
            continue
        try:
            path, _ = safe_path(path)
        except UnsafePath as error:
            report.problems.append(f"unsafe path in the manifest: {error}")
            continue
        if path in records:
            report.problems.append(f"duplicate path in the manifest: {path!r}")
        records[path] = record
    return records


def printable(text: str) -> str:
    """Text safe on a terminal: what repr escapes (control characters, ANSI
    escapes, line breaks) is escaped, so an archive cannot forge a line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def format_report(report: Report, quiet: bool = False) -> str:
    """The report as lines of text; every line is escaped, since names and
    manifest fields come from the archive."""
    lines = [f"{report.archive}"]
    manifest = report.manifest
    if manifest:
        instance = manifest.get("instance") or {}
        name = instance.get("name") or "?"
        lines.append(
            f"  backup of {name!r} (id {instance.get('id') or '?'}),"
            f" made {manifest.get('createdAt') or '?'} by site version"
            f" {manifest.get('siteVersion') or '?'}"
        )
    if report.entries and not quiet:
        lines.append("")
        header = f"  {'size':>12}  {'stored as':<9}  {'modified':<16}  status  path"
        lines.append(header)
        for entry in report.entries:
            lines.append(
                f"  {entry.size:>12}  {entry.method:<9}  {entry.modified:<16}"
                f"  {entry.status or '-':<6}  {entry.path}"
            )
    for folder in [] if quiet else report.folders:
        lines.append(f"  {'':>12}  {'folder':<9}  {'':<16}  {'':<6}  {folder}/")
    total = sum(entry.size for entry in report.entries)
    lines.append("")
    lines.append(f"  {len(report.entries)} files, {total} bytes")
    for notice in report.notices:
        lines.append(f"  note: {notice}")
    for problem in report.problems:
        lines.append(f"  PROBLEM: {problem}")
    verdict = {
        OK: "verified: every file matches its size and sha256",
        PROBLEMS: f"NOT OK: {len(report.problems)} problem(s) found",
        UNREADABLE: "NOT OK: cannot be read",
        UNVERIFIED: "intact (CRC-32), but unverified: no manifest",
    }[report.exit_code]
    lines.append(verdict)
    return "\n".join(printable(line) for line in lines)


def add_backup_parser(commands) -> None:
    backup = commands.add_parser("backup", help="check backups offline")
    actions = backup.add_subparsers(dest="backup_command", required=True)
    check = actions.add_parser(
        "verify",
        help="check a backup zip and list its contents",
        description=(
            "Check a LUML Notebooks backup offline: zip integrity and CRC-32, "
            "unsafe or duplicate paths, zip bombs, the manifest, and every "
            "file's size and sha256. Exit codes: 0 verified, 1 problems found, "
            "2 not readable (missing, not a zip), 3 intact but unverified "
            "(a plain zip without luml-backup.json)."
        ),
    )
    check.add_argument("archive", help="the backup .zip")
    check.add_argument(
        "--quiet", action="store_true", help="print only problems and the verdict"
    )
    check.set_defaults(handler=cmd_verify)


def cmd_verify(args) -> int:
    report = verify(Path(args.archive))
    print(format_report(report, quiet=args.quiet))
    return report.exit_code
