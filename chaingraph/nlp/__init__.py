"""Policy-document ingestion: clean text, find bases, industries and firms with spaCy, merge them.

The pipeline is a blank Chinese spaCy model whose entity patterns come from the
store's own names and aliases; facts keep their sentence, character offsets and
a confidence, and go into the store through the same loader as data files.
"""

from chaingraph.nlp.clean import CleanText, clean_text
from chaingraph.nlp.evaluate import TypeScore, load_gold, score
from chaingraph.nlp.extract import extract
from chaingraph.nlp.facts import (
    Area,
    BaseFact,
    Candidate,
    Evidence,
    Extraction,
    FocusFact,
    Mention,
    OrgFact,
    parse_area,
)
from chaingraph.nlp.gazetteer import Gazetteer, Term, build_gazetteer
from chaingraph.nlp.merge import Finding, IngestReport, ingest_text, merge_extraction
from chaingraph.nlp.pipeline import SEGMENTERS, TextPipeline, build_pipeline

__all__ = [
    "SEGMENTERS",
    "Area",
    "BaseFact",
    "Candidate",
    "CleanText",
    "Evidence",
    "Extraction",
    "Finding",
    "FocusFact",
    "Gazetteer",
    "IngestReport",
    "Mention",
    "OrgFact",
    "Term",
    "TextPipeline",
    "TypeScore",
    "build_gazetteer",
    "build_pipeline",
    "clean_text",
    "extract",
    "ingest_text",
    "load_gold",
    "merge_extraction",
    "parse_area",
    "score",
]
