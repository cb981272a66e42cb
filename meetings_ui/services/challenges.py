"""A challenge in front of what anyone may ask without an account and that costs us (or a
stranger's inbox) something: a public booking and a password-reset request.

Rate limits stop one address hammering; a challenge makes each request cost the client
some work, which slows a crowd of addresses too. `MEETINGS_CHALLENGE` picks the verifier:

- `none` (the default): nothing is asked.
- `proof-of-work`: the server issues a challenge signed with the secret key (itsdangerous)
  that expires after CHALLENGE_LIFETIME; the client finds a nonce such that
  sha256(challenge + nonce) starts with `MEETINGS_POW_DIFFICULTY` zero bits, and sends
  "<challenge>:<nonce>". A solution is accepted once (replays are refused, across workers
  when REDIS_URL is set). Browsers solve it with crypto.subtle (BROWSER_SOLVER).
- `package.module:ClassName`: any class implementing `ChallengeVerifier` (a CAPTCHA such as
  Cloudflare Turnstile or hCaptcha), built with no arguments (it reads its own settings).

Entry points call `issue(action)` to learn what to ask, and `verify(action, solution,
client_ip)` before doing the work; a ChallengeFailedError's message is for the person.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, runtime_checkable

from itsdangerous import BadData, URLSafeTimedSerializer

from meetings_ui.config import ConfigurationError, get_settings
from meetings_ui.domain.messages import Text
from meetings_ui.services import rate_limits

BOOKING = "booking"
PASSWORD_RESET = "password-reset"  # noqa: S105  (an action name)
ACTIONS = (BOOKING, PASSWORD_RESET)
CHALLENGE_LIFETIME = timedelta(minutes=10)
MAX_SOLUTION_LENGTH = 4096
NO_SOLUTION = Text(
    "This request needs a browser check that did not run: reload the page and try again "
    "(over https, with JavaScript on)."
)


class ChallengeFailedError(ValueError):
    """The solution is missing, wrong, expired or already used: the message says what next."""


@dataclass(frozen=True)
class Challenge:
    """What a client must solve. `kind` names the verifier ("proof-of-work", "turnstile"...);
    `challenge` is its input (a proof-of-work token, a CAPTCHA's site key); `difficulty` the
    zero bits a proof of work needs (0 otherwise)."""

    kind: str
    challenge: str
    difficulty: int = 0


@runtime_checkable
class ChallengeVerifier(Protocol):
    """What MEETINGS_CHALLENGE=package.module:ClassName must implement."""

    def issue(self, action: str) -> Challenge:
        """A challenge for one request of `action` (BOOKING or PASSWORD_RESET)."""
        ...

    def browser_script(self, challenge: Challenge) -> str:
        """A JavaScript expression the booking and reset pages evaluate (rx.call_script):
        a Promise of the solution string."""
        ...

    def verify(self, action: str, solution: str, client_ip: str) -> None:
        """Raise ChallengeFailedError unless `solution` answers a challenge of `action`."""
        ...


def _leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


# Evaluated by the browser with the challenge and difficulty filled in: counts nonces up
# from 0 until the digest has enough leading zero bits, then resolves "<challenge>:<nonce>".
BROWSER_SOLVER = """(async (challenge, bits) => {
  const encoder = new TextEncoder();
  for (let nonce = 0; ; nonce++) {
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", encoder.encode(challenge + nonce)));
    let zeros = 0;
    for (const byte of digest) {
      if (byte === 0) { zeros += 8; continue; }
      zeros += Math.clz32(byte) - 24;
      break;
    }
    if (zeros >= bits) return challenge + ":" + nonce;
  }
})(%s, %d)"""


class ProofOfWork:
    """The built-in verifier: a signed, expiring, single-use hashcash-style challenge."""

    kind = "proof-of-work"

    def __init__(self, difficulty: int, secret_key: str) -> None:
        self.difficulty = difficulty
        self._secret_key = secret_key

    def _serializer(self, action: str) -> URLSafeTimedSerializer:
        # One salt per action: a challenge issued for a reset cannot pay for a booking.
        return URLSafeTimedSerializer(self._secret_key, salt=f"challenge:{action}")

    def issue(self, action: str) -> Challenge:
        token = self._serializer(action).dumps(
            {"id": secrets.token_urlsafe(12), "bits": self.difficulty}
        )
        return Challenge(self.kind, token, self.difficulty)

    def browser_script(self, challenge: Challenge) -> str:
        return BROWSER_SOLVER % (json.dumps(challenge.challenge), challenge.difficulty)

    def verify(self, action: str, solution: str, client_ip: str) -> None:
        token, _, nonce = solution.rpartition(":")
        if not token or not nonce or len(nonce) > 64:
            raise ChallengeFailedError(NO_SOLUTION)
        try:
            issued = self._serializer(action).loads(
                token, max_age=int(CHALLENGE_LIFETIME.total_seconds())
            )
        except BadData:
            raise ChallengeFailedError(
                Text("The browser check expired or is not valid: try again.")
            ) from None
        bits = int(issued.get("bits", self.difficulty))
        if bits < self.difficulty:  # issued before the difficulty was raised
            raise ChallengeFailedError(Text("The browser check expired: try again."))
        if _leading_zero_bits(hashlib.sha256((token + nonce).encode()).digest()) < bits:
            raise ChallengeFailedError(Text("The browser check did not pass: try again."))
        if not rate_limits.first_use(
            f"challenge/{action}/{issued['id']}", int(CHALLENGE_LIFETIME.total_seconds())
        ):
            raise ChallengeFailedError(Text("This browser check was already used: try again."))


def _load(spec: str) -> ChallengeVerifier:
    module_name, _, class_name = spec.partition(":")
    try:
        verifier = getattr(importlib.import_module(module_name), class_name)()
    except (ImportError, AttributeError, TypeError, ValueError) as error:
        raise ConfigurationError(
            f"MEETINGS_CHALLENGE: {spec!r} is not an importable package.module:ClassName ({error})"
        ) from None
    if not isinstance(verifier, ChallengeVerifier):
        raise ConfigurationError(
            f"MEETINGS_CHALLENGE: {spec!r} lacks issue, browser_script or verify"
        )
    return verifier


@functools.cache
def _verifier(spec: str, difficulty: int, secret_key: str) -> ChallengeVerifier | None:
    if spec == "none":
        return None
    if spec == "proof-of-work":
        return ProofOfWork(difficulty, secret_key)
    if ":" not in spec:
        raise ConfigurationError(
            f"MEETINGS_CHALLENGE: {spec!r} is none, proof-of-work or package.module:ClassName"
        )
    return _load(spec)


def verifier() -> ChallengeVerifier | None:
    """The configured verifier, or None when no challenge is asked."""
    settings = get_settings()
    return _verifier(settings.challenge, settings.pow_difficulty, settings.secret_key)


def issue(action: str) -> Challenge | None:
    """What to ask before a request of `action`, or None when nothing is asked."""
    current = verifier()
    return current.issue(action) if current is not None else None


def browser_script(challenge: Challenge) -> str:
    """The JavaScript that solves `challenge` in the browser: a Promise of the solution,
    or of "" when the browser cannot (no crypto.subtle on plain http, a CAPTCHA that did
    not load), so the page always hears back and the server says what to do."""
    current = verifier()
    if current is None:
        raise ValueError("No challenge is configured")
    solver = current.browser_script(challenge)
    return f"(async () => {{ try {{ return await ({solver}); }} catch (e) {{ return ''; }} }})()"


def verify(action: str, solution: str | None, client_ip: str) -> None:
    """Raise ChallengeFailedError unless the configured challenge of `action` is answered
    by `solution` (always passes when MEETINGS_CHALLENGE is none)."""
    current = verifier()
    if current is None:
        return
    if not solution or len(solution) > MAX_SOLUTION_LENGTH:
        raise ChallengeFailedError(NO_SOLUTION)
    current.verify(action, solution, client_ip)
