"""The host pages in French, as a host whose browser asks for French reads them: the
calendar settings page by the article's own labels (the French original in
../shared/seed/), the navigation, contacts and scheduled meetings; toasts and
confirmations in French; and axe-core on every host page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import ADMIN, assert_accessible, log_in_as


@pytest.fixture
def french(browser: Browser, app_url: str) -> Iterator[Page]:
    """The admin, logged in, in a browser whose locale (and so Accept-Language) is fr-FR.
    The log-in itself happens in an English context (the log-in page is not this test's),
    whose cookies the French context then carries."""
    english = browser.new_context()
    log_in_as(english.new_page(), app_url, ADMIN)
    cookies = english.storage_state()
    english.close()
    context = browser.new_context(locale="fr-FR", storage_state=cookies)
    yield context.new_page()
    context.close()


def test_the_calendar_settings_page_uses_the_articles_french_labels(
    french: Page, app_url: str
) -> None:
    page = french
    page.goto(app_url + "/app/settings/calendar")
    expect(page.get_by_role("heading", name="Calendrier", level=1)).to_be_visible()
    expect(page.get_by_role("textbox", name="URL de réunions")).to_be_visible()
    expect(
        page.get_by_role("combobox", name="Lien de prise de rendez-vous par défaut")
    ).to_be_visible()
    expect(page.get_by_role("combobox", name="Calendriers sélectionnés")).to_be_visible()
    expect(page.get_by_role("combobox", name="Domaine de réunion")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Connecter votre calendrier").click()
    dialog = page.get_by_role("dialog", name="Connecter votre calendrier")
    expect(dialog.get_by_role("radio", name="Google/Gmail")).to_be_visible()
    expect(dialog.get_by_role("radio", name="Office 365")).to_be_visible()
    dialog.get_by_role("button", name="Connecter votre calendrier").click()
    expect(dialog).to_contain_text("Divulgation nécessaire")
    expect(dialog.get_by_role("button", name="Accepter et se connecter à Google")).to_be_visible()
    assert_accessible(page)
    dialog.get_by_role("button", name="Retour").click()
    dialog.get_by_role("radio", name="Office 365").click()
    dialog.get_by_role("button", name="Connecter votre calendrier").click()
    expect(
        dialog.get_by_role("button", name="Accepter et se connecter à Office 365")
    ).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Paramètres enregistrés")).to_be_visible()


def test_the_navigation_contacts_and_meetings_are_french(french: Page, app_url: str) -> None:
    page = french
    page.goto(app_url + "/app/contacts")
    navigation = page.get_by_role("navigation", name="Principale")
    for entry in ("Réunions", "Contacts", "Paramètres", "Administration"):
        expect(navigation.get_by_role("link", name=entry)).to_be_visible()
    expect(navigation.get_by_role("button", name="Se déconnecter")).to_be_visible()

    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    expect(page.get_by_role("searchbox", name="Rechercher des contacts")).to_be_visible()
    expect(page.get_by_role("combobox", name="Trier les contacts")).to_be_visible()
    assert_accessible(page)

    # A save says so in a toast; a deletion is asked first: both in French.
    page.get_by_role("button", name="Nouveau contact").click()
    dialog = page.get_by_role("dialog", name="Nouveau contact")
    dialog.get_by_label("E-mail").fill("camille.fr.e2e@example.org")
    dialog.get_by_label("Nom").fill("Camille Dupont")
    dialog.get_by_role("button", name="Enregistrer").click()
    toast = page.get_by_text("Contact créé")
    expect(toast).to_be_visible()
    expect(page.get_by_role("heading", name="Camille Dupont", level=2)).to_be_visible()
    expect(page.get_by_role("tab", name="À venir")).to_be_visible()
    expect(page.get_by_text("Aucune réunion à venir.")).to_be_visible()
    expect(toast).to_be_hidden(timeout=15_000)  # the toast's own contrast is not this page's
    assert_accessible(page)
    page.get_by_role("button", name="Supprimer le contact").click()
    confirm = page.get_by_role("alertdialog", name="Supprimer ce contact ?")
    expect(confirm).to_contain_text("Le contact et les réunions de sa fiche sont supprimés.")
    confirm.get_by_role("button", name="Supprimer le contact").click()
    deleted = page.get_by_text("Contact supprimé")
    expect(deleted).to_be_visible()
    expect(deleted).to_be_hidden(timeout=15_000)
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()

    navigation.get_by_role("link", name="Réunions").click()
    page.get_by_role("tab", name="Réunions planifiées").click()
    expect(page.get_by_role("heading", name="Réunions", level=2)).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Les heures sont dans votre fuseau horaire"))
    ).to_be_visible()
    expect(page.get_by_role("combobox", name="Afficher")).to_be_visible()
    expect(page.get_by_role("textbox", name="Rechercher")).to_be_visible()
    empty = page.get_by_role("status").filter(has_text="Aucune réunion")
    expect(empty.or_(page.get_by_role("columnheader", name="Prospect")).first).to_be_visible()
    assert_accessible(page)


ADMIN_PAGES = [
    ("/app/admin", "Administration"),
    ("/app/admin/users", "Utilisateurs et licences"),
    ("/app/admin/audit", "Journal d'audit"),
    ("/app/admin/calendars", "Calendriers connectés"),
    ("/app/admin/deliveries", "Envois en échec"),
    ("/app/admin/domains", "Domaines"),
]


def test_the_admin_pages_are_french_and_accessible(french: Page, app_url: str) -> None:
    page = french
    for path, heading in ADMIN_PAGES:
        page.goto(app_url + path)
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        sections = page.get_by_role("navigation", name="Sections de l'administration")
        expect(sections.get_by_role("link", name="Vue d'ensemble")).to_be_visible()
        expect(page.get_by_role("status").filter(has_text="Chargement")).to_have_count(0)
        assert_accessible(page)
