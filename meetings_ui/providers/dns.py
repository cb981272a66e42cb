"""The DNS adapter: real queries with dnspython, answered as the domain's `Records`.

The resolver is the system's (/etc/resolv.conf) unless DNS servers are given (the
MEETINGS_DNS_RESOLVER setting; tests start one of their own). Nothing is cached here:
every check asks the servers again.
"""

from __future__ import annotations

from collections.abc import Sequence

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from meetings_ui.domain.custom_domains import DnsUnansweredError, Lookup, Records, RecordType


def resolver_lookup(nameservers: Sequence[tuple[str, int]], timeout: float) -> Lookup:
    """A `Lookup` asking `nameservers` ((address, port) pairs; none: the system's), each
    question given at most `timeout` seconds."""
    if nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [
            dns.nameserver.Do53Nameserver(address, port) for address, port in nameservers
        ]
    else:
        try:
            resolver = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            raise DnsUnansweredError(
                "This server has no DNS resolver configured: set MEETINGS_DNS_RESOLVER."
            ) from None
    resolver.timeout = resolver.lifetime = timeout
    resolver.cache = None

    def lookup(name: str, record_type: RecordType) -> Records:
        try:
            answer = resolver.resolve(
                dns.name.from_text(name),
                dns.rdatatype.from_text(record_type.value),
                search=False,
                raise_on_no_answer=False,
            )
        except dns.resolver.NXDOMAIN:
            return Records(exists=False)
        except dns.exception.Timeout:
            raise DnsUnansweredError(
                f"The DNS server did not answer in time ({timeout:g} s) for {name}: "
                "try again in a moment."
            ) from None
        except dns.resolver.NoNameservers:
            raise DnsUnansweredError(
                f"The DNS servers could not answer for {name} (SERVFAIL or refused): "
                "try again in a moment."
            ) from None
        except dns.exception.DNSException as error:  # a malformed or unexpected answer
            raise DnsUnansweredError(f"DNS gave no usable answer for {name}: {error}") from None
        if answer.rrset is None:
            return Records(exists=True)
        return Records(exists=True, values=tuple(_value(rdata) for rdata in answer.rrset))

    return lookup


def _value(rdata: object) -> str:
    """A TXT record's strings joined (long values are split into 255-byte strings); a
    name without its final dot, lower-case; an address as written."""
    strings = getattr(rdata, "strings", None)
    if strings is not None:
        return b"".join(strings).decode("utf-8", "replace")
    target = getattr(rdata, "target", None)
    if target is not None:
        return target.to_text(omit_final_dot=True).lower()
    return rdata.to_text()
