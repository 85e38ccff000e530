from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # allauth reports a web password change only through this signal.
        from allauth.account.signals import password_changed, password_reset

        from .security import security_event_record

        def _changed(sender, request, user, **kwargs):
            security_event_record(kind="password_changed", user_id=user.pk, request=request, via="web")

        password_changed.connect(_changed, dispatch_uid="steady-password-changed")
        password_reset.connect(_changed, dispatch_uid="steady-password-reset")
