"""Spreadsheet and file exports of result rows: XLSX, CSV (with BOM) and JSON.

Text that a spreadsheet would run as a formula is made inert in every format a
spreadsheet opens; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from chaingraph.errors import ConfigError
from chaingraph.output import neutralise
from chaingraph.store.fileformat import atomic_write_bytes

__all__ = ["HEADERS_ZH", "export_rows"]

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
    "chain": "产业链",
    "stage": "链位",
    "priority": "优先级",
    "local_firms": "本地企业数",
    "local_leaders": "本地龙头数",
    "elsewhere_firms": "外地企业数",
    "national_firms": "全国企业数",
    "rule": "判定规则",
    "local_names": "本地企业",
}


def _text(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def export_rows(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], path: Path, sheet: str = "结果"
) -> Path:
    """Write ``rows`` to ``path``; the format follows the suffix (.xlsx, .csv, .json)."""
    suffix = path.suffix.lower()
    headers = [HEADERS_ZH.get(c, c) for c in columns]
    if suffix == ".json":
        payload = [{c: row.get(c) for c in columns} for row in rows]
        atomic_write_bytes(path, orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    elif suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([neutralise(_text(row.get(c))) for c in columns])
        atomic_write_bytes(path, buffer.getvalue().encode("utf-8-sig"))
    elif suffix == ".xlsx":
        _write_xlsx(rows, columns, headers, path, sheet)
    else:
        raise ConfigError(
            f"{path}: cannot export to {suffix or 'a file without suffix'}; use .xlsx, .csv or .json"
        )
    return path


def _write_xlsx(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    headers: list[str],
    path: Path,
    sheet: str,
) -> None:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,
        },
    )
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    widths = [max(6, _width(h)) for h in headers]
    for col, header in enumerate(headers):
        ws.write_string(0, col, header, bold)
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            value = _text(row.get(column))
            if value is None:
                continue
            if isinstance(value, int | float):
                ws.write_number(r, col, value)
            else:
                text = str(neutralise(str(value)))
                ws.write_string(r, col, text)
                widths[col] = max(widths[col], min(60, _width(text)))
    for col, width in enumerate(widths):
        ws.set_column(col, col, width + 2)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(1, len(rows)), len(columns) - 1)
    book.close()
    atomic_write_bytes(path, buffer.getvalue())


def _width(text: str) -> int:
    from wcwidth import wcswidth

    width = wcswidth(text)
    return width if width >= 0 else len(text) * 2
