"""Structured loaders: YAML/JSON documents and CSV/XLSX/JSONL tables with mapping specs."""

from chaingraph.loaders.pipeline import LoadReport, Prepared, load_files, prepare, validate_files

__all__ = ["LoadReport", "Prepared", "load_files", "prepare", "validate_files"]
