"""Seat rules, checked over the whole catalogue and every combination of two seats."""

from __future__ import annotations

import itertools

import pytest

from meetings_ui.domain.licences import (
    ALL_SEATS,
    CATALOGUE,
    Hub,
    Seat,
    Tier,
    may_change_meetings_url,
    may_use_custom_domain,
    parse_seat,
)


def test_the_catalogue_is_the_article_s_hubs_and_tiers() -> None:
    assert len(ALL_SEATS) == 11
    assert CATALOGUE[Hub.CMS] == (Tier.PRO, Tier.ENTERPRISE)
    for hub in (Hub.SALES, Hub.SERVICE, Hub.MARKETING):
        assert CATALOGUE[hub] == (Tier.STARTER, Tier.PRO, Tier.ENTERPRISE)


def test_cms_starter_does_not_exist() -> None:
    with pytest.raises(ValueError, match="CMS Hub is not sold as Starter"):
        Seat(Hub.CMS, Tier.STARTER)


@pytest.mark.parametrize("seat", ALL_SEATS, ids=lambda seat: seat.code)
def test_every_seat_code_round_trips(seat: Seat) -> None:
    assert parse_seat(seat.code) == seat
    assert parse_seat(f"  {seat.code.upper()} ") == seat


@pytest.mark.parametrize("code", ["", "sales", "sales_", "sales_gold", "crm_pro", "cms_starter"])
def test_bad_seat_codes_are_refused_with_the_valid_list(code: str) -> None:
    with pytest.raises(ValueError, match=r"Use one of: sales_starter, .*cms_enterprise"):
        parse_seat(code)


def _expected_meetings_url(seats: tuple[Seat, ...]) -> bool:
    return any(seat.hub in (Hub.SALES, Hub.SERVICE) for seat in seats)


def _expected_custom_domain(seats: tuple[Seat, ...]) -> bool:
    return any(
        seat.hub is Hub.MARKETING or (seat.hub is Hub.CMS and seat.tier is not Tier.STARTER)
        for seat in seats
    )


SEAT_SETS = [
    combo
    for size in (0, 1, 2)
    for combo in itertools.combinations(ALL_SEATS, size)
    if len({seat.hub for seat in combo}) == size  # one tier per hub, as stored
]


@pytest.mark.parametrize("seats", SEAT_SETS, ids=lambda s: "+".join(x.code for x in s) or "none")
def test_decisions_match_the_article_for_every_seat_set(seats: tuple[Seat, ...]) -> None:
    url = may_change_meetings_url(seats)
    domain = may_use_custom_domain(seats)
    assert url.allowed is _expected_meetings_url(seats)
    assert domain.allowed is _expected_custom_domain(seats)
    assert url.needs == "Sales Hub or Service Hub seat (Starter, Pro or Enterprise)"
    assert domain.needs == (
        "Marketing Hub seat (Starter, Pro or Enterprise) or a CMS Hub seat (Pro or Enterprise)"
    )


def test_refusals_say_why_and_which_seat_is_needed() -> None:
    assert may_change_meetings_url([]).reason == (
        "Changing the Meetings URL needs a Sales Hub or Service Hub seat "
        "(Starter, Pro or Enterprise)."
    )
    assert may_use_custom_domain([Seat(Hub.SALES, Tier.ENTERPRISE)]).reason == (
        "Hosting meeting links on a custom domain needs a Marketing Hub seat "
        "(Starter, Pro or Enterprise) or a CMS Hub seat (Pro or Enterprise)."
    )


def test_grants_name_the_seat_that_allows_it() -> None:
    seats = [Seat(Hub.MARKETING, Tier.PRO), Seat(Hub.SERVICE, Tier.STARTER)]
    decision = may_change_meetings_url(seats)
    assert decision.allowed
    assert decision.reason == (
        "Changing the Meetings URL is included in your Service Hub Starter seat."
    )


def test_the_domain_module_imports_only_the_standard_library() -> None:
    import ast
    import sys
    from pathlib import Path

    import meetings_ui.domain.licences as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    outside = {
        name
        for name in imported
        if name.split(".")[0] not in set(sys.stdlib_module_names) | {"__future__"}
        and not name.startswith("meetings_ui.domain.")  # its translatable sentences
    }
    assert not outside
