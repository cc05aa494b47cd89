"""Company names, 统一社会信用代码 checks and name lookup with near-name suggestions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from chaingraph.errors import NotFound
from chaingraph.model import Node
from chaingraph.names import check_uscc, name_key, name_variants, normalize_text
from chaingraph.store.lookup import resolve, search_names
from chaingraph.store.networkx import NetworkxStore
from chaingraph.testing import tiny_store

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def valid_uscc(body: str) -> str:
    """A code with a correct check character, computed by python-stdnum from 17 characters."""
    assert len(body) == 17
    return body + stdnum_uscc.calc_check_digit(body)


# -- normalisation ---------------------------------------------------------------


def test_normalize_text_folds_full_width_and_spaces() -> None:
    assert normalize_text("  东莞市　ＡＢＣ（集团）有限公司\n") == "东莞市 ABC(集团)有限公司"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("东莞示例科技有限公司", "东莞示例科技股份有限公司"),
        ("东莞示例科技（集团）有限公司", "东莞示例科技(集团)股份有限公司"),
        ("东莞示例科技有限责任公司", "东莞示例科技 有限公司"),
        ("ＡＢＣ示例集团股份有限公司", "abc示例"),
        ("示例科技 有限公司", "示例科技有限公司"),
    ],
)
def test_name_key_ignores_legal_form_width_brackets_case(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


def test_name_key_keeps_different_firms_apart() -> None:
    assert name_key("东莞示例传感科技有限公司") != name_key("东莞示例模组科技有限公司")
    # A bare suffix is a name, not nothing.
    assert name_key("有限公司") == "有限公司"


def test_name_variants_keep_the_bare_name() -> None:
    assert name_variants("示例科技（东莞）股份有限公司") == [
        "示例科技(东莞)股份有限公司",
        "示例科技(东莞)",
    ]
    assert name_variants("示例") == ["示例"]


@given(
    core=st.text(alphabet="示例东莞传感模组科技ABCxyz0123", min_size=1, max_size=12),
    suffix=st.sampled_from(["有限公司", "股份有限公司", "有限责任公司", "集团有限公司", ""]),
    wide=st.booleans(),
)
def test_name_key_is_the_same_for_every_legal_form(core: str, suffix: str, wide: bool) -> None:
    written = core + suffix
    if wide:
        written = written.translate({ord(c): ord(c) + 0xFEE0 for c in "ABCxyz0123"})
    assert name_key(written) == name_key(core + "有限公司")


# -- 统一社会信用代码 -------------------------------------------------------------


def test_check_uscc_accepts_valid_codes_in_any_reasonable_spelling() -> None:
    code = valid_uscc("91441900DEMX00001")
    assert check_uscc(code) == code
    assert check_uscc(code.lower()) == code
    assert check_uscc(" " + code[:6] + "-" + code[6:] + " ") == code
    full_width = code.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert check_uscc(full_width) == code


@pytest.mark.parametrize("body", ["91441900DEMX00001", "91441900DEMX00002", "91110108551385082"])
def test_wrong_check_character_names_the_expected_one(body: str) -> None:
    right = stdnum_uscc.calc_check_digit(body)
    wrong = next(c for c in USCC_ALPHABET if c != right)
    with pytest.raises(ValueError, match=f"expected '{right}' at position 18"):
        check_uscc(body + wrong)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9144", "has 4 characters, not 18"),
        ("91441900DEMX00001AB", "has 19 characters, not 18"),
        ("9144O900DEMX00001A", "character 'O' at position 5 is not allowed"),
        ("91441900DEMI00001A", "character 'I' at position 12 is not allowed"),
    ],
)
def test_malformed_uscc_says_what_is_wrong(code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_uscc(code)


@given(
    head=st.text(alphabet="0123456789", min_size=8, max_size=8),
    tail=st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
    bad=st.sampled_from(USCC_ALPHABET),
)
def test_check_uscc_agrees_with_gb32100(head: str, tail: str, bad: str) -> None:
    code = valid_uscc(head + tail)
    assert check_uscc(code) == code
    if bad != code[-1]:
        with pytest.raises(ValueError, match=f"expected '{code[-1]}'"):
            check_uscc(code[:-1] + bad)


# -- lookup --------------------------------------------------------------------------


def test_resolve_by_id_name_and_alias() -> None:
    store = tiny_store()
    assert resolve(store, "prod:harmonic-reducer").name == "谐波减速器"
    assert resolve(store, "谐波减速器").id == "prod:harmonic-reducer"
    assert resolve(store, "  谐波减速器 ").id == "prod:harmonic-reducer"
    assert resolve(store, "苏减速", "Company").id == "co:sz-reducer"


def test_resolve_matches_aliases_ignoring_case_and_width() -> None:
    store = NetworkxStore()
    store.merge([Node("co:demo", "Company", {"name": "示例科技", "aliases": ["DemoTech"]})], [])
    assert resolve(store, "demotech").id == "co:demo"
    assert resolve(store, "ＤＥＭＯＴＥＣＨ").id == "co:demo"


def test_misspelt_name_suggests_near_names() -> None:
    with pytest.raises(NotFound) as caught:
        resolve(tiny_store(), "谐波减速")
    error = caught.value
    assert error.suggestions[0] == "谐波减速器 (prod:harmonic-reducer)"
    assert str(error).startswith("no node named '谐波减速'; did you mean: 谐波减速器")


def test_type_filter_narrows_suggestions() -> None:
    with pytest.raises(NotFound) as caught:
        resolve(tiny_store(), "伺服电动机", "Product")
    assert str(caught.value).startswith("no product (产品) named '伺服电动机'")
    assert caught.value.suggestions[0] == "伺服电机 (prod:servo-motor)"
    assert all("(prod:" in s for s in caught.value.suggestions)


def test_nothing_near_gives_no_suggestions() -> None:
    with pytest.raises(NotFound) as caught:
        resolve(tiny_store(), "Zyxwvut")
    assert caught.value.suggestions == ()
    assert str(caught.value) == "no node named 'Zyxwvut'"


def test_shared_name_is_ambiguous_and_lists_both() -> None:
    store = NetworkxStore()
    store.merge(
        [
            Node("co:demo-a", "Company", {"name": "示例", "legal_name": "示例甲有限公司"}),
            Node("co:demo-b", "Company", {"name": "示例", "legal_name": "示例乙有限公司"}),
        ],
        [],
    )
    with pytest.raises(NotFound) as caught:
        resolve(store, "示例")
    suggestions = caught.value.suggestions
    assert len(suggestions) == 2
    assert "co:demo-a" in suggestions[0] and "co:demo-b" in suggestions[1]
    assert resolve(store, "示例乙有限公司").id == "co:demo-b"


def test_search_names_is_ranked_and_stable() -> None:
    store = tiny_store()
    first = search_names(store, "减速器")
    assert first == search_names(store, "减速器")
    assert first[0].score == 100
    assert first[0].id == "seg:robot.parts.reducer"
    assert [m.score for m in first] == sorted((m.score for m in first), reverse=True)
    assert {m.type for m in search_names(store, "减速器", "Product")} == {"Product"}
