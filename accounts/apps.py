from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # allauth reports a web password change or reset only through these
        # signals (its own message, account/messages/password_changed.txt,
        # tells the person the other sign-ins ended).
        from allauth.account.signals import password_changed, password_reset

        from .services import password_changed_sign_out

        def _changed(sender, request, user, **kwargs):
            password_changed_sign_out(user=user, request=request, reset=False)

        def _reset(sender, request, user, **kwargs):
            password_changed_sign_out(user=user, request=request, reset=True)

        password_changed.connect(_changed, dispatch_uid="steady-password-changed")
        password_reset.connect(_reset, dispatch_uid="steady-password-reset")

        # Each app's account_erasure.py registers what it erases before an
        # account is deleted (accounts.erasure); found here, never imported by name.
        autodiscover_modules("account_erasure")
