"""The agreement web pages, through Django's test client: who may see what,
proposing, reviewing the exact wording and what changed, accepting or
amending, declining, retiring, versions, reflections revealed together,
and the home card."""

import datetime as dt
import re

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from agreements import services
from agreements.models import Agreement, AgreementVersion, Reflection
from agreements.views import home_context

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday: 10:00 in Berlin, 04:00 in New York

WORDING = {
    "title": "A text if I'll be late",
    "details": "If either of us will be more than 20 minutes late, we send a short text.",
    "category": "communication",
    "review_every_days": "14",
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web(user=None, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def web_alice(alice):
    return web(alice)


@pytest.fixture
def web_bob(bob):
    return web(bob)


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page's words, without tags or runs of whitespace."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


@pytest.fixture
def proposed(couple, alice):
    return services.agreement_propose(
        couple=couple,
        user=alice,
        title=WORDING["title"],
        details=WORDING["details"],
        category="communication",
        review_every_days=14,
    )


@pytest.fixture
def active(proposed, bob):
    return services.agreement_accept(agreement=proposed, user=bob, version=1)


class TestList:
    def test_empty(self, web_alice, couple):
        response = web_alice.get("/agreements/")
        assert response.status_code == 200
        assert "No agreements yet" in text(response)
        assert 'href="/agreements/new/"' in html(response)

    def test_sections_from_each_side(self, couple, alice, bob, web_alice, web_bob, proposed):
        done = services.agreement_propose(couple=couple, user=bob, title="Sunday walks", category="time_apart")
        services.agreement_accept(agreement=done, user=alice, version=1)
        old = services.agreement_propose(couple=couple, user=bob, title="Old rule", category="other")
        services.agreement_accept(agreement=old, user=alice, version=1)
        services.agreement_retire(agreement=old, user=bob, reason="Outgrown")

        for_alice, for_bob = text(web_alice.get("/agreements/")), text(web_bob.get("/agreements/"))

        assert "Waiting for Bob" in for_alice and "Waiting for you" not in for_alice
        assert "Waiting for you" in for_bob and "Alice proposed this" in for_bob
        for page in (for_alice, for_bob):
            assert "Agreed by you both Sunday walks" in page
            assert "Retired (1)" in page and "Retired by" in page

    def test_titles_are_escaped(self, couple, alice, web_bob):
        services.agreement_propose(couple=couple, user=alice, title="<script>alert(1)</script>", category="other")
        page = html(web_bob.get("/agreements/"))
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


class TestPropose:
    def test_propose(self, couple, alice, web_alice):
        response = web_alice.post("/agreements/new/", WORDING)
        agreement = Agreement.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/agreements/{agreement.pk}/"
        version = AgreementVersion.objects.get()
        assert (version.title, version.details, version.category, version.review_every_days) == (
            WORDING["title"],
            WORDING["details"],
            "communication",
            14,
        )
        assert version.proposed_by == alice and agreement.status == "proposed"
        page = text(web_alice.get(response["Location"]))
        assert "Proposed. Bob can read it and accept it." in page
        assert "Nothing is agreed until Bob accepts these exact words." in page
        assert "I agree to this" not in page

    def test_the_form_has_labels_and_the_partners_name(self, couple, web_alice):
        page = html(web_alice.get("/agreements/new/"))
        for label in (
            "In a few words",
            "What exactly you both agree to",
            "What it&#x27;s about",
            "Look at it together",
        ):
            assert label in page
        assert "Propose to Bob" in page
        assert 'name="category" value="phones_and_privacy"' in page and "Phones and privacy" in page

    @pytest.mark.parametrize(
        ("over", "message"),
        [
            ({"title": ""}, "Give the agreement a short title."),
            ({"title": "   "}, "Give the agreement a short title."),
            ({"title": "x" * 121}, "Keep the title under 120 characters."),
            ({"details": "x" * 2001}, "Keep the details under 2000 characters."),
            ({"category": "chores"}, "Choose one of the categories."),
            ({"category": ""}, "Choose what it&#x27;s about."),
            ({"review_every_days": "3"}, "Choose one of the review intervals."),
        ],
    )
    def test_bad_input_is_explained_and_kept(self, couple, web_alice, over, message):
        response = web_alice.post("/agreements/new/", {**WORDING, **over})
        assert response.status_code == 200
        page = html(response)
        assert message in page and 'role="alert"' in page
        if "details" not in over:
            assert WORDING["details"] in page  # what they wrote is kept
        assert not Agreement.objects.exists()

    def test_unpaired_and_anonymous(self, theo, client):
        assert web(theo).get("/agreements/").status_code == 404
        assert web(theo).post("/agreements/new/", WORDING).status_code == 404
        response = client.get("/agreements/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_csrf_is_required(self, couple, alice):
        assert web(alice, csrf=True).post("/agreements/new/", WORDING).status_code == 403
        assert not Agreement.objects.exists()


class TestReviewAndAccept:
    def test_the_other_partner_reads_the_exact_wording_and_accepts(self, bob, web_bob, proposed):
        page = html(web_bob.get(f"/agreements/{proposed.pk}/"))
        assert "Read it closely" in page and WORDING["details"] in page
        assert 'name="version" value="1"' in page and "I agree to this" in page

        response = web_bob.post(f"/agreements/{proposed.pk}/accept/", {"version": "1"})

        assert response.status_code == 302
        proposed.refresh_from_db()
        assert proposed.status == "active"
        assert AgreementVersion.objects.get().accepted_by == bob
        after = text(web_bob.get(f"/agreements/{proposed.pk}/"))
        assert "Agreed. It's active for both of you now." in after.replace("&#x27;", "'")
        assert "This period 2–15 March" in after

    def test_a_stale_accept_changes_nothing_and_says_why(self, alice, web_bob, proposed):
        services.agreement_amend(agreement=proposed, user=alice, version=1, changes={"title": "A call if late"})

        response = web_bob.post(f"/agreements/{proposed.pk}/accept/", {"version": "1"}, follow=True)

        assert "The wording changed while you were reading" in text(response)
        proposed.refresh_from_db()
        assert (proposed.status, proposed.version) == ("proposed", 2)
        assert not AgreementVersion.objects.filter(accepted_at__isnull=False).exists()

    @pytest.mark.parametrize("version", ["", "abc", "99999999999"])
    def test_an_accept_without_a_sane_version(self, web_bob, proposed, version):
        response = web_bob.post(f"/agreements/{proposed.pk}/accept/", {"version": version}, follow=True)
        assert response.status_code == 200
        assert Agreement.objects.get().status == "proposed"

    def test_the_proposer_has_no_accept_button_and_cannot_post_one(self, web_alice, proposed):
        assert "I agree to this" not in html(web_alice.get(f"/agreements/{proposed.pk}/"))
        response = web_alice.post(f"/agreements/{proposed.pk}/accept/", {"version": "1"}, follow=True)
        assert "your partner is the one to accept it" in text(response)
        assert Agreement.objects.get().status == "proposed"

    def test_accept_is_post_only(self, web_bob, proposed):
        assert web_bob.get(f"/agreements/{proposed.pk}/accept/").status_code == 405


class TestAmend:
    def test_amend_shows_what_changed_to_the_other(self, bob, web_alice, web_bob, active):
        page = html(web_bob.get(f"/agreements/{active.pk}/change/"))
        assert WORDING["details"] in page and 'name="version" value="1"' in page

        response = web_bob.post(
            f"/agreements/{active.pk}/change/",
            {**WORDING, "details": "If either of us will be more than 30 minutes late, we call.", "version": "1"},
        )

        assert response.status_code == 302
        active.refresh_from_db()
        assert (active.status, active.version) == ("proposed", 2)
        review = html(web_alice.get(f"/agreements/{active.pk}/"))
        assert "What changed from version 1" in review
        assert '<del><span class="visually-hidden">removed: </span>20</del>' in review
        assert '<ins><span class="visually-hidden">added: </span>30</ins>' in review
        assert "Bob suggested a change" in review
        assert 'name="version" value="2"' in review

    def test_the_same_wording_is_refused(self, web_bob, active):
        response = web_bob.post(f"/agreements/{active.pk}/change/", {**WORDING, "version": "1"})
        assert response.status_code == 200
        assert "the same wording as now" in html(response)
        assert AgreementVersion.objects.count() == 1

    def test_a_stale_amend_keeps_what_they_wrote(self, alice, web_bob, active):
        services.agreement_amend(agreement=active, user=alice, version=1, changes={"title": "Alice's new title"})

        response = web_bob.post(
            f"/agreements/{active.pk}/change/", {**WORDING, "details": "Bob's own words", "version": "1"}
        )

        assert response.status_code == 200
        page = html(response)
        assert "Alice changed the wording while you were writing" in page
        assert "Bob&#x27;s own words" in page  # kept in the form
        assert "Alice&#x27;s new title" in page  # the new current wording, shown
        assert 'name="version" value="2"' in page
        assert AgreementVersion.objects.count() == 2

    def test_bad_amend_input(self, web_bob, active):
        response = web_bob.post(f"/agreements/{active.pk}/change/", {**WORDING, "title": "", "version": "1"})
        assert response.status_code == 200 and "Give the agreement a short title." in html(response)
        active.refresh_from_db()
        assert (active.status, active.version) == ("active", 1)

    def test_a_retired_agreement_is_not_amended(self, alice, web_bob, active):
        services.agreement_retire(agreement=active, user=alice, reason="done")
        response = web_bob.get(f"/agreements/{active.pk}/change/")
        assert response.status_code == 302


class TestDeclineAndRetire:
    def test_decline_with_a_reason_both_see(self, web_alice, web_bob, proposed):
        page = text(web_bob.get(f"/agreements/{proposed.pk}/decline/"))
        assert "Decline this proposal?" in page and "Alice will see this" in page

        web_bob.post(f"/agreements/{proposed.pk}/decline/", {"reason": "20 minutes is too tight", "version": "1"})

        for client in (web_alice, web_bob):
            page = text(client.get(f"/agreements/{proposed.pk}/"))
            assert "20 minutes is too tight" in page
        assert "Declined by Bob" in text(web_alice.get(f"/agreements/{proposed.pk}/"))
        assert "Declined by you" in text(web_bob.get(f"/agreements/{proposed.pk}/"))

    def test_the_proposer_withdraws(self, web_alice, proposed):
        assert "Withdraw this proposal?" in text(web_alice.get(f"/agreements/{proposed.pk}/decline/"))
        web_alice.post(f"/agreements/{proposed.pk}/decline/", {"version": "1"})
        assert "Withdrawn by you" in text(web_alice.get(f"/agreements/{proposed.pk}/"))

    def test_a_stale_decline(self, alice, web_bob, proposed):
        services.agreement_amend(agreement=proposed, user=alice, version=1, changes={"title": "New"})
        response = web_bob.post(f"/agreements/{proposed.pk}/decline/", {"version": "1"}, follow=True)
        assert "The wording changed while you were reading" in text(response)
        assert Agreement.objects.get().status == "proposed"

    def test_retire_asks_for_a_reason_both_then_see(self, web_alice, web_bob, active):
        empty = web_alice.post(f"/agreements/{active.pk}/retire/", {"reason": ""})
        assert empty.status_code == 200 and "Say why in a few words" in html(empty)
        assert Agreement.objects.get().status == "active"

        web_alice.post(f"/agreements/{active.pk}/retire/", {"reason": "We both do this without thinking now"})

        assert Agreement.objects.get().status == "retired"
        assert "Retired by Alice" in text(web_bob.get(f"/agreements/{active.pk}/"))
        assert "We both do this without thinking now" in text(web_bob.get(f"/agreements/{active.pk}/"))
        assert "Retired by you" in text(web_alice.get(f"/agreements/{active.pk}/"))

    def test_too_long_reasons(self, web_bob, active):
        response = web_bob.post(f"/agreements/{active.pk}/retire/", {"reason": "x" * 501})
        assert response.status_code == 200 and "Keep it under 500 characters." in html(response)
        assert Agreement.objects.get().status == "active"

    def test_a_proposal_is_not_retired(self, web_bob, proposed):
        assert web_bob.post(f"/agreements/{proposed.pk}/retire/", {"reason": "x"}).status_code == 302
        assert Agreement.objects.get().status == "proposed"


class TestVersions:
    def test_every_version_with_who_and_when_in_the_viewers_time(self, alice, bob, web_bob, active, _frozen):
        _frozen.shift(dt.timedelta(days=1))
        services.agreement_amend(agreement=active, user=alice, version=1, changes={"title": "A call if I'll be late"})

        page = text(web_bob.get(f"/agreements/{active.pk}/versions/"))

        assert page.index("Version 2") < page.index("Version 1")
        # Bob reads times in New York: 09:00 UTC is 04:00 there.
        assert "Proposed by Alice on 2 March 2026, 04:00" in page
        assert "Accepted by you on 2 March 2026, 04:00" in page
        assert "Proposed by Alice on 3 March 2026, 04:00" in page
        assert "Not accepted yet" in page
        assert "Changed from version 1" in page


class TestReflections:
    def test_revealed_together(self, alice, bob, web_alice, web_bob, active):
        form = html(web_alice.get(f"/agreements/{active.pk}/reflect/"))
        assert "This period:" in form and "2–15 March" in form
        web_alice.post(f"/agreements/{active.pk}/reflect/", {"outcome": "partly", "note": "ALICE-NOTE once late"})

        mine = text(web_alice.get(f"/agreements/{active.pk}/reflect/"))
        assert "Your reflection is in" in mine
        # Bob sees nothing of Alice's reflection, anywhere.
        for path in ("", "reflect/", "reflections/"):
            page = html(web_bob.get(f"/agreements/{active.pk}/{path}"))
            assert "ALICE-NOTE" not in page and "outcome-partly" not in page and "Shown once" not in page
            assert "reflection is in" not in page
        assert "ALICE-NOTE" not in html(web_bob.get("/agreements/"))

        response = web_bob.post(f"/agreements/{active.pk}/reflect/", {"outcome": "kept", "note": "BOB-NOTE"})

        assert response.status_code == 302
        for client, theirs in ((web_alice, "BOB-NOTE"), (web_bob, "ALICE-NOTE")):
            page = text(client.get(f"/agreements/{active.pk}/reflect/"))
            assert "You've both reflected" in page.replace("&#x27;", "'")
            assert theirs in page
            assert 'name="outcome"' not in html(client.get(f"/agreements/{active.pk}/reflect/"))
        history = text(web_alice.get(f"/agreements/{active.pk}/reflections/"))
        # The timeline counts only her own; Bob's reflection is in the revealed pair.
        assert "You: partly" in history and "Bob: kept" not in history
        assert "You reflected on one period together." in history
        assert "BOB-NOTE" in history

    def test_editing_before_the_reveal(self, alice, web_alice, active):
        web_alice.post(f"/agreements/{active.pk}/reflect/", {"outcome": "missed"})
        page = html(web_alice.get(f"/agreements/{active.pk}/reflect/"))
        assert re.search(r'value="missed"[^>]*checked', page)
        web_alice.post(f"/agreements/{active.pk}/reflect/", {"outcome": "kept", "note": "better"})
        assert list(Reflection.objects.values_list("outcome", "note")) == [("kept", "better")]

    def test_no_edit_after_the_reveal(self, alice, bob, web_alice, active):
        services.reflection_submit(agreement=active, author=alice, outcome="kept")
        services.reflection_submit(agreement=active, author=bob, outcome="kept")
        web_alice.post(f"/agreements/{active.pk}/reflect/", {"outcome": "missed"})
        assert set(Reflection.objects.values_list("outcome", flat=True)) == {"kept"}

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"outcome": ""}, "Choose kept, partly or missed."),
            ({"outcome": "perfect"}, "Choose kept, partly or missed."),
            ({"outcome": "kept", "note": "x" * 501}, "Keep the note under 500 characters."),
        ],
    )
    def test_bad_reflections(self, web_alice, active, body, message):
        response = web_alice.post(f"/agreements/{active.pk}/reflect/", body)
        assert response.status_code == 200 and message in html(response) and 'role="alert"' in html(response)
        assert not Reflection.objects.exists()

    def test_only_active_agreements(self, web_alice, proposed):
        assert web_alice.get(f"/agreements/{proposed.pk}/reflect/").status_code == 302
        web_alice.post(f"/agreements/{proposed.pk}/reflect/", {"outcome": "kept"})
        assert not Reflection.objects.exists()


class TestWhoMaySee:
    @pytest.mark.parametrize("who", ["mallory", "theo"])
    def test_strangers_get_404_on_every_page(self, request, active, mallory_couple, who):
        client = web(request.getfixturevalue(who))
        a = active.pk
        for path in ("", "change/", "decline/", "retire/", "versions/", "reflect/", "reflections/"):
            assert client.get(f"/agreements/{a}/{path}").status_code == 404, path
        for path, body in (
            ("accept/", {"version": "1"}),
            ("change/", {**WORDING, "title": "Mallory's", "version": "1"}),
            ("decline/", {"reason": "no"}),
            ("retire/", {"reason": "no"}),
            ("reflect/", {"outcome": "missed"}),
        ):
            assert client.post(f"/agreements/{a}/{path}", body).status_code == 404, path
        active.refresh_from_db()
        assert (active.status, active.version) == ("active", 1)
        assert not Reflection.objects.exists()

    def test_mallorys_list_shows_nothing_of_theirs(self, mallory, mallory_couple, active):
        assert WORDING["title"] not in html(web(mallory).get("/agreements/"))


class TestHomeCard:
    def render(self, user):
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string("agreements/_home_card.html", home_context(user), request=request)

    def test_unpaired(self, theo):
        assert home_context(theo) == {"agreements_card": False}
        assert self.render(theo).strip() == ""

    def test_waiting_for_you_and_to_reflect(self, couple, alice, bob, proposed):
        other = services.agreement_propose(couple=couple, user=alice, title="Sunday walks", category="time_apart")
        services.agreement_accept(agreement=other, user=bob, version=1)

        card = re.sub(r"\s+", " ", self.render(bob))

        assert "Alice would like your answer on:" in card and WORDING["title"].replace("'", "&#x27;") in card
        assert "1 agreed by you both. 1 ready for your reflection this period." in card
        assert f'href="/agreements/{other.pk}/reflect/"' in card
        services.reflection_submit(agreement=other, author=bob, outcome="kept")
        card = re.sub(r"\s+", " ", self.render(bob))
        assert "ready for your reflection" not in card
        # Alice's card says nothing about what Bob did.
        alice_card = re.sub(r"\s+", " ", self.render(alice))
        assert "would like your answer" not in alice_card
        assert "1 ready for your reflection this period." in alice_card

    def test_empty(self, couple, alice):
        assert "Boundaries you both accept" in self.render(alice)

    def test_query_count(self, couple, alice, bob, django_assert_max_num_queries):
        for i in range(8):
            a = services.agreement_propose(couple=couple, user=alice, title=f"A{i}", category="other")
            if i % 2:
                services.agreement_accept(agreement=a, user=bob, version=1)
        with django_assert_max_num_queries(4):
            context = home_context(bob)
        assert context["agreements_active_count"] == 4
