"""Throughput of ``ingest-text`` extraction after start-up, in KB of Chinese text per second.

Run from the repository root::

    python bench/nlp_throughput.py                 # both segmenters, the founding plan
    python bench/nlp_throughput.py --seconds 10 --doc other.txt

Start-up (importing spaCy, loading jieba's dictionary, building the gazetteer
and the entity patterns from the bundled store) is timed on its own and kept out
of the rate. The rate is for the whole of :func:`chaingraph.nlp.extract`: clean-up,
the spaCy pipeline and fact extraction, on the document as one text and on the
document repeated 20 times (to show the cost grows with the text, not faster).
KB is 1000 bytes of UTF-8; the target is >= 50 KB/s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tabulate import tabulate

from chaingraph.resources import founding_plan_path

PLAN = founding_plan_path()  # shipped in ingest/texts/ ($CHAINGRAPH_PLAN_TEXT overrides)
TARGET_KB_S = 50.0
LONG_COPIES = 20


def _rate(extract: object, pipe: object, text: str, seconds: float) -> tuple[float, int]:
    """KB/s over as many runs as fit in ``seconds`` (at least one), after one warm-up run."""
    extract(pipe, text)  # type: ignore[operator]
    runs = 0
    started = time.perf_counter()
    while True:
        extract(pipe, text)  # type: ignore[operator]
        runs += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            break
    kb = len(text.encode("utf-8")) / 1000 * runs
    return kb / elapsed, runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc", type=Path, default=PLAN, help="the document (UTF-8 text)")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    args = parser.parse_args(argv)
    raw = args.doc.read_text(encoding="utf-8")
    long_text = "\n".join([raw] * LONG_COPIES)

    started = time.perf_counter()
    from chaingraph.dataset import load_bundled
    from chaingraph.nlp import SEGMENTERS, build_pipeline, extract
    from chaingraph.nlp.pipeline import lexicon
    from chaingraph.store.networkx import NetworkxStore

    store = NetworkxStore()
    load_bundled(store)
    lexicon()  # jieba's dictionary: both segmenters use it
    imports_and_store = time.perf_counter() - started

    rows = []
    ok = True
    for segmenter in SEGMENTERS:
        started = time.perf_counter()
        pipe = build_pipeline(store, segmenter)
        startup = time.perf_counter() - started
        short_rate, short_runs = _rate(extract, pipe, raw, args.seconds)
        long_rate, long_runs = _rate(extract, pipe, long_text, args.seconds)
        ok &= min(short_rate, long_rate) >= TARGET_KB_S
        rows.append(
            [
                segmenter,
                f"{startup:.2f}",
                f"{short_rate:.0f} ({short_runs} runs)",
                f"{long_rate:.0f} ({long_runs} runs)",
            ]
        )
    size = len(raw.encode("utf-8")) / 1000
    print(f"document: {args.doc.name}, {size:.1f} KB, {len(raw)} characters")
    print(
        "start-up shared by both (imports, bundled store, jieba dictionary): "
        f"{imports_and_store:.2f} s\n"
    )
    print(
        tabulate(
            rows,
            headers=[
                "segmenter",
                "pipeline start-up (s)",
                f"KB/s, {size:.0f} KB document",
                f"KB/s, {size * LONG_COPIES:.0f} KB document",
            ],
        )
    )
    print(f"\ntarget >= {TARGET_KB_S:.0f} KB/s after start-up: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
