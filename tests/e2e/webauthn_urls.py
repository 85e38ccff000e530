"""The site's URLs plus allauth's WebAuthn pages, which allauth mounts only
when ``webauthn`` is among ``MFA_SUPPORTED_TYPES`` at start-up: for the app
lock's passkey test (``test_applock_flow.py``), where that type is turned on
for one test (it is not on in this repository, see docs/applock.md)."""

from django.urls import include, path

from backend.urls import urlpatterns as site

urlpatterns = [path("accounts/2fa/webauthn/", include("allauth.mfa.webauthn.urls")), *site]
