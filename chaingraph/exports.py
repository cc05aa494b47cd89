"""Spreadsheet and file exports of result rows (gaps, targets): XLSX, CSV (with BOM) and JSON.

Text that a spreadsheet would run as a formula (a cell starting with ``=``, ``+``,
``-``, ``@``, tab, CR or LF) is made inert in every format a spreadsheet opens, by
:func:`chaingraph.output.neutralise`; numbers stay numbers. JSON keeps the raw values.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chaingraph.errors import ConfigError
from chaingraph.fs import atomic_write_bytes
from chaingraph.output import json_bytes, neutralise

if TYPE_CHECKING:
    from chaingraph.analysis.gaps import GapReport
    from chaingraph.analysis.targets import Target
    from chaingraph.store.base import GraphStore

__all__ = [
    "CHAIN_COLUMNS",
    "EXPORT_SUFFIXES",
    "GAP_COLUMNS",
    "GAP_HEADERS",
    "GAP_TABLES",
    "HEADERS_ZH",
    "INPUT_COLUMNS",
    "TARGET_COLUMNS",
    "export_gap_tables",
    "export_gaps",
    "export_rows",
    "export_targets",
    "gap_rows",
    "target_rows",
]

EXPORT_SUFFIXES = (".xlsx", ".csv", ".json")

HEADERS_ZH = {
    "status": "状态",
    "segment": "环节ID",
    "segment_name": "环节",
    "company": "企业ID",
    "name": "企业",
    "city": "城市",
    "product_name": "产品",
    "score": "得分",
    "severity": "缺口程度",
    "leadership": "行业地位",
    "scale": "规模",
    "technology": "技术",
    "supply_ties": "本地配套关联",
    "proximity": "区位",
    "plan_alignment": "规划契合",
    "confidence": "数据可信度",
    "unverified": "含未核实信息",
    "tags": "标签",
    "reason": "推荐理由",
    "supplies_local": "可配套本地企业（前20家）",
    "supplies_local_count": "可配套本地企业数",
    "evidence": "依据",
    "sources": "来源",
    "as_of": "数据日期",
    "facts": "事实数",
    "chain": "产业链ID",
    "chain_name": "产业链",
    "stage": "链位",
    "priority": "优先级",
    "local_firms": "本地企业数",
    "local_leaders": "本地龙头数",
    "elsewhere_firms": "外地企业数",
    "national_firms": "全国企业数",
    "reference_firms": "本地以外国内企业数",
    "focus": "重点权重",
    "rule": "判定规则",
    "local_decisive": "本地证据确凿企业数",
    "local_unverified": "本地未核实企业数",
    "expected_local": "预期本地企业数",
    "location_quotient": "区位商",
    "decide_by": "如何判定",
    "local_names": "本地企业",
    "in_base": "基地所在镇企业数",
    "in_city": "本市企业数",
    "in_metro": "都市圈企业数",
    "in_gba": "大湾区企业数",
}

TARGET_COLUMNS = [
    "status",
    "segment",
    "segment_name",
    "company",
    "name",
    "city",
    "product_name",
    "score",
    "focus",
    "severity",
    "leadership",
    "scale",
    "technology",
    "supply_ties",
    "proximity",
    "plan_alignment",
    "confidence",
    "unverified",
    "tags",
    "reason",
    "supplies_local_count",
    "supplies_local",
    "evidence",
    "sources",
    "as_of",
    "facts",
]

GAP_COLUMNS = [
    "status",
    "chain_name",
    "segment",
    "name",
    "stage",
    "priority",
    "local_firms",
    "local_leaders",
    "elsewhere_firms",
    "national_firms",
    "reference_firms",
    "local_decisive",
    "local_unverified",
    "expected_local",
    "location_quotient",
    "in_base",
    "in_city",
    "in_metro",
    "in_gba",
    "severity",
    "rule",
    "decide_by",
    "local_names",
]
# In a gap row ``name`` is the segment's name, not a firm's.
GAP_HEADERS = {**HEADERS_ZH, "name": "环节"}

# The other two tables of a gap report: completeness per chain, and 延链 inputs.
CHAIN_COLUMNS = [
    "chain",
    "name",
    "segments",
    "present",
    "completeness",
    "local_leader_inputs",
    "local_supported_inputs",
    "local_supply_rate",
]
CHAIN_HEADERS = {
    **HEADERS_ZH,
    "name": "产业链",
    "segments": "环节数",
    "present": "已有环节数",
    "completeness": "链条完整度",
    "local_leader_inputs": "龙头所需投入数",
    "local_supported_inputs": "本地可供投入数",
    "local_supply_rate": "本地配套率",
}
INPUT_COLUMNS = [
    "product",
    "name",
    "segment",
    "for_product",
    "for_product_name",
    "local_leaders",
    "makers_elsewhere",
    "rule",
]
INPUT_HEADERS = {
    **HEADERS_ZH,
    "product": "投入品ID",
    "name": "投入品",
    "for_product": "用于产品ID",
    "for_product_name": "用于产品",
    "local_leaders": "本地龙头",
    "makers_elsewhere": "外地生产企业数",
}
# Table name -> sheet name; every export of a gap report carries all three.
GAP_TABLES = {"segments": "缺口环节", "chains": "链条完整度", "inputs": "延链投入"}

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def gap_rows(report: GapReport, store: GraphStore | None = None) -> list[dict[str, Any]]:
    """One flat row per segment of a gap report, with the chain's name when it is known.

    Examples
    --------
    >>> from chaingraph.analysis.gaps import gaps
    >>> from chaingraph.testing import tiny_store
    >>> store = tiny_store()
    >>> row = gap_rows(gaps(store, "base:yinping"), store)[0]
    >>> row["chain_name"], row["name"], row["status"]
    ('工业机器人', '减速器', '数据不足')
    """
    names = {c.chain: c.name for c in report.chains}
    rows = []
    for gap in report.segments:
        row = dataclasses.asdict(gap)
        name = names.get(gap.chain)
        if name is None and store is not None and gap.chain:
            node = store.get(gap.chain)
            name = node.name if node else None
        row["chain_name"] = name or gap.chain
        rows.append(row)
    return rows


def target_rows(found: Sequence[Target]) -> list[dict[str, Any]]:
    """One flat row per target: its fields with the score parts spread into columns."""
    rows = []
    for target in found:
        row = dataclasses.asdict(target)
        row.update(row.pop("parts"))
        rows.append(row)
    return rows


def _gap_tables(
    report: GapReport, store: GraphStore | None
) -> dict[str, tuple[list[dict[str, Any]], list[str], Mapping[str, str]]]:
    return {
        "segments": (gap_rows(report, store), GAP_COLUMNS, GAP_HEADERS),
        "chains": ([dataclasses.asdict(c) for c in report.chains], CHAIN_COLUMNS, CHAIN_HEADERS),
        "inputs": ([dataclasses.asdict(i) for i in report.inputs], INPUT_COLUMNS, INPUT_HEADERS),
    }


def export_gap_tables(
    report: GapReport, path: Path, store: GraphStore | None = None, table: str | None = None
) -> list[Path]:
    """Write every table of a gap report (segments, chains, 延链 inputs), or only ``table``.

    XLSX: one sheet per table (缺口环节, 链条完整度, 延链投入). JSON: an object with one
    list per table. CSV holds one table per file: ``path`` gets the segments and
    ``<stem>-chains.csv`` and ``<stem>-inputs.csv`` beside it the others; with ``table``,
    ``path`` gets that table alone in any format. Returns the files written.

    Raises
    ------
    ConfigError
        An unknown ``table`` or suffix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from chaingraph.analysis.gaps import gaps
    >>> from chaingraph.testing import tiny_store
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "g.csv"
    >>> [p.name for p in export_gap_tables(gaps(tiny_store(), "base:yinping"), out)]
    ['g.csv', 'g-chains.csv', 'g-inputs.csv']
    """
    path = Path(path)
    if table is not None and table not in GAP_TABLES:
        raise ConfigError(f"no gap table {table!r}; one of {', '.join(GAP_TABLES)}")
    tables = _gap_tables(report, store)
    if table is not None:
        rows, columns, headers = tables[table]
        return [export_rows(rows, columns, path, sheet=GAP_TABLES[table], headers=headers)]
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        sheets = [
            (GAP_TABLES[name], rows, columns, [headers.get(c, c) for c in columns])
            for name, (rows, columns, headers) in tables.items()
        ]
        return [atomic_write_bytes(path, _xlsx_book(sheets))]
    if suffix == ".json":
        payload = {
            name: [{c: row.get(c) for c in columns} for row in rows]
            for name, (rows, columns, _) in tables.items()
        }
        return [atomic_write_bytes(path, json_bytes(payload))]
    written = []
    for name, (rows, columns, headers) in tables.items():
        target = path if name == "segments" else path.with_name(f"{path.stem}-{name}{path.suffix}")
        written.append(export_rows(rows, columns, target, sheet=GAP_TABLES[name], headers=headers))
    return written


def export_gaps(report: GapReport, path: Path, store: GraphStore | None = None) -> Path:
    """Write a gap report to ``path`` (.xlsx, .csv or .json) with Chinese headers.

    Every table, as :func:`export_gap_tables` says; returns ``path`` (for CSV, the
    segments; the other tables are beside it).
    """
    return export_gap_tables(report, path, store)[0]


def export_targets(found: Sequence[Target], path: Path) -> Path:
    """Write targets to ``path`` (.xlsx, .csv or .json), Chinese headers, one row per firm."""
    return export_rows(target_rows(found), TARGET_COLUMNS, path, sheet="招商目标")


def export_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    path: Path,
    sheet: str = "结果",
    headers: Mapping[str, str] | None = None,
) -> Path:
    """Write ``rows`` to ``path``; the format follows the suffix (.xlsx, .csv, .json).

    XLSX and CSV get Chinese headers (``headers``, default :data:`HEADERS_ZH`); XLSX
    has a frozen header row, an autofilter and column widths fitted to the text; CSV
    is UTF-8 with a BOM so Excel reads it right. In both, formula-like text is made
    inert and numbers stay numbers.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = export_rows([{"name": "=1+1", "score": -2}], ["name", "score"], out)
    >>> out.read_bytes().decode("utf-8-sig")
    "企业,得分\\r\\n'=1+1,-2\\r\\n"
    """
    path = Path(path)
    suffix = path.suffix.lower()
    mapping = HEADERS_ZH if headers is None else headers
    titles = [mapping.get(c, c) for c in columns]
    writers: dict[str, Callable[[], bytes]] = {
        ".json": lambda: _json_bytes(rows, columns),
        ".csv": lambda: _csv_bytes(rows, columns, titles),
        ".xlsx": lambda: _xlsx_bytes(rows, columns, titles, sheet),
    }
    if suffix not in writers:
        raise ConfigError(
            f"{path}: cannot export to {suffix or 'a file without suffix'}; "
            f"use {', '.join(EXPORT_SUFFIXES)}"
        )
    return atomic_write_bytes(path, writers[suffix]())


def _text(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value


def _json_bytes(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    return json_bytes([{c: row.get(c) for c in columns} for row in rows])


def _csv_bytes(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], titles: list[str]
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(t) for t in titles])
    for row in rows:
        writer.writerow([neutralise(_text(row.get(c))) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_bytes(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], titles: list[str], sheet: str
) -> bytes:
    return _xlsx_book([(sheet, rows, columns, titles)])


Sheet = tuple[str, Sequence[Mapping[str, Any]], Sequence[str], list[str]]


def _xlsx_book(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook with one sheet per ``(name, rows, columns, titles)``."""
    import xlsxwriter

    buffer = io.BytesIO()
    # constant_memory streams rows to temp files; strings are never turned into
    # formulas, URLs or numbers behind our back.
    book = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for sheet, rows, columns, titles in sheets:
        ws = book.add_worksheet(_SHEET_FORBIDDEN.sub("_", sheet)[:31] or "Sheet1")
        widths = [max(6, _width(t)) for t in titles]
        for col, title in enumerate(titles):
            ws.write_string(0, col, str(neutralise(title)), bold)
        for r, row in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                value = _text(row.get(column))
                if value is None:
                    continue
                if isinstance(value, int | float):
                    if math.isfinite(value):  # NaN/inf have no Excel number; leave blank
                        ws.write_number(r, col, value)
                        widths[col] = max(widths[col], len(f"{value:g}"))
                    continue
                text = str(neutralise(str(value)))
                ws.write_string(r, col, text)
                widths[col] = max(widths[col], min(60, _width(text)))
        for col, width in enumerate(widths):
            ws.set_column(col, col, width + 2)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(1, len(rows)), max(0, len(columns) - 1))
    book.close()
    return buffer.getvalue()


def _width(text: str) -> int:
    from wcwidth import wcswidth

    width = wcswidth(text)
    return width if width >= 0 else len(text) * 2
