"""The challenge on booking and password reset: a proof of work is accepted once, for its
own action, before it expires; anything else is refused. A CAPTCHA plugs in by name."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from itertools import count

import pytest
from sqlmodel import Session, select

from meetings_ui.config import ConfigurationError
from meetings_ui.models import OutboxItem, User
from meetings_ui.services import challenges, sign_in
from meetings_ui.services.accounts import AccountError
from meetings_ui.services.challenges import Challenge, ChallengeFailedError, ProofOfWork

BITS = 8  # 256 hashes on average: quick to solve here, and still checked


def solve(challenge: Challenge) -> str:
    """What the browser's BROWSER_SOLVER does."""
    for nonce in count():
        digest = hashlib.sha256(f"{challenge.challenge}{nonce}".encode()).digest()
        if challenges._leading_zero_bits(digest) >= challenge.difficulty:
            return f"{challenge.challenge}:{nonce}"
    raise AssertionError("unreachable")


def wrong(challenge: Challenge) -> str:
    """A nonce whose digest does not have the zero bits."""
    for nonce in count():
        digest = hashlib.sha256(f"{challenge.challenge}{nonce}".encode()).digest()
        if challenges._leading_zero_bits(digest) < challenge.difficulty:
            return f"{challenge.challenge}:{nonce}"
    raise AssertionError("unreachable")


@pytest.fixture
def proof_of_work(env) -> None:
    env(MEETINGS_CHALLENGE="proof-of-work", MEETINGS_POW_DIFFICULTY=str(BITS))


def test_nothing_is_asked_by_default() -> None:
    assert challenges.issue(challenges.BOOKING) is None
    challenges.verify(challenges.BOOKING, None, "203.0.113.7")


def test_a_solved_challenge_passes_once(proof_of_work: None) -> None:
    issued = challenges.issue(challenges.BOOKING)
    assert issued.kind == "proof-of-work" and issued.difficulty == BITS
    solution = solve(issued)
    challenges.verify(challenges.BOOKING, solution, "203.0.113.7")
    with pytest.raises(ChallengeFailedError, match="already used"):  # the replay
        challenges.verify(challenges.BOOKING, solution, "203.0.113.7")


@pytest.mark.parametrize(
    "make_solution",
    [
        lambda c: None,
        lambda c: "",
        lambda c: c.challenge,  # no nonce
        lambda c: "forged.token.here:1",
        lambda c: f"{c.challenge}:{'1' * 65}",
        wrong,
    ],
)
def test_a_missing_or_wrong_solution_is_refused(proof_of_work: None, make_solution) -> None:
    issued = challenges.issue(challenges.BOOKING)
    with pytest.raises(ChallengeFailedError):
        challenges.verify(challenges.BOOKING, make_solution(issued), "203.0.113.7")


def test_a_solution_is_for_its_own_action_only(proof_of_work: None) -> None:
    solution = solve(challenges.issue(challenges.PASSWORD_RESET))
    with pytest.raises(ChallengeFailedError, match="expired or is not valid"):
        challenges.verify(challenges.BOOKING, solution, "203.0.113.7")


def test_an_old_challenge_is_refused(proof_of_work: None, monkeypatch: pytest.MonkeyPatch) -> None:
    solution = solve(challenges.issue(challenges.BOOKING))
    monkeypatch.setattr(challenges, "CHALLENGE_LIFETIME", timedelta(seconds=-1))
    with pytest.raises(ChallengeFailedError, match="expired"):
        challenges.verify(challenges.BOOKING, solution, "203.0.113.7")


def test_the_browser_solver_carries_the_challenge(proof_of_work: None) -> None:
    issued = challenges.issue(challenges.BOOKING)
    script = challenges.browser_script(issued)
    assert f'"{issued.challenge}", {BITS})' in script and "crypto.subtle.digest" in script


class SaysNo:
    """A stand-in CAPTCHA verifier, as MEETINGS_CHALLENGE=package.module:Class loads one."""

    def issue(self, action: str) -> Challenge:
        return Challenge("test-captcha", "site-key")

    def browser_script(self, challenge: Challenge) -> str:
        return "Promise.resolve('token')"

    def verify(self, action: str, solution: str, client_ip: str) -> None:
        if solution != "yes":
            raise ChallengeFailedError("The CAPTCHA was not solved.")


def test_a_captcha_verifier_plugs_in_by_name(env) -> None:
    env(MEETINGS_CHALLENGE=f"{__name__}:SaysNo")
    assert challenges.issue(challenges.BOOKING) == Challenge("test-captcha", "site-key")
    challenges.verify(challenges.BOOKING, "yes", "203.0.113.7")
    with pytest.raises(ChallengeFailedError, match="CAPTCHA"):
        challenges.verify(challenges.BOOKING, "no", "203.0.113.7")


@pytest.mark.parametrize("spec", ["captcha", "no.such.module:Verifier", f"{__name__}:BITS"])
def test_a_wrong_verifier_setting_names_the_variable(env, spec: str) -> None:
    env(MEETINGS_CHALLENGE=spec)
    with pytest.raises(ConfigurationError, match="MEETINGS_CHALLENGE"):
        challenges.issue(challenges.BOOKING)


def test_the_built_in_verifier_is_a_challenge_verifier() -> None:
    assert isinstance(ProofOfWork(BITS, "key"), challenges.ChallengeVerifier)


def test_a_password_reset_needs_the_solution(
    session: Session, alice: User, proof_of_work: None, mail_captured: None
) -> None:
    def reset(challenge: str | None, email: str = alice.email) -> str:
        return sign_in.request_password_reset(
            session=session, email=email, client_ip="203.0.113.7", challenge=challenge
        )

    issued = challenges.issue(challenges.PASSWORD_RESET)
    for refused in (None, wrong(issued)):
        with pytest.raises(AccountError, match="browser check"):
            reset(refused)
    assert session.exec(select(OutboxItem)).all() == []
    solution = solve(issued)
    assert reset(solution) == alice.email
    with pytest.raises(AccountError, match="already used"):  # the per-address limit aside
        reset(solution, email="bob@example.com")
    assert len(session.exec(select(OutboxItem)).all()) == 1
