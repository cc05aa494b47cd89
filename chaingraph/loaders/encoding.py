"""Decode text files as they come from government and enterprise sources.

Such files arrive as UTF-8, UTF-8 with a byte-order mark, or GBK/GB18030. We
decide deterministically (BOM, then strict UTF-8, then GB18030, a superset of
GBK) rather than by statistical guessing, which misreads short Chinese files.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from chaingraph.errors import DataError, Issue
from chaingraph.loaders.limits import MAX_TABLE_BYTES, check_input_file

__all__ = ["decode_bytes", "read_text"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(raw: bytes, origin: str, encoding: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding used)``; :class:`DataError` naming the byte offset if undecodable.

    Examples
    --------
    >>> decode_bytes("东莞".encode("gbk"), "x.csv")
    ('东莞', 'gb18030')
    >>> decode_bytes(codecs.BOM_UTF8 + "东莞".encode(), "x.csv")
    ('东莞', 'utf-8-sig')
    """
    if encoding:
        candidates = [encoding]
        # "--encoding utf-8" on a file saved by Excel/Notepad: drop the BOM, or the
        # first header would start with an invisible U+FEFF and match no column.
        if raw.startswith(codecs.BOM_UTF8) and _is_utf8(encoding):
            candidates = ["utf-8-sig"]
    else:
        candidates = [name for bom, name in _BOMS if raw.startswith(bom)][:1] or [
            "utf-8",
            "gb18030",
        ]
    failures: list[tuple[str, UnicodeDecodeError]] = []
    for name in candidates:
        try:
            text = raw.decode(name)
        except UnicodeDecodeError as exc:
            failures.append((name, exc))
            continue
        except LookupError:
            raise DataError(
                [Issue(origin, f"unknown encoding {name!r}", expected="utf-8, gbk or gb18030")]
            ) from None
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise DataError(
                [
                    Issue(
                        origin,
                        "contains a NUL character: binary or corrupt file",
                        line=line,
                        expected="a text file",
                    )
                ]
            )
        return text, name
    # The encoding that read furthest is most likely the file's: a UTF-8 file with
    # one bad byte on line 900 should be reported there, not where GB18030 gave up.
    best, last = max(failures, key=lambda f: f[1].start)
    line = raw.count(b"\n", 0, last.start) + 1
    hint = f"; it reads as {best} up to there" if len(failures) > 1 and last.start else ""
    raise DataError(
        [
            Issue(
                origin,
                f"cannot decode byte {raw[last.start : last.start + 1]!r} at offset {last.start} "
                f"(tried {', '.join(candidates)}{hint})",
                line=line,
                expected="UTF-8, UTF-8 with BOM, or GBK/GB18030 text; pass --encoding if it is another",
            )
        ]
    )


def _is_utf8(name: str) -> bool:
    try:
        return codecs.lookup(name).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def read_text(
    path: Path, encoding: str | None = None, max_bytes: int = MAX_TABLE_BYTES
) -> tuple[str, str]:
    """Read and decode a text file; see :func:`decode_bytes`.

    A FIFO, a device or a file over ``max_bytes`` is refused before it is opened
    (:func:`chaingraph.loaders.limits.check_input_file`).
    """
    check_input_file(Path(path), max_bytes)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DataError([Issue(str(path), f"cannot read file: {exc.strerror}")]) from None
    return decode_bytes(raw, str(path), encoding)
