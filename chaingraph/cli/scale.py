"""Scale commands: generate synthetic graphs for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

from chaingraph.cli import cli
from chaingraph.cli.options import output_option
from chaingraph.output import wrote


@cli.command()
@click.option(
    "--companies", type=click.IntRange(min=1), required=True, help="How many synthetic firms."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same graph.")
@output_option(
    "Embedded store file to write (replaced atomically).", required=True, dest="store_out"
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
    from chaingraph.synthetic import write_synthetic_store

    store = write_synthetic_store(store_out, companies, seed)
    wrote(
        store_out,
        f"{store.count_nodes()} nodes, {store.count_relationships()} relationships, "
        f"synthetic, seed {seed}",
    )
