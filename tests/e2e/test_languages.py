"""French and English in the browser: the account pages speak the browser's language, and
a host's Settings > Language choice makes their pages follow it, whatever the browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.helpers import HOST, assert_accessible, sign_up


@pytest.fixture
def french(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="fr-FR")
    yield context
    context.close()


@pytest.fixture
def english(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="en-US")
    yield context
    context.close()


def test_a_french_browser_logs_in_and_signs_up_in_french(
    french: BrowserContext, app_url: str
) -> None:
    page = french.new_page()
    page.goto(app_url + "/login")
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    expect(page.locator("div[lang='fr']")).to_have_count(1)
    page.get_by_label("E-mail").fill(HOST[0])
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Adresse e-mail ou mot de passe incorrect. Vérifiez les deux, ou réinitialisez votre "
        "mot de passe."
    )
    assert_accessible(page)

    page.get_by_role("link", name="S'inscrire").click()
    expect(page.get_by_role("heading", name="S'inscrire")).to_be_visible()
    page.get_by_label("Nom").fill("Noémie")
    page.get_by_label("E-mail").fill("noemie@example.com")
    page.get_by_label("Mot de passe").fill("court")
    page.get_by_role("button", name="S'inscrire").click()
    expect(page.get_by_role("alert")).to_contain_text("Utilisez au moins 10 caractères")
    expect(page.get_by_text("Au moins 10 caractères.", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Mot de passe").fill("un mot de passe assez long")
    page.get_by_role("button", name="S'inscrire").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Nous avons envoyé à noemie@example.com un lien pour terminer l'inscription"
    )
    # The mail is written in the browser's language at the time.
    page.get_by_role("link", name="la boîte d'envoi locale").click()
    expect(page.get_by_role("heading", name="Boîte d'envoi locale", level=1)).to_be_visible()
    mail = page.get_by_role("article", name="Confirmez votre compte Meetings")
    expect(mail.filter(has_text="À noemie@example.com").first).to_be_visible(timeout=30_000)
    assert_accessible(page)


def test_an_english_browser_sees_english(english: BrowserContext, app_url: str) -> None:
    page = english.new_page()
    page.goto(app_url + "/signup")
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.get_by_text("Already have an account?")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def _settings(page: Page, app_url: str) -> None:
    page.goto(app_url + "/app/settings")


def test_a_host_chooses_french_and_the_host_pages_follow(
    english: BrowserContext, app_url: str
) -> None:
    page = english.new_page()
    sign_up(page, app_url, "lea@example.com", "le mot de passe de Léa", name="Léa")
    _settings(page, app_url)
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    language = page.get_by_role("radiogroup", name="Language")
    expect(language.get_by_role("radio", name="Browser default")).to_be_checked()
    assert_accessible(page)

    language.get_by_role("radio", name="Français").click()
    expect(page.get_by_text("Langue enregistrée")).to_be_visible()
    expect(page.get_by_role("heading", name="Paramètres", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Vos licences")).to_be_visible()

    # Another visit, in this English browser: still French.
    page.reload()
    expect(page.get_by_role("heading", name="Paramètres", level=1)).to_be_visible()
    french_choice = page.get_by_role("radiogroup", name="Langue")
    expect(french_choice.get_by_role("radio", name="Français")).to_be_checked()
    assert_accessible(page)

    french_choice.get_by_role("radio", name="Langue du navigateur").click()
    expect(page.get_by_text("Language saved")).to_be_visible()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
