"""Licence seats and what they unlock (S7, S12). Pure Python: the rules, their reasons.

A user holds at most one tier per hub. The answers carry the human reason and the
seat that would unlock a feature, so the UI can explain a locked control instead
of hiding it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from meetings_ui.domain.messages import Text


class Hub(enum.StrEnum):
    SALES = "sales"
    SERVICE = "service"
    MARKETING = "marketing"
    CMS = "cms"

    @property
    def label(self) -> str:
        return "CMS Hub" if self is Hub.CMS else f"{self.value.capitalize()} Hub"


class Tier(enum.StrEnum):
    STARTER = "starter"
    PRO = "pro"
    ENTERPRISE = "enterprise"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# CMS Hub is sold only as Pro or Enterprise.
CATALOGUE: dict[Hub, tuple[Tier, ...]] = {
    Hub.SALES: (Tier.STARTER, Tier.PRO, Tier.ENTERPRISE),
    Hub.SERVICE: (Tier.STARTER, Tier.PRO, Tier.ENTERPRISE),
    Hub.MARKETING: (Tier.STARTER, Tier.PRO, Tier.ENTERPRISE),
    Hub.CMS: (Tier.PRO, Tier.ENTERPRISE),
}


@dataclass(frozen=True, order=True)
class Seat:
    hub: Hub
    tier: Tier

    def __post_init__(self) -> None:
        if self.tier not in CATALOGUE[self.hub]:
            raise ValueError(f"{self.hub.label} is not sold as {self.tier.label}.")

    @property
    def code(self) -> str:
        """The operator's spelling, e.g. "sales_pro" (CLI, forms)."""
        return f"{self.hub.value}_{self.tier.value}"

    @property
    def label(self) -> str:
        return f"{self.hub.label} {self.tier.label}"


ALL_SEATS: tuple[Seat, ...] = tuple(
    Seat(hub, tier) for hub, tiers in CATALOGUE.items() for tier in tiers
)


def parse_seat(code: str) -> Seat:
    """Read "hub_tier" (e.g. "sales_pro"); the error lists what would have been accepted."""
    hub_name, _, tier_name = code.strip().lower().partition("_")
    valid = ", ".join(seat.code for seat in ALL_SEATS)
    try:
        hub, tier = Hub(hub_name), Tier(tier_name)
    except ValueError:
        raise ValueError(f"Unknown seat {code!r}. Use one of: {valid}.") from None
    try:
        return Seat(hub, tier)
    except ValueError as error:
        raise ValueError(f"{error} Use one of: {valid}.") from None


def seat_from_row(hub: str, tier: str) -> Seat | None:
    """A stored seat, or None when the row names something no longer sold."""
    try:
        return Seat(Hub(hub), Tier(tier))
    except ValueError:
        return None


@dataclass(frozen=True)
class Decision:
    """May the user do it? If not, why, and which seat would unlock it."""

    allowed: bool
    reason: str
    needs: str


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return Text("{some} or {last}", some=", ".join(words[:-1]), last=words[-1])


def _describe(hubs_tiers: dict[Hub, tuple[Tier, ...]]) -> str:
    """ "Sales Hub or Service Hub seat (Starter, Pro or Enterprise)", grouping hubs sold alike."""
    groups: dict[tuple[Tier, ...], list[Hub]] = {}
    for hub, tiers in hubs_tiers.items():
        groups.setdefault(tiers, []).append(hub)
    parts = [
        Text(
            "{hubs} seat ({tiers})",
            hubs=_join([hub.label for hub in hubs]),
            tiers=_join([tier.label for tier in tiers]),
        )
        for tiers, hubs in groups.items()
    ]
    described = parts[0]
    for part in parts[1:]:
        described = Text("{one} or a {other}", one=described, other=part)
    return described


def _decide(
    seats: Iterable[Seat], unlocking: dict[Hub, tuple[Tier, ...]], feature: str
) -> Decision:
    needs = _describe(unlocking)
    granted = sorted(seat for seat in seats if seat.tier in unlocking.get(seat.hub, ()))
    if granted:
        return Decision(
            True,
            Text(
                "{feature} is included in your {seat} seat.", feature=feature, seat=granted[0].label
            ),
            needs,
        )
    return Decision(False, Text("{feature} needs a {needs}.", feature=feature, needs=needs), needs)


# S7: any Sales Hub or Service Hub seat.
_MEETINGS_URL_SEATS = {Hub.SALES: CATALOGUE[Hub.SALES], Hub.SERVICE: CATALOGUE[Hub.SERVICE]}
# S12 (the article's note): Marketing Starter/Pro/Enterprise or CMS Pro/Enterprise.
_CUSTOM_DOMAIN_SEATS = {Hub.MARKETING: CATALOGUE[Hub.MARKETING], Hub.CMS: CATALOGUE[Hub.CMS]}


def may_change_meetings_url(seats: Iterable[Seat]) -> Decision:
    return _decide(seats, _MEETINGS_URL_SEATS, Text("Changing the Meetings URL"))


def may_use_custom_domain(seats: Iterable[Seat]) -> Decision:
    return _decide(seats, _CUSTOM_DOMAIN_SEATS, Text("Hosting meeting links on a custom domain"))
