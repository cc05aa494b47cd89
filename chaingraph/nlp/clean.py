"""Clean text taken from web pages and PDFs before extraction, keeping a map back to the source.

Policy documents arrive wrapped in page chrome (site menus, "更多" links, footers),
in a mix of full-width and half-width forms, and with stray white space from PDF
conversion. :func:`clean_text` removes all of that, and remembers for every
character it keeps where it came from, so a fact found in the clean text can cite
its character offsets in the document as read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["CleanText", "clean_text", "is_cjk", "is_heading"]

# Zero-width and soft-hyphen characters that PDF and HTML conversion leave behind.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_LINE = re.compile(r"[^\r\n\u2028\u2029\x0b\x0c\x85]+")

# A line that ends a sentence or carries a clause is body text, never chrome.
_SENTENCE_MARK = re.compile(r"[。!?;:,、」”]")
# Numbered headings ("一、总体要求", "(三)强化政策保障", "第二章") are structure, not chrome.
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|\([一二三四五六七八九十]+\)|\d+(?:\.\d+)*[、.]|第[一二三四五六七八九十\d]+[章节条部分])"
)
_DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月(?:\d{1,2}日)?$|^\d{4}-\d{1,2}(?:-\d{1,2})?$")
_ISSUER_LINE = re.compile(r"(?:人民政府|政府办公室|政府办公厅|委员会|办公室|管理委员会|局|厅)$")

# Page chrome: whole lines made of navigation words, footers, and "more" links.
_NAV_WORDS = (
    "首页|网站首页|返回首页|返回顶部|回到顶部|上一篇|下一篇|上一页|下一页|打印本页|打印|关闭窗口|关闭|"
    "分享到|分享|收藏|字号|大|中|小|默认|当前位置|您的位置|您当前的位置|登录|注册|English|繁体|简体|"
    "无障碍|长者模式|网站地图|联系我们|搜索|更多|more|MORE|More"
)
_NAV_LINE = re.compile(rf"^(?:(?:{_NAV_WORDS})[\s|/>»·:-]*)+$")
_FOOTER = re.compile(
    r"版权所有|Copyright|©|ICP备|ICP证|公网安备|技术支持[:：]|主办单位|承办单位|免责声明|"
    r"浏览次数|阅读次数|点击数[:：]|责任编辑|扫一扫|二维码|微信公众号|网站标识码"
)
_MORE_LINK = re.compile(r"(?:查看更多|更多|more)\s*(?:>>|»|>|\.\.\.)?$", re.IGNORECASE)
_MENU_BARS = re.compile(r"\s*[|·]\s*")
_SPACES = re.compile(r"\s+")
_MAX_CHROME_LINE = 30


def is_cjk(char: str) -> bool:
    """True for a Chinese character (CJK unified ideographs and extensions).

    >>> is_cjk("莞"), is_cjk("A"), is_cjk("、")
    (True, False, False)
    """
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FA1F


def is_heading(line: str) -> bool:
    """A numbered heading: "一、总体要求", "(三)强化政策保障", "第二章 …".

    >>> is_heading("(五)强化绩效考核"), is_heading("松山湖生物医药产业基地")
    (True, False)
    """
    return _HEADING.match(line) is not None


@dataclass(frozen=True)
class CleanText:
    """Clean text, one paragraph per line, with each character's offset in the source.

    ``origin[i]`` is where ``text[i]`` came from in the text as read; it has one
    more entry than ``text``, the source length, so half-open spans map too.
    """

    text: str
    origin: tuple[int, ...]
    dropped: tuple[str, ...]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The source offsets ``[start, end)`` of the clean span ``text[start:end]``.

        >>> clean = clean_text("东莞　ＯＰＰＯ")
        >>> clean.text, clean.source_span(2, 6)
        ('东莞OPPO', (3, 7))
        """
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    if char in _INVISIBLE:
        return ""
    if char.isspace():
        return " "
    return unicodedata.normalize("NFKC", char)


def _is_wide(char: str) -> bool:
    """CJK characters and CJK punctuation: no space belongs next to them."""
    return (
        is_cjk(char)
        or 0x3000 <= ord(char) <= 0x303F
        or 0xFF00 <= ord(char) <= 0xFFEF
        or (char in "“”‘’、。《》「」【】—…")
    )


def _fold_line(raw: str, offset: int) -> tuple[str, list[int]]:
    """Half-width forms, no invisible characters, white space collapsed to single spaces."""
    chars: list[str] = []
    where: list[int] = []
    for index, char in enumerate(raw):
        for piece in _fold(char):
            if piece == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(piece)
            where.append(offset + index)
    if chars and chars[-1] == " ":
        chars.pop()
        where.pop()
    return "".join(chars), where


def _tighten(text: str, where: list[int]) -> tuple[str, list[int]]:
    """Drop spaces next to Chinese characters: conversion artefacts, as in "东 莞" or "3D 打印"."""
    keep = [
        i
        for i, c in enumerate(text)
        if c != " " or (not _is_wide(text[i - 1]) and not _is_wide(text[i + 1]))
    ]
    return "".join(text[i] for i in keep), [where[i] for i in keep]


def _is_chrome(line: str) -> bool:
    if _NAV_LINE.match(line):
        return True
    if len(line) <= 60 and _FOOTER.search(line):
        return True
    explicit = _MENU_BARS.search(line) is not None
    items = [p for p in (_MENU_BARS if explicit else _SPACES).split(line) if p]
    if (
        len(items) >= 3
        and all((1 if explicit else 2) <= len(p) <= 6 for p in items)
        and all(explicit or any(is_cjk(c) for c in p) for p in items)
        and not _SENTENCE_MARK.search(line)
        and not _HEADING.match(line)
    ):
        return True  # a site menu: "首页 | 新闻中心 | 政策法规 | 联系我们"
    # "寻找更多厂房", "查看更多>>": a short link line offering more of the site.
    return (
        len(line) <= 15
        and "更多" in line
        and not _SENTENCE_MARK.search(line)
        and not _HEADING.match(line)
    )


def _is_tail_fragment(line: str) -> bool:
    """After the last sentence, short unpunctuated lines are links and widgets, not body text."""
    return (
        len(line) <= _MAX_CHROME_LINE
        and not _SENTENCE_MARK.search(line)
        and not _HEADING.match(line)
        and not _DATE_LINE.match(line)
        and not _ISSUER_LINE.search(line)
    )


def clean_text(raw: str) -> CleanText:
    """Remove page chrome, fold full-width forms and tidy white space.

    Lines become paragraphs joined by ``\\n``; empty lines go. Lines of site
    navigation, footers and "more" links are dropped wherever they are, and so is
    the run of short unpunctuated lines after the document's last sentence
    (widgets such as "主编对园区的评价"), unless they are a date or an issuer.

    Examples
    --------
    >>> page = "首页 | 政策 | 联系我们\\n一、总体要求\\n重点发展生物医药,总规划面积２４８９亩。\\n寻找更多厂房\\n"
    >>> clean = clean_text(page)
    >>> print(clean.text)
    一、总体要求
    重点发展生物医药,总规划面积2489亩。
    >>> clean.dropped
    ('首页 | 政策 | 联系我们', '寻找更多厂房')
    """
    lines: list[tuple[str, list[int], int]] = []
    dropped: list[tuple[int, str]] = []
    for match in _LINE.finditer(raw):
        text, where = _fold_line(match.group(), match.start())
        if not text:
            continue
        if _is_chrome(text):
            dropped.append((match.start(), text))
            continue
        text, where = _tighten(text, where)
        more = _MORE_LINK.search(text)
        if more and more.start() > 0 and not _SENTENCE_MARK.search(text[more.start() :]):
            # "政策解读 更多>>": keep the words, drop the link.
            text = text[: more.start()].rstrip()
            where = where[: len(text)]
        lines.append((text, where, match.end()))
    body_end = max((i for i, (t, _, _) in enumerate(lines) if _SENTENCE_MARK.search(t)), default=-1)
    while len(lines) - 1 > body_end >= 0 and _is_tail_fragment(lines[-1][0]):
        text, where, _ = lines.pop()
        dropped.append((where[0], text))

    text_parts: list[str] = []
    origin: list[int] = []
    for index, (text, where, _) in enumerate(lines):
        if index:
            text_parts.append("\n")
            origin.append(lines[index - 1][2])
        text_parts.append(text)
        origin.extend(where)
    origin.append(len(raw))
    return CleanText("".join(text_parts), tuple(origin), tuple(t for _, t in sorted(dropped)))
