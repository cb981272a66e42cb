"""The client's IP address, as far as it can be trusted: the one function every rate
limit, log-in throttle and audit entry takes it from.

Behind reverse proxies the peer of every connection is the nearest proxy, so all users
would share one address. Each proxy appends the address it received the request from to
X-Forwarded-For; only the entries added by proxies we run can be believed, and those are
the right-most ones. MEETINGS_TRUSTED_PROXY_HOPS says how many proxies there are (0, the
default, ignores the header: anyone could write anything in it). With N hops the client
is the N-th entry from the right; the entries further left were written by the client
itself and are never used. A header with fewer entries than hops did not come through
every proxy, so the peer address is kept.
"""

from __future__ import annotations

from meetings_ui.config import get_settings


def client_ip(peer: str, forwarded_for: str = "", *, trusted_hops: int | None = None) -> str:
    """The client's address from the connection's `peer` and its X-Forwarded-For value(s)
    (repeated headers joined with commas, in order). `trusted_hops` defaults to the
    MEETINGS_TRUSTED_PROXY_HOPS setting."""
    hops = get_settings().trusted_proxy_hops if trusted_hops is None else trusted_hops
    if hops <= 0:
        return peer
    entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if len(entries) < hops:
        return peer
    return entries[-hops][:64]
