"""Issue #26: each person's own language, everywhere Steady speaks to them.

Pages in the person's own setting (never the partner's), the API in
Accept-Language then that setting, emails and pushes in the recipient's,
the JavaScript catalog and the manifest in the request's, weeks shown from
the language's first day while stored weekdays stay ISO, and the schema
saying so. Tests that read a translated word use messages of this branch's
own (locale/incoming/i18ncore.json: "Language", the JS and manifest texts)
or Django's and DRF's own catalogs; the catalogs are built by
``scripts/i18n.py make, fill, compile`` (docs/translations.md)."""

import dataclasses
import datetime as dt
import json
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from accounts.models import User
from backend.localtime import week_start
from backend.weekdays import first_weekday, in_week_order, week_order
from reminders import delivery as sending
from reminders.dispatch import dispatch_tick
from reminders.kinds import KINDS, Kind
from reminders.models import Delivery, Notification, Preference, PushSubscription, Reminder

from .conftest import client_for
from .factories import PASSWORD, web_login

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
UTC = dt.UTC


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)" dir="(\w+)"', response.content.decode()).group(1)


def set_language(*pairs):
    for user, language in pairs:
        user.language = language
        user.save(update_fields=["language"])


@pytest.fixture
def catalogs():
    """The test needs this branch's compiled catalogs (scripts/i18n.py)."""
    with translation.override("es"):
        if translation.gettext("Language") != "Idioma":
            pytest.fail("No compiled catalogs: run scripts/i18n.py make, fill locale/incoming/*.json, compile")


# --- pages ------------------------------------------------------------------------------


class TestPages:
    def test_each_partner_reads_their_own_language_never_the_others(self, couple, alice, bob, catalogs):
        set_language((alice, "es"), (bob, "de"))
        as_alice, as_bob = web_login(alice), web_login(bob)

        # The browser asks for English; the person's own setting wins on a page.
        page_a = as_alice.get("/settings/", HTTP_ACCEPT_LANGUAGE="en")
        page_b = as_bob.get("/settings/", HTTP_ACCEPT_LANGUAGE="en")

        assert html_lang(page_a) == "es" and page_a["Content-Language"] == "es"
        assert html_lang(page_b) == "de" and page_b["Content-Language"] == "de"
        assert re.search(r'<label for="id_language">Idioma\b', page_a.content.decode())
        assert re.search(r'<label for="id_language">Sprache\b', page_b.content.decode())
        # A page that depends on who is signed in says so to caches.
        assert "Cookie" in page_a["Vary"]
        # Bob's language did not change Alice's, nor hers his.
        alice.refresh_from_db(), bob.refresh_from_db()
        assert (alice.language, bob.language) == ("es", "de")

    def test_arabic_pages_are_right_to_left(self, alice):
        set_language((alice, "ar"))
        page = web_login(alice).get("/settings/")
        assert '<html lang="ar" dir="rtl">' in page.content.decode()

    def test_not_chosen_yet_follows_the_browser(self, alice):
        assert alice.language == ""
        page = web_login(alice).get("/settings/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
        assert html_lang(page) == "de"

    def test_anonymous_pages_follow_the_cookie_then_accept_language(self):
        assert html_lang(Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es")) == "es"
        browser = Client()
        browser.cookies["django_language"] = "ar"
        page = browser.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es")
        assert html_lang(page) == "ar" and page["Content-Language"] == "ar"
        assert "Accept-Language" in page["Vary"]

    def test_settings_offers_each_language_in_its_own_name(self, alice, catalogs):
        set_language((alice, "de"))
        html = web_login(alice).get("/settings/").content.decode()
        select = html.split('name="language"', 1)[1].split("</select>", 1)[0]
        assert re.search(r'value="de" selected lang="de" dir="ltr">Deutsch<', select)
        assert 'lang="es" dir="ltr">Español<' in select
        assert 'lang="ar" dir="rtl">العربية<' in select
        assert ">English<" in select

    def test_a_change_in_settings_takes_effect_on_the_next_page(self, alice):
        set_language((alice, "es"))
        browser = web_login(alice)
        response = browser.post(
            "/settings/",
            {"display_name": "Alice", "timezone": "Europe/Berlin", "language": "de"},
        )
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.language == "de"
        assert html_lang(browser.get("/settings/")) == "de"

    def test_settings_refuses_a_language_not_offered(self, alice):
        set_language((alice, "es"))
        response = web_login(alice).post(
            "/settings/", {"display_name": "Alice", "timezone": "Europe/Berlin", "language": "fr"}
        )
        assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
        alice.refresh_from_db()
        assert alice.language == "es"

    def test_a_settings_form_without_the_field_keeps_the_language(self, alice):
        set_language((alice, "es"))
        web_login(alice).post("/settings/", {"display_name": "Alicia", "timezone": "Europe/Berlin"})
        alice.refresh_from_db()
        assert (alice.display_name, alice.language) == ("Alicia", "es")


# --- sign-up ----------------------------------------------------------------------------


class TestSignup:
    BODY = {"display_name": "Carol", "email": "carol@example.com", "password1": "a-long-unusual-pass-42"}

    def test_the_web_form_offers_the_browsers_language(self):
        html = Client().get("/accounts/signup/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
        select = html.split('name="language"', 1)[1].split("</select>", 1)[0]
        assert re.search(r'value="es" selected lang="es" dir="ltr">Español<', select)

    def test_the_web_sign_up_keeps_the_choice_or_the_browsers_language(self):
        Client().post(
            "/accounts/signup/", {**self.BODY, "timezone": "UTC", "language": "ar"}, HTTP_ACCEPT_LANGUAGE="de"
        )
        Client().post(
            "/accounts/signup/",
            {**self.BODY, "email": "dave@example.com", "timezone": "UTC"},
            HTTP_ACCEPT_LANGUAGE="de",
        )
        assert User.objects.get(email="carol@example.com").language == "ar"
        assert User.objects.get(email="dave@example.com").language == "de"

    def test_the_api_sign_up_takes_the_request_language_unless_one_is_chosen(self, api):
        body = {
            "email": "erin@example.com",
            "password": "a-long-unusual-pass-42",
            "display_name": "E",
            "timezone": "UTC",
        }
        first = api.post("/api/v1/auth/signup/", body, format="json", HTTP_ACCEPT_LANGUAGE="de-CH, fr;q=0.5")
        second = api.post(
            "/api/v1/auth/signup/", {**body, "email": "finn@example.com", "language": "es"}, format="json"
        )
        third = api.post(
            "/api/v1/auth/signup/", {**body, "email": "gus@example.com"}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
        )
        assert first.status_code == second.status_code == third.status_code == 201
        assert first.json()["user"]["language"] == "de"
        assert second.json()["user"]["language"] == "es"
        assert third.json()["user"]["language"] == ""  # none of Steady's: not chosen yet

    def test_the_api_sign_up_refuses_a_language_not_offered(self, api):
        body = {"email": "h@example.com", "password": "a-long-unusual-pass-42", "display_name": "H", "timezone": "UTC"}
        response = api.post("/api/v1/auth/signup/", {**body, "language": "klingon"}, format="json")
        assert response.status_code == 400 and "language" in response.json()


# --- the API ----------------------------------------------------------------------------


class TestApi:
    def test_me_reads_and_writes_the_language(self, as_alice, alice):
        assert as_alice.get(ME).json()["language"] == ""
        response = as_alice.patch(ME, {"language": "ar"}, format="json")
        assert response.status_code == 200 and response.json()["language"] == "ar"
        alice.refresh_from_db()
        assert alice.language == "ar"
        assert as_alice.patch(ME, {"language": ""}, format="json").json()["language"] == ""

    @pytest.mark.parametrize("value", ["fr", "EN", "es-MX", 3, None, ["es"]])
    def test_me_refuses_a_language_not_offered_with_a_field_error(self, as_alice, alice, value):
        set_language((alice, "es"))
        response = as_alice.patch(ME, {"language": value}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["language"]
        alice.refresh_from_db()
        assert alice.language == "es"

    def test_a_token_request_falls_back_to_the_persons_setting(self, alice):
        set_language((alice, "es"))
        response = client_for(alice).patch(ME, {"language": "fr"}, format="json")
        # DRF's own Spanish, for a token whose person reads Spanish.
        assert response.json() == {"language": ['"fr" no es una elección válida.']}
        assert response["Content-Language"] == "es"

    def test_accept_language_comes_first(self, alice):
        set_language((alice, "es"))
        response = client_for(alice).patch(ME, {"language": "fr"}, format="json", HTTP_ACCEPT_LANGUAGE="de")
        assert response.json() == {"language": ['"fr" ist keine gültige Option.']}
        assert response["Content-Language"] == "de"

    def test_an_accept_language_steady_does_not_speak_falls_back_to_the_setting(self, alice):
        set_language((alice, "ar"))
        response = client_for(alice).get(ME, HTTP_ACCEPT_LANGUAGE="fr-FR, ja;q=0.5")
        assert response["Content-Language"] == "ar"

    def test_a_language_refused_with_q_0_is_not_taken(self, alice):
        set_language((alice, "ar"))
        response = client_for(alice).get(ME, HTTP_ACCEPT_LANGUAGE="es;q=0, de;q=0.5")
        assert response["Content-Language"] == "de"

    def test_a_session_request_follows_the_same_rule(self, alice):
        set_language((alice, "de"))
        browser = web_login(alice)
        assert browser.get(ME)["Content-Language"] == "de"
        assert browser.get(ME, HTTP_ACCEPT_LANGUAGE="es")["Content-Language"] == "es"

    def test_the_partners_setting_never_answers_for_the_other(self, couple, alice, bob):
        set_language((alice, "es"), (bob, "de"))
        assert client_for(alice).get("/api/v1/couple/")["Content-Language"] == "es"
        assert client_for(bob).get("/api/v1/couple/")["Content-Language"] == "de"

    def test_anonymous_api_requests_use_accept_language(self, api):
        response = api.post("/api/v1/auth/login/", {}, format="json", HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 400
        assert response.json()["email"] == ["Dieses Feld ist zwingend erforderlich."]

    def test_anonymous_api_requests_put_accept_language_before_the_cookie(self, api):
        api.cookies["django_language"] = "ar"
        response = api.post("/api/v1/auth/login/", {}, format="json", HTTP_ACCEPT_LANGUAGE="es")
        assert response["Content-Language"] == "es"
        assert response.json()["email"] == ["Este campo es requerido."]
        assert api.post("/api/v1/auth/login/", {}, format="json")["Content-Language"] == "ar"

    def test_the_export_has_the_language(self, as_alice, alice):
        set_language((alice, "de"))
        assert as_alice.get("/api/v1/me/export/").json()["profile"]["language"] == "de"


# --- emails and pushes ------------------------------------------------------------------


class TestRecipientsLanguage:
    """One event, two partners: each is told in their own language. A
    Notification stores its kind's English wording (the msgid) and every
    reader renders it in theirs (reminders.models.Notification.title_shown);
    the email and the push are rendered in the recipient's language
    (reminders.delivery.send)."""

    KEY = "couple_i18n_test"

    @pytest.fixture
    def event(self, couple, alice, bob, settings, monkeypatch, catalogs):
        set_language((alice, "es"), (bob, "de"))
        for user in (alice, bob):
            user.quiet_hours_start = user.quiet_hours_end = None
            user.save()
            Preference.objects.create(user=user, email=True, push=True)
            PushSubscription.objects.create(user=user, endpoint=f"https://push.example/{user.pk}", p256dh="p", auth="a")
        settings.STEADY_VAPID_PRIVATE_KEY = "test-key"
        # A kind whose fixed wording is a message this branch translated.
        kind = Kind(
            key=self.KEY,
            title=gettext_lazy("Language"),
            label="test",
            load=lambda ids: {i: object() for i in ids},
            still_due=lambda r, target, now: True,
            url=lambda target: "/",
        )
        monkeypatch.setitem(KINDS, self.KEY, dataclasses.replace(kind))
        now = dt.datetime(2026, 3, 2, 15, tzinfo=UTC)
        for user in (alice, bob):
            Reminder.objects.create(user=user, kind=self.KEY, target_id=1, due_at=now, fire_at=now)
        # The tick runs wherever it runs: in a request of someone else's language.
        with time_machine.travel(now, tick=False), translation.override("ar"):
            dispatch_tick()
        pushes = []
        monkeypatch.setattr("pywebpush.webpush", lambda **kwargs: pushes.append(kwargs))
        return pushes

    def test_the_notification_stores_the_source_and_each_reads_their_own(self, event, alice, bob):
        assert set(Notification.objects.filter(kind=self.KEY).values_list("title", flat=True)) == {"Language"}
        assert client_for(alice).get("/api/v1/notifications/").json()["results"][0]["title"] == "Idioma"
        assert client_for(bob).get("/api/v1/notifications/").json()["results"][0]["title"] == "Sprache"
        assert "Sprache" in web_login(bob).get("/notifications/").content.decode()

    def test_email_and_push_in_the_recipients_language(self, event, alice, bob):
        pushes = event
        for delivery in Delivery.objects.filter(kind=self.KEY, outcome="sent").order_by("user_id"):
            with translation.override("en"):  # the worker's own language does not matter
                assert sending.send(delivery.pk, "email") == "sent"
                assert sending.send(delivery.pk, "push") == "sent"
        by_address = {m.to[0]: m for m in mail.outbox}
        assert by_address[alice.email].subject == "Idioma"
        assert by_address[bob.email].subject == "Sprache"
        assert by_address[alice.email].body.count("Idioma.") == 1
        payloads = {p["subscription_info"]["endpoint"]: json.loads(p["data"]) for p in pushes}
        assert payloads[f"https://push.example/{alice.pk}"] | {"url": "", "tag": ""} == {
            "title": "Idioma",
            "lang": "es",
            "dir": "ltr",
            "url": "",
            "tag": "",
        }
        assert payloads[f"https://push.example/{bob.pk}"]["title"] == "Sprache"
        assert payloads[f"https://push.example/{bob.pk}"]["lang"] == "de"

    def test_the_account_closed_email_is_in_the_closers_language(self, alice, django_capture_on_commit_callbacks):
        set_language((alice, "es"))
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(alice).delete(ME, {"password": PASSWORD}, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 204
        (message,) = mail.outbox
        from accounts.models import AccountClosure
        from backend.localtime import local_date

        closure = AccountClosure.objects.get(user_id=alice.pk)
        with translation.override("es"):
            day = date_format(local_date(instant=closure.erase_after, tz=alice.timezone), "DATE_FORMAT")
        assert " de " in day and day in message.body  # "19 de marzo de 2026": Django's Spanish

    def test_allauth_emails_go_out_in_the_recipients_language(self, bob, monkeypatch):
        """Someone signs up with Bob's address from an English browser: the
        "an account already exists" email reaches Bob in German."""
        from allauth.account.adapter import DefaultAccountAdapter

        set_language((bob, "de"))
        seen = []
        original = DefaultAccountAdapter.render_mail

        def render_mail(self, template_prefix, email, context, headers=None):
            seen.append((template_prefix, translation.get_language()))
            return original(self, template_prefix, email, context, headers=headers)

        monkeypatch.setattr(DefaultAccountAdapter, "render_mail", render_mail)
        Client().post(
            "/accounts/signup/",
            {"display_name": "X", "email": bob.email, "password1": "a-long-unusual-pass-42", "timezone": "UTC"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        # A new address is told in the language of the browser that signed up.
        Client().post(
            "/accounts/signup/",
            {"display_name": "Y", "email": "new@example.com", "password1": "a-long-unusual-pass-42", "timezone": "UTC"},
            HTTP_ACCEPT_LANGUAGE="es",
        )
        assert seen == [
            ("account/email/account_already_exists", "de"),
            ("account/email/email_confirmation_signup", "es"),
        ]


# --- JavaScript, the manifest -----------------------------------------------------------


class TestClientSide:
    def test_the_catalog_is_a_script_loaded_before_steady_js(self):
        html = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
        catalog = html.index('<script src="/jsi18n/?l=es" defer></script>')
        assert catalog < html.index("js/steady.js")
        assert "<script>" not in html  # no inline script under the CSP

    def test_the_catalog_speaks_the_requests_language(self, alice, catalogs):
        body = Client().get("/jsi18n/?l=es", HTTP_ACCEPT_LANGUAGE="es")
        assert body.status_code == 200 and "javascript" in body["Content-Type"]
        assert "Inhala" in body.content.decode()
        set_language((alice, "de"))
        assert "Einatmen" in web_login(alice).get("/jsi18n/?l=de", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    def test_every_visible_js_string_is_marked(self):
        """A rough guard: no sentence-like string literal in static/js is left
        outside gettext/ngettext (comments, selectors and keys aside)."""
        from pathlib import Path

        root = Path(__file__).resolve().parent.parent / "static" / "js"
        literal = re.compile(r'(?<![\w.])(?:"([A-Z][a-z][^"]*\s[^"]*)"|`([A-Z][a-z][^`]*\s[^`]*)`)')
        found = []
        for path in root.glob("*.js"):
            previous = ""
            for n, line in enumerate(path.read_text().splitlines(), 1):
                code = line.split("//", 1)[0] if not line.strip().startswith("//") else ""
                marked = re.search(r"gettext\(|ngettext\(", code) or previous.rstrip().endswith("gettext(")
                previous = code or previous
                if marked or "new Error(" in code:
                    continue
                found += [f"{path.name}:{n}: {m.group(0)}" for m in literal.finditer(code)]
        assert found == []

    @pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("es", "ltr"), ("de", "ltr"), ("ar", "rtl")])
    def test_the_manifest_is_in_the_requests_language(self, language, direction, catalogs):
        response = Client().get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE=language)
        data = response.json()
        assert (data["lang"], data["dir"]) == (language, direction)
        assert data["name"] == data["short_name"] == "Steady"
        with translation.override(language):
            assert data["description"] == translation.gettext(
                "Check-ins, notes of appreciation, agreements and kept promises, for the two of you."
            )
        if language != "en":
            assert data["description"] != (
                "Check-ins, notes of appreciation, agreements and kept promises, for the two of you."
            )
        assert "Accept-Language" in response["Vary"] and "private" in response["Cache-Control"]

    def test_the_manifest_follows_a_signed_in_persons_own_language(self, alice):
        set_language((alice, "ar"))
        data = web_login(alice).get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").json()
        assert (data["lang"], data["dir"]) == ("ar", "rtl")


# --- weeks ------------------------------------------------------------------------------


class TestWeeks:
    @pytest.mark.parametrize(
        ("language", "first", "order"),
        [
            ("en", 6, [6, 0, 1, 2, 3, 4, 5]),  # Sunday
            ("es", 0, [0, 1, 2, 3, 4, 5, 6]),  # Monday
            ("de", 0, [0, 1, 2, 3, 4, 5, 6]),  # Monday
            ("ar", 5, [5, 6, 0, 1, 2, 3, 4]),  # Saturday
        ],
    )
    def test_a_week_is_shown_from_the_languages_first_day(self, language, first, order):
        with translation.override(language):
            assert first_weekday() == first
            assert week_order() == order
            assert in_week_order([4, 0, 6, 5]) == [d for d in order if d in {4, 0, 6, 5}]

    def test_couple_weeks_stay_iso_whatever_the_language(self):
        sunday = dt.date(2026, 3, 8)
        for language in ("en", "es", "de", "ar"):
            with translation.override(language):
                assert week_start(day=sunday) == dt.date(2026, 3, 2)  # the Monday before

    def test_the_schedule_picker_runs_from_the_first_day_and_stores_iso(self, couple, alice, bob):
        from checkins.views import ScheduleForm

        for language, first in (("en", 6), ("de", 0), ("ar", 5)):
            set_language((alice, language))
            html = web_login(alice).get("/checkins/schedules/").content.decode()
            values = re.findall(r'name="weekdays" value="(\d)"', html)
            assert values[0] == str(first) and sorted(values) == list("0123456")
        with translation.override("ar"):
            form = ScheduleForm({"weekdays": ["5", "0"], "time": "20:00", "timezone": "UTC"})
            form.is_valid()
            assert form.cleaned_data["weekdays"] == [5, 0]  # Saturday and Monday, ISO numbers

    def test_the_ritual_picker_runs_from_the_first_day(self, couple, alice):
        from reassurance.views import RitualForm

        for language, first in (("en", "6"), ("es", "0"), ("ar", "5")):
            with translation.override(language):
                assert [value for value, _name in RitualForm().fields["weekdays"].choices][0] == first
        with translation.override("ar"):
            form = RitualForm({"mode": "weekly", "weekdays": ["5"], "time": "20:30"})
            assert form.is_valid(), form.errors
            assert form.data_for_service("UTC")["weekdays"] == [5]

    def test_the_api_keeps_iso_weekdays(self, couple, alice, bob, as_alice):
        from checkins.models import Format

        body = {
            "format": Format.objects.get(key="daily-pulse").key,
            "weekdays": [5, 0],
            "time": "20:00",
            "timezone": "UTC",
        }
        response = as_alice.post("/api/v1/checkins/schedules/", body, format="json", HTTP_ACCEPT_LANGUAGE="ar")
        assert response.status_code == 201, response.content
        assert sorted(response.json()["weekdays"]) == [0, 5]


# --- the schema -------------------------------------------------------------------------


class TestSchema:
    def test_every_operation_documents_accept_language_and_content_language(self, api):
        schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        parameter = schema["components"]["parameters"]["AcceptLanguage"]
        assert (parameter["in"], parameter["name"], parameter["required"]) == ("header", "Accept-Language", False)
        assert "ContentLanguage" in schema["components"]["headers"]
        operations = [
            (path, method, op)
            for path, item in schema["paths"].items()
            for method, op in item.items()
            if method in {"get", "post", "put", "patch", "delete"}
        ]
        assert len(operations) > 50
        for path, method, op in operations:
            refs = [p.get("$ref") for p in op.get("parameters", [])]
            assert refs.count("#/components/parameters/AcceptLanguage") == 1, (path, method)
            for code, response in op["responses"].items():
                if "$ref" in response:
                    name = response["$ref"].rsplit("/", 1)[1]
                    response = schema["components"]["responses"][name]
                assert "Content-Language" in response.get("headers", {}), (path, method, code)
        # The 429's Retry-After is still there beside it.
        assert "Retry-After" in schema["components"]["responses"]["TooManyRequests"]["headers"]


# --- the live check-in socket -----------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_live_sockets_errors_are_in_the_persons_own_language(couple, alice, monkeypatch, catalogs):
    from backend.errors import Invalid
    from checkins import services
    from checkins.models import Format

    from .test_live import bearer, run, socket, until

    set_language((alice, "es"))
    checkin = services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))

    def refuse(**kwargs):
        raise Invalid(gettext_lazy("Language"), field="step")

    monkeypatch.setattr(services, "live_ready", refuse)
    headers = bearer(alice)

    async def scenario():
        a = socket(checkin, headers)
        await a.connect()
        await a.send_json_to({"type": "ready"})
        error, _ = await until(a, lambda m: m["type"] == "error")
        assert error == {"type": "error", "code": 400, "detail": {"step": ["Idioma"]}}
        await a.disconnect()

    run(scenario)
