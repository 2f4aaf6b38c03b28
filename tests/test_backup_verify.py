"""``luml-notebooks backup verify``: offline checks of backup zips."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest

from luml_notebooks.backup import OK, PROBLEMS, UNREADABLE, UNVERIFIED, verify
from luml_notebooks.cli import main

#: made by ui-tests/test_backup.py in Chromium (LUML_KEEP_BROWSER_BACKUP)
BROWSER_BACKUP = Path(__file__).parent / "fixtures" / "backup" / "browser_backup.zip"


def run(capsys, archive: Path, *flags: str) -> tuple[int, str]:
    code = main(["backup", "verify", str(archive), *flags])
    return code, capsys.readouterr().out


def write_zip(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names on purpose
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries:
                zf.writestr(zipfile.ZipInfo(name), data)
    return path


def manifest(files: dict[str, bytes]) -> bytes:
    return json.dumps(
        {
            "format": "luml-notebooks-backup",
            "formatVersion": 1,
            "instance": {"id": "i", "name": "n"},
            "createdAt": "2026-03-04T10:20:30.000Z",
            "siteVersion": "0.1.0",
            "files": [
                {
                    "path": p,
                    "size": len(d),
                    "sha256": hashlib.sha256(d).hexdigest(),
                    "kind": "text",
                }
                for p, d in files.items()
            ],
            "folders": [],
        }
    ).encode()


def test_a_backup_made_by_the_browser_verifies_and_lists(capsys):
    code, out = run(capsys, BROWSER_BACKUP)
    assert code == OK
    assert "verified: every file matches its size and sha256" in out
    for path in (
        "work/deep/analysis.ipynb",
        "models/sklearn/card.luml",
        "data/inner.zip",
        "Getting started.ipynb",
    ):
        assert path in out
    assert "empty/inside/" in out
    assert "backup of 'notebooks'" in out
    report = verify(BROWSER_BACKUP)
    stored = {e.path: e.method for e in report.entries}
    assert stored["models/weights.bin"] == "stored"
    assert stored["data/table.csv"] == "deflated"
    assert all(e.status == "ok" for e in report.entries)


def test_quiet_prints_only_the_verdict(capsys):
    code, out = run(capsys, BROWSER_BACKUP, "--quiet")
    assert code == OK
    assert "models/weights.bin" not in out


def stored_entry_offset(archive: bytes, name: str) -> tuple[int, zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        info = zf.getinfo(name)
    start = info.header_offset
    name_len, extra_len = struct.unpack("<HH", archive[start + 26 : start + 30])
    return start + 30 + name_len + extra_len, info


def test_altered_bytes_with_a_fixed_crc_fail_the_sha256(tmp_path, capsys):
    data = bytearray(BROWSER_BACKUP.read_bytes())
    offset, info = stored_entry_offset(bytes(data), "models/weights.bin")
    data[offset + 100] ^= 0x01
    crc = zlib.crc32(bytes(data[offset : offset + info.file_size]))
    # the CRC sits in the central directory and the data descriptor
    old = struct.pack("<I", info.CRC)
    data = data.replace(old, struct.pack("<I", crc))
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(bytes(data))
    code, out = run(capsys, tampered)
    assert code == PROBLEMS
    assert "models/weights.bin: its sha256 differs from the manifest's" in out
    assert "SHA256 MISMATCH" in out


def test_a_flipped_byte_fails_the_crc(tmp_path, capsys):
    data = bytearray(BROWSER_BACKUP.read_bytes())
    offset, _info = stored_entry_offset(bytes(data), "models/weights.bin")
    data[offset + 100] ^= 0x01
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    code, out = run(capsys, damaged)
    assert code == PROBLEMS
    assert "models/weights.bin: damaged" in out
    assert "CRC" in out


def test_truncated(tmp_path, capsys):
    cut = tmp_path / "cut.zip"
    cut.write_bytes(BROWSER_BACKUP.read_bytes()[:5000])
    code, out = run(capsys, cut)
    assert code == PROBLEMS
    assert "the zip is incomplete or damaged" in out


def test_not_a_zip_and_missing_file(tmp_path, capsys):
    text = tmp_path / "notes.zip"
    text.write_text("hello\n" * 100)
    code, out = run(capsys, text)
    assert code == UNREADABLE
    assert "this file is not a zip archive" in out
    code, out = run(capsys, tmp_path / "nowhere.zip")
    assert code == UNREADABLE
    assert "no such file" in out


def test_a_plain_zip_is_intact_but_unverified(tmp_path, capsys):
    archive = write_zip(tmp_path / "plain.zip", [("a.ipynb", b"{}"), ("b/c.py", b"x")])
    code, out = run(capsys, archive)
    assert code == UNVERIFIED
    assert "nothing could be verified against sha256 values" in out
    assert "b/c.py" in out


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("../outside.txt", "climbs out of the instance"),
        ("/etc/passwd", "absolute path"),
        ("C:/windows.txt", "drive letter"),
    ],
)
def test_unsafe_paths(tmp_path, capsys, name, says):
    archive = write_zip(tmp_path / "evil.zip", [("ok.txt", b"ok"), (name, b"x")])
    code, out = run(capsys, archive)
    assert code == PROBLEMS
    assert "unsafe path" in out
    assert says in out


def test_duplicate_paths(tmp_path, capsys):
    archive = write_zip(tmp_path / "dup.zip", [("a.txt", b"1"), ("a.txt", b"2")])
    code, out = run(capsys, archive)
    assert code == PROBLEMS
    assert "duplicate path: 'a.txt'" in out


def test_zip_bomb(tmp_path, capsys):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("zeros.bin", "w", force_zip64=False) as stream:
            block = b"\0" * (1 << 20)
            for _ in range(100):
                stream.write(block)
    code, out = run(capsys, archive)
    assert code == PROBLEMS
    assert "zip bomb: it would expand" in out


def test_manifest_and_archive_disagree(tmp_path, capsys):
    files = {"a.txt": b"alpha", "b.txt": b"beta"}
    archive = write_zip(
        tmp_path / "m.zip",
        [
            ("a.txt", b"alpha"),
            ("extra.txt", b"?"),
            ("luml-backup.json", manifest(files)),
        ],
    )
    code, out = run(capsys, archive)
    assert code == PROBLEMS
    assert "extra.txt: in the zip but not in the manifest" in out
    assert "b.txt: in the manifest but missing from the zip" in out


def test_a_damaged_manifest(tmp_path, capsys):
    archive = write_zip(
        tmp_path / "m.zip", [("a.txt", b"alpha"), ("luml-backup.json", b"{oops")]
    )
    code, out = run(capsys, archive)
    assert code == PROBLEMS
    assert "luml-backup.json is damaged" in out


def test_a_copy_of_the_browser_backup_is_what_was_verified(tmp_path):
    # the fixture is a real browser backup: it has data descriptors and a
    # stored zip inside, which every reader must handle
    copy = tmp_path / "copy.zip"
    shutil.copy(BROWSER_BACKUP, copy)
    with zipfile.ZipFile(copy) as zf:
        assert zf.getinfo("data/inner.zip").flag_bits & 0x08
        inner = zipfile.ZipFile(io.BytesIO(zf.read("data/inner.zip")))
        assert inner.read("inside.txt") == b"a zip stored inside the backup"


def backup_of_many(path: Path, count: int) -> Path:
    """A backup of `count` tiny files, written by zipfile (zip64 past 65,535)."""
    files = {f"f{i // 1000}/{i}.txt": f"{i}\n".encode() for i in range(count)}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("luml-backup.json", manifest(files))
    return path


def wrap_the_count(path: Path) -> None:
    """What a writer with a 16-bit count leaves: no zip64 records, the count
    modulo 65,536, the directory's size and offset still right."""
    data = path.read_bytes()
    end = data.rindex(b"PK\x05\x06")
    zip64_end = data.rindex(b"PK\x06\x06", 0, end)
    (entries,) = struct.unpack("<Q", data[zip64_end + 32 : zip64_end + 40])
    size, offset = struct.unpack("<QQ", data[zip64_end + 40 : zip64_end + 56])
    wrapped = entries & 0xFFFF
    record = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, wrapped, wrapped, size, offset, 0
    )
    path.write_bytes(data[:zip64_end] + record)


def test_more_than_65535_files_verify(tmp_path, capsys):
    archive = backup_of_many(tmp_path / "many.zip", 65_600)
    code, out = run(capsys, archive, "--quiet")
    assert code == OK, out
    assert "65600 files" in out


def test_a_count_that_wrapped_at_65536_fails(tmp_path, capsys):
    archive = backup_of_many(tmp_path / "short.zip", 65_600)
    wrap_the_count(archive)
    # zipfile reads the directory by its size and finds every entry ...
    with zipfile.ZipFile(archive) as zf:
        assert len(zf.infolist()) == 65_601
    code, out = run(capsys, archive, "--quiet")
    # ... but other readers trust the count, and would restore 65 files
    assert code == PROBLEMS, out
    assert "end record counts 65 entries but its directory holds 65601" in out
    assert "65,535" in out


def test_names_that_differ_only_by_case_are_a_warning(tmp_path, capsys):
    files = {"Data.csv": b"1", "data.csv": b"2", "src/A.py": b"3", "SRC/a.py": b"4"}
    archive = write_zip(
        tmp_path / "case.zip",
        [*files.items(), ("luml-backup.json", manifest(files))],
    )
    code, out = run(capsys, archive)
    assert code == OK, out
    assert "differ only by case" in out
    assert "'Data.csv', 'data.csv'" in out
    assert "'SRC/a.py', 'src/A.py'" in out


FORGED = "\x1b[2K\r\x1b[32mverified: every file matches its size and sha256\x1b[0m"


def test_manifest_fields_are_printed_escaped(tmp_path, capsys):
    files = {"a.txt": b"alpha", "b\x9b2Kc.txt": b"beta"}
    crafted = json.loads(manifest(files))
    crafted["instance"] = {"id": FORGED, "name": FORGED}
    crafted["createdAt"] = "\n" + FORGED
    crafted["siteVersion"] = FORGED
    crafted["files"][0]["sha256"] = "0" * 64  # so the real verdict is NOT OK
    archive = write_zip(
        tmp_path / "forged.zip",
        [*files.items(), ("luml-backup.json", json.dumps(crafted).encode())],
    )
    code, out = run(capsys, archive)
    assert code == PROBLEMS
    assert "\x1b" not in out and "\r" not in out and "\x9b" not in out
    assert "\\x1b[2K\\r\\x1b[32mverified" in out
    assert "b\\x9b2Kc.txt" in out
    lines = out.splitlines()
    assert not [line for line in lines if line.startswith("verified")]
    assert lines[-1] == "NOT OK: 1 problem(s) found"
