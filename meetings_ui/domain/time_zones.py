"""Wall-clock times to instants, with one deliberate rule for daylight-saving changes.

**The rule.** A local date and time means *the first instant at which the wall clock
in that zone shows that time or later*. So:

- an ordinary time is that exact instant;
- an *ambiguous* time (the clock goes back and shows it twice) is its first
  occurrence: 01:30 on the night New York falls back is 01:30 EDT;
- a *nonexistent* time (the clock jumps over it) is the instant of the jump:
  02:30 on the night New York springs forward is 03:00 EDT. A window 02:30–04:00
  that night is 03:00–04:00, and a window 02:00–02:30 offers nothing.

The rule never makes a host available at a wall-clock time they did not choose, and
it is the same for a window's start and its end, so windows never invert.
"""

from __future__ import annotations

import difflib
import functools
from datetime import UTC, date, datetime, time, tzinfo
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Every date the app accepts (booking times, slot ranges, link date ranges and overrides)
# lies in this range: far beyond any real booking, and far from the ends of `datetime`,
# where converting between zones would overflow.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2199, 12, 31)


class UnknownTimeZoneError(ValueError):
    """Raised for a name that is not an IANA time zone."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone called `name`; anything else (a list, "Europe", "localtime") is
    UnknownTimeZoneError."""
    if not isinstance(name, str) or name not in _known_zones():
        raise UnknownTimeZoneError(f"Unknown time zone: {name!r}")
    return _zone(name)


def is_time_zone(name: object) -> bool:
    return isinstance(name, str) and name in _known_zones()


@functools.cache
def _known_zones() -> frozenset[str]:
    """The zones of the tz database, less its files that name no zone of their own (the
    machine's local time, the Factory placeholder, the posix/ and right/ copies)."""
    return frozenset(
        name
        for name in available_timezones()
        if name not in ("localtime", "Factory", "posixrules")
        and not name.startswith(("posix/", "right/"))
    )


@functools.lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    """Cached: ZoneInfo construction reads tzdata."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:  # OSError: "Europe", too long
        raise UnknownTimeZoneError(f"Unknown time zone: {name!r}") from error


# --- the zones people pick from ------------------------------------------------------------


@functools.cache
def canonical_zones() -> tuple[str, ...]:
    """The zones a person picks from: the tz database's own list of its zones (zone.tab,
    one per region of each country) and UTC, sorted. Deprecated aliases (Africa/Asmera,
    US/Eastern, Asia/Calcutta) and the Etc/ zones are left out."""
    tab = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    names = {
        line.split("\t")[2]
        for line in tab.splitlines()
        if line and not line.startswith("#") and line.count("\t") >= 2
    }
    return (*sorted(names & _known_zones()), "UTC")


def canonical_name(name: str) -> str | None:
    """The canonical zone `name` stands for: itself when canonical, else the canonical
    zone with the same rules (browsers still report "Asia/Calcutta" or "Europe/Kiev");
    None for a name that is no zone at all."""
    if not is_time_zone(name):
        return None
    if name in _canonical_set():
        return name
    same_rules = _canonical_by_rules().get(_rules(name), ())
    # Several zones may share the alias's rules (Africa/Asmera: Asmara, Nairobi, ...): the
    # one spelled most like it, in the same area, is the one it stands for.
    area = name.partition("/")[0]
    return max(
        same_rules,
        key=lambda candidate: (
            candidate.partition("/")[0] == area,
            difflib.SequenceMatcher(None, name, candidate).ratio(),
        ),
        default=None,
    )


@functools.cache
def _canonical_set() -> frozenset[str]:
    return frozenset(canonical_zones())


def _rules(name: str) -> bytes:
    """A zone's compiled rules: an alias's file is a copy of its zone's."""
    folder, _, file = name.rpartition("/")
    package = "tzdata.zoneinfo" + ("." + folder.replace("/", ".") if folder else "")
    return resources.files(package).joinpath(file).read_bytes()


@functools.cache
def _canonical_by_rules() -> dict[bytes, tuple[str, ...]]:
    """Compiled rules → the canonical zones that have them (zone.tab lists a few zones that
    share their rules, Europe/Oslo and Europe/Berlin among them)."""
    found: dict[bytes, tuple[str, ...]] = {}
    for name in canonical_zones():
        rules = _rules(name)
        found[rules] = (*found.get(rules, ()), name)
    return found


def utc_offset(name: str, at: datetime) -> str:
    """The zone's offset from UTC at the instant `at`: "UTC+01:00", "UTC-03:30",
    "UTC+00:00". ASCII signs, so that people can search for "+01" or "-05"."""
    offset = at.astimezone(zone(name)).utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_label(name: str, at: datetime) -> str:
    """ "Europe/Paris (UTC+01:00)": a zone as a picker shows it at the instant `at`."""
    return f"{name} ({utc_offset(name, at)})"


def resolve_local(day: date, clock: time, tz: tzinfo) -> datetime:
    """The instant (UTC) that `clock` on `day` in `tz` means, by the module's rule."""
    wall = datetime.combine(day, clock)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first  # exists; fold=0 is the first occurrence when ambiguous
    return _end_of_gap(wall, tz)


def _end_of_gap(wall: datetime, tz: tzinfo) -> datetime:
    """The instant the clock jumps over `wall`: the earliest instant showing `wall` or later."""
    # fold=1 reads the wall time with the offset in force after the jump, fold=0 before:
    # the jump lies between the two (they differ by the size of the jump).
    bounds = sorted(int(wall.replace(tzinfo=tz, fold=fold).timestamp()) for fold in (0, 1))
    low, high = bounds  # whole seconds: zones change offset on a whole second
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def start_of_local_day(day: date, tz: tzinfo) -> datetime:
    return resolve_local(day, time(0), tz)


def local_date(instant: datetime, tz: tzinfo) -> date:
    return instant.astimezone(tz).date()


def all_day_span(first_day: date, end_day_exclusive: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The instants an all-day event covers in `tz`: midnight to midnight, by the rule."""
    return start_of_local_day(first_day, tz), start_of_local_day(end_day_exclusive, tz)
