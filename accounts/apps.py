from django.apps import AppConfig


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
