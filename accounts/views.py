from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from backend.errors import DomainError

from . import services
from .forms import SettingsForm


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request):
    user = request.user
    initial = {
        "display_name": user.display_name,
        "timezone": user.timezone,
        "quiet_hours_start": user.quiet_hours_start,
        "quiet_hours_end": user.quiet_hours_end,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(user=user, fields_set=set(form.cleaned_data), **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except ValidationError as exc:
            # A model rule the form does not know about: show it, never a 500.
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, "Saved. Your changes are in place.")
            return redirect("settings")
        # user_update may have set attributes before refusing; don't let the
        # rest of this page show values that were not saved.
        user.refresh_from_db()
    quiet_hours = [form["quiet_hours_start"], form["quiet_hours_end"]]
    return render(request, "accounts/settings.html", {"form": form, "quiet_hours": quiet_hours})
