"""Scale commands: generate synthetic graphs for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

from chaingraph.cli import cli
from chaingraph.output import wrote


@cli.command()
@click.option(
    "--companies", type=click.IntRange(min=1), required=True, help="How many synthetic firms."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same graph.")
@click.option(
    "-o",
    "--output",
    "store_out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Embedded store file to write (replaced atomically).",
)
def generate(companies: int, seed: int, store_out: Path) -> None:
    """Write a seeded synthetic graph: the real ontology plus N made-up firms (all marked synthetic).

    Firm sizes are heavy-tailed, firms cluster in hub cities, and supply edges attach
    preferentially; nothing generated is real or enters the bundled dataset.

    \b
    Example:
      chaingraph generate --companies 100000 --seed 7 -o synthetic-100k.cgraph.json
      chaingraph gaps --base 银瓶高端装备产业基地 --store synthetic-100k.cgraph.json
    """
    from chaingraph.synthetic import synthetic_store

    store = synthetic_store(companies, seed)
    store.meta["synthetic"] = {"companies": companies, "seed": seed}  # type: ignore[attr-defined]
    store.save(store_out)  # type: ignore[attr-defined]
    wrote(
        store_out,
        f"{store.count_nodes()} nodes, {store.count_relationships()} relationships, "
        f"synthetic, seed {seed}",
    )
