"""Rewrite company records of ``ingest/companies/*.yaml`` in place, in the files' own style.

Only the records named are replaced (block keys, flow-style nested items); comments and
other records are left as they are. Used by ``verify_listed.py`` and ``dg_source_facts.py``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["dump_record", "rewrite_blocks"]


def dump_record(record: dict[str, Any]) -> str:
    """One company record in the files' style: block keys, flow-style nested items."""
    out = []
    first = True
    for key, value in record.items():
        lead = "  - " if first else "    "
        first = False
        if (
            key in ("makes", "sites", "supplies")
            and isinstance(value, list)
            and any(isinstance(v, dict) for v in value)
        ):
            out.append(f"{lead}{key}:")
            for v in value:
                out.append("      - " + _flow(v))
        else:
            out.append(f"{lead}{key}: {_flow(value)}")
    return "\n".join(out) + "\n"


def _flow(value: Any) -> str:
    return (
        yaml.safe_dump(
            value, allow_unicode=True, default_flow_style=True, width=10**6, sort_keys=False
        )
        .strip()
        .removesuffix("...")
        .strip()
    )


def rewrite_blocks(text: str, blocks: dict[str, dict[str, Any]]) -> str:
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = re.match(r"  - id: (co:[a-z0-9.-]+)\s*$", lines[i])
        if m and m.group(1) in blocks:
            j = i + 1
            while j < len(lines) and lines[j].startswith("    "):
                j += 1
            # keep trailing blank/comment lines out of the block
            out.append(dump_record(blocks.pop(m.group(1))))
            i = j
            continue
        out.append(lines[i])
        i += 1
    return "".join(out)
