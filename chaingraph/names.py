"""Company-name normalisation and identifier checks (统一社会信用代码)."""

from __future__ import annotations

import re
import unicodedata

from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError as _StdnumError

__all__ = [
    "LEGAL_SUFFIXES",
    "check_uscc",
    "key_of_normal",
    "name_key",
    "name_variants",
    "normalize_text",
]

# Longest first: "股份有限公司" must be tried before "有限公司".
LEGAL_SUFFIXES = (
    "集团股份有限公司",
    "集团有限责任公司",
    "集团有限公司",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "(集团)",
    "集团",
)
_SPACES = re.compile(r"\s+")
# Invisible characters that scraped pages and concatenated exports leave in names:
# zero-width spaces and joiners, soft hyphens, stray byte-order marks, and the
# bidirectional controls that make a name display as something else.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalize_text(text: str) -> str:
    """Fold full-width forms to half-width (NFKC), drop invisible characters and collapse
    white space.

    Examples
    --------
    >>> normalize_text("  东莞市　ＡＢＣ（集团）有限公司 ")
    '东莞市 ABC(集团)有限公司'
    >>> normalize_text("\ufeff示例\u200b科技\u202e有限公司")
    '示例科技有限公司'
    """
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return _SPACES.sub(" ", text).strip()


def name_key(name: str) -> str:
    """The key two spellings of one company name share.

    Full-width and half-width forms, brackets, spaces, letter case and the
    legal-form suffix (有限公司, 股份有限公司…) are ignored.

    Examples
    --------
    >>> name_key("深圳市汇川技术股份有限公司") == name_key("深圳市汇川技术 有限公司")
    True
    >>> name_key("ＴＣＬ科技集团股份有限公司")
    'tcl科技'
    """
    return key_of_normal(normalize_text(name))


def key_of_normal(text: str) -> str:
    """:func:`name_key` of a name already :func:`normalize_text`-ed (a load normalises
    each name once for both its lookup name and its key).

    >>> key_of_normal(normalize_text("ＴＣＬ科技集团股份有限公司"))
    'tcl科技'
    """
    text = text.replace(" ", "").lower()
    stripped = True
    while stripped:
        stripped = False
        for suffix in LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                stripped = True
                break
    return text


def name_variants(legal_name: str) -> list[str]:
    """Spellings worth keeping as aliases: the normalised name and it without legal suffix.

    >>> name_variants("比亚迪股份有限公司")
    ['比亚迪股份有限公司', '比亚迪']
    """
    normal = normalize_text(legal_name)
    variants = [normal]
    bare = normal
    for suffix in LEGAL_SUFFIXES:
        if bare.endswith(suffix) and len(bare) > len(suffix):
            bare = bare[: -len(suffix)].strip()
            break
    if bare != normal:
        variants.append(bare)
    return variants


def check_uscc(code: str) -> str:
    """Validate a 统一社会信用代码 (GB 32100-2015) and return it in canonical form.

    Raises ``ValueError`` with the reason when the code is malformed or its check
    character is wrong.

    Examples
    --------
    >>> check_uscc("91110108551385082q")
    '91110108551385082Q'
    >>> check_uscc("91110108551385082A")
    Traceback (most recent call last):
    ...
    ValueError: check character is wrong: expected 'Q' at position 18
    """
    compact = normalize_text(code).replace(" ", "").replace("-", "").upper()
    try:
        return str(_uscc.validate(compact))
    except _StdnumError as exc:
        if len(compact) != 18:
            raise ValueError(f"has {len(compact)} characters, not 18") from None
        for position, char in enumerate(compact, start=1):
            allowed = "0123456789" if position <= 8 else _USCC_ALPHABET
            if char not in allowed:
                kind = "a digit" if position <= 8 else "0-9 or A-Z without I, O, S, V, Z"
                raise ValueError(
                    f"character {char!r} at position {position} is not allowed (expected {kind})"
                ) from None
        if type(exc).__name__ == "InvalidChecksum":
            expected = _uscc.calc_check_digit(compact[:17])
            raise ValueError(
                f"check character is wrong: expected {expected!r} at position 18"
            ) from None
        raise ValueError(f"not a valid 18-character code ({exc})") from None
