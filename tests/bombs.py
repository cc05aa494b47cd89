"""XLSX bombs for the bounded-reader tests: a small file that inflates to gigabytes.

Written by hand (zip headers packed here) from one deflated block repeated: deflating
a gigabyte took 8–16 s per file with zipfile; this takes well under a second of
compression, plus a CRC pass. Each file is a complete workbook (content types,
workbook, relationships, one sheet, shared strings), so only the bounds stop it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

__all__ = ["NS", "SHEET", "repeated", "workbook"]

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_CT = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + NS + b" "
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    b"</Relationships>"
)
SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + NS + b">"
    b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
)
_SHARED = (
    b'<?xml version="1.0" encoding="UTF-8"?><sst ' + NS + "><si><t>企业名称</t></si></sst>".encode()
)


class _Member:
    """One deflated zip member: its compressed bytes, CRC and sizes."""

    def __init__(self, name: str, pieces: Iterable[tuple[bytes, int]]) -> None:
        # pieces: (plain bytes, times); each repeated piece is deflated once and its
        # output repeated: after a full flush, a deflate block refers to nothing before.
        self.name = name.encode()
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        out: list[bytes] = []
        self.crc = 0
        self.size = 0
        for plain, times in pieces:
            packed = compressor.compress(plain) + compressor.flush(zlib.Z_FULL_FLUSH)
            out.append(packed * times)
            for _ in range(times):
                self.crc = zlib.crc32(plain, self.crc)
            self.size += len(plain) * times
        out.append(compressor.flush(zlib.Z_FINISH))
        self.data = b"".join(out)


def repeated(head: bytes, unit: bytes, count: int, tail: bytes) -> list[tuple[bytes, int]]:
    """``head + unit * count + tail`` as pieces for :func:`workbook` (units in 1 MiB blocks)."""
    per_block = max(1, (1 << 20) // len(unit))
    blocks, rest = divmod(count, per_block)
    return [(head, 1), (unit * per_block, blocks), (unit * rest, 1), (tail, 1)]


def workbook(
    path: Path,
    shared: list[tuple[bytes, int]] | None = None,
    sheet: list[tuple[bytes, int]] | None = None,
) -> Path:
    """Write an .xlsx whose shared strings and/or sheet are the given pieces."""
    members = [
        _Member("[Content_Types].xml", [(_CT, 1)]),
        _Member("_rels/.rels", [(_RELS, 1)]),
        _Member("xl/workbook.xml", [(_WORKBOOK, 1)]),
        _Member("xl/_rels/workbook.xml.rels", [(_WORKBOOK_RELS, 1)]),
        _Member("xl/worksheets/sheet1.xml", sheet or [(SHEET, 1)]),
        _Member("xl/sharedStrings.xml", shared or [(_SHARED, 1)]),
    ]
    with open(path, "wb") as fh:
        directory = []
        for member in members:
            assert member.size < 1 << 32, "zip64 not needed for these bombs"
            offset = fh.tell()
            fh.write(
                struct.pack(
                    "<IHHHHHIIIHH",
                    0x04034B50,
                    20,
                    0x800,  # UTF-8 names
                    8,  # deflate
                    0,
                    0,
                    member.crc,
                    len(member.data),
                    member.size,
                    len(member.name),
                    0,
                )
            )
            fh.write(member.name)
            fh.write(member.data)
            directory.append(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    0x800,
                    8,
                    0,
                    0,
                    member.crc,
                    len(member.data),
                    member.size,
                    len(member.name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + member.name
            )
        start = fh.tell()
        central = b"".join(directory)
        fh.write(central)
        fh.write(
            struct.pack(
                "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0
            )
        )
    return path
