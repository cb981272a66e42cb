"""Accounts as a person uses them: log in, log out, sign up, reset a password."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import (
    ADMIN,
    HOST,
    assert_accessible,
    log_in,
    open_mailed_link,
    open_outbox_message,
    sign_up,
)


def test_log_in_shows_a_clear_error_then_succeeds_then_logs_out(page: Page, app_url: str) -> None:
    page.goto(app_url + "/app/settings")
    # A first visit fetches the login binding cookie from the backend, and comes back.
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fapp%2Fsettings&cookie_check=1$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("Demo accounts")).to_contain_text("host@example.com")

    page.get_by_label("Email").fill(HOST[0])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Wrong email or password. Check both, or reset your password."
    )
    assert_accessible(page)

    page.get_by_label("Password").fill(HOST[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    expect(page).to_have_url(app_url + "/app/settings")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation).to_contain_text("Hugo Host")
    for name in ("meetings_session", "meetings_login_binding"):
        cookie = next(c for c in page.context.cookies() if c["name"] == name)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert page.evaluate("document.cookie").find(name) == -1

    navigation.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(app_url + "/app/meetings")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_sign_up_explains_bad_input_then_confirms_by_email(page: Page, app_url: str) -> None:
    page.goto(app_url + "/login")
    # The form shows once the page has its login binding (a first visit goes through
    # /auth/browser and back): leaving before would race that round trip.
    expect(page.get_by_label("Email")).to_be_visible()
    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    page.get_by_label("Name").fill("Nina New")
    page.get_by_label("Email").fill("Nina@Example.com")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_contain_text("Use at least 10 characters")
    assert_accessible(page)

    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We have emailed nina@example.com a link to finish signing up"
    )
    open_mailed_link(page, "Confirm your Meetings account", "nina@example.com")
    expect(page.get_by_role("button", name="Create my account")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("nina@example.com")


def _answer(browser: Browser, app_url: str, path: str, email: str, submit: str) -> str:
    """The page's answer to a form sent for `email`, with the address itself blanked."""
    page = browser.new_page()
    page.goto(app_url + path)
    page.get_by_label("Email").fill(email)
    if path == "/signup":
        page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name=submit).click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("emailed")
    answer = status.inner_text().replace(email, "<address>")
    page.close()
    return answer


def test_sign_up_and_reset_answer_alike_for_taken_and_free_addresses(
    browser: Browser, app_url: str
) -> None:
    """Account enumeration: the pages say the same for a known and an unknown address."""
    for path, submit in (("/signup", "Sign up"), ("/forgot-password", "Send reset link")):
        known, unknown = (
            _answer(browser, app_url, path, email, submit)
            for email in (HOST[0], f"nobody-yet{len(path)}@example.com")
        )
        assert known == unknown
    # The owner of the taken address hears of the sign-up, with a way back in.
    page = browser.new_page()
    page.goto(app_url + "/app/dev/outbox")
    mail = page.get_by_role("article", name="Someone tried to sign up with your address")
    expect(mail.filter(has_text=f"To {HOST[0]}").first).to_be_visible()
    page.close()


def test_password_reset_through_the_local_outbox(page: Page, app_url: str) -> None:
    email = "reset-me@example.com"
    sign_up(page, app_url, email, "the first password")
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("status")).to_contain_text(f"If an account exists for {email}")
    page.get_by_role("link", name="the local outbox").click()

    expect(page.get_by_role("heading", name="Local outbox", level=1)).to_be_visible()
    expect(page.get_by_text("This is the local outbox, not real email")).to_be_visible()
    open_outbox_message(page, app_url, "Reset your Meetings password")
    message = page.get_by_role("article", name="Reset your Meetings password").first
    expect(message).to_contain_text(f"To {email}")
    assert_accessible(page)
    message.get_by_role("link", name="Open the link in this message").click()

    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password").fill("the second password")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    assert_accessible(page)

    log_in(page, app_url, email, "the first password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    page.get_by_label("Password").fill("the second password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Meetings", level=1)).to_be_visible()

    # The link was single use.
    page.goto(app_url + "/app/dev/outbox")
    page.get_by_role("article", name="Reset your Meetings password").first.get_by_role(
        "link", name="Open the link in this message"
    ).click()
    expect(page.get_by_role("alert")).to_contain_text("expired or was already used")


def test_a_login_code_does_not_log_another_browser_in(browser: Browser, app_url: str) -> None:
    """Login CSRF: the attacker logs in to their own account, keeps the login code instead
    of following the redirect, and has the victim's browser open it."""
    attacker = browser.new_context()
    victim = browser.new_context()
    try:
        attacker_page = attacker.new_page()
        attacker_page.route("**/auth/complete?*", lambda route: route.abort())
        with attacker_page.expect_request(re.compile(r"/auth/complete\?code=")) as stolen:
            log_in(attacker_page, app_url, *HOST)
        link = stolen.value.url

        victim_page = victim.new_page()
        victim_page.goto(app_url + "/login")  # the victim has used the app before
        expect(victim_page.get_by_label("Email")).to_be_visible()
        victim_page.goto(link)
        expect(victim_page).to_have_url(re.compile(r"/login\?other_browser=1"))
        expect(victim_page.get_by_role("status")).to_contain_text(
            "started in another browser, so it was refused"
        )
        assert all(c["name"] != "meetings_session" for c in victim.cookies())

        # The victim's own log-in works as ever.
        victim_page.get_by_label("Email").fill(ADMIN[0])
        victim_page.get_by_label("Password").fill(ADMIN[1])
        victim_page.get_by_role("button", name="Log in").click()
        expect(
            victim_page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out")
        ).to_be_visible()
    finally:
        attacker.close()
        victim.close()


def test_a_reset_request_with_a_proof_of_work(
    page: Page, app_url: str, proof_of_work: list[str]
) -> None:
    page.goto(app_url + "/forgot-password")
    page.get_by_label("Email").fill(HOST[0])
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("status")).to_contain_text(f"If an account exists for {HOST[0]}")
    assert len(proof_of_work) == 1  # the browser solved the server's challenge
