"""A real DNS server for the tests, built on dnspython: it answers UDP queries on
127.0.0.1 from records the test sets, NXDOMAIN for names it does not know, SERVFAIL while
`failing`, and nothing at all while `silent` (the resolver times out). Fixture
`dns_server`, whose settings point the app's resolver at it (MEETINGS_DNS_RESOLVER, a
short MEETINGS_DNS_TIMEOUT)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from meetings_ui.config import get_settings


class DnsServer:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        self.silent = False
        self.failing = False  # answers SERVFAIL to everything
        self.queries: list[tuple[str, str]] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.1)  # so that the thread sees `close`
        self._closed = threading.Event()
        self.address = f"127.0.0.1:{self._socket.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def add(self, name: str, record_type: str, *values: str) -> None:
        self.records.setdefault((name.lower().rstrip("."), record_type), []).extend(values)

    def clear(self) -> None:
        self.records.clear()

    def _names(self) -> set[str]:
        return {name for name, _ in self.records}

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA | dns.flags.RA
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        record_type = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, record_type))
        if self.failing:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response
        if name not in self._names():
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        values = self.records.get((name, record_type), [])
        if not values and record_type != "CNAME":
            values, record_type = self.records.get((name, "CNAME"), []), "CNAME"
        if values:
            if record_type == "TXT":
                values = [f'"{value}"' for value in values]
            elif record_type == "CNAME":
                values = [f"{value}." for value in values]
            response.answer.append(
                dns.rrset.from_text_list(question.name, 300, "IN", record_type, values)
            )
        return response

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                data, peer = self._socket.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if self.silent:
                continue
            response = self._answer(dns.message.from_wire(data))
            self._socket.sendto(response.to_wire(), peer)

    def close(self) -> None:
        self._closed.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def dns_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DnsServer]:
    server = DnsServer()
    monkeypatch.setenv("MEETINGS_DNS_RESOLVER", server.address)
    monkeypatch.setenv("MEETINGS_DNS_TIMEOUT", os.environ.get("TEST_DNS_TIMEOUT", "2"))
    get_settings.cache_clear()
    yield server
    server.close()
    get_settings.cache_clear()
