from csp.decorators import csp_exempt
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .health import HealthApi, LiveApi, ReadyApi
from .observability import metrics

api_v1 = [
    path("health/", HealthApi.as_view(), name="api-health"),
    path("health/live/", LiveApi.as_view(), name="api-health-live"),
    path("health/ready/", ReadyApi.as_view(), name="api-health-ready"),
    path("", include("accounts.urls")),
    path("", include("couples.urls")),
    path("", include("checkins.urls")),
    path("", include("reminders.urls")),
    path("", include("gratitude.urls")),
    path("", include("space.urls")),
    path("", include("agreements.urls")),
    path("", include("repair.urls")),
    path("", include("promises.urls")),
    path("", include("reassurance.urls")),
    path("", include("journal.urls")),
    path("", include("daily.urls")),
    path("", include("checkups.urls")),
    path("", include("therapists.urls")),
    path("", include("safety.urls")),
    path("", include("home.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    # Prometheus, behind STEADY_METRICS_TOKEN (backend/observability.py).
    path("metrics", metrics, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI starts itself with an inline script: the one page without CSP.
    path("api/docs/", csp_exempt()(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    # allauth's own list of sessions needs django.contrib.humanize and repeats
    # Settings > Devices, which is ours (and tested): send people there.
    path("accounts/sessions/", RedirectView.as_view(pattern_name="settings-devices"), name="usersessions_redirect"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The words of static/js/*.js in the request's language (a script URL:
    # no inline script under the CSP); base.html loads it before them, with
    # the language in its address so a browser never keeps another's.
    path(
        "jsi18n/",
        cache_control(private=True, max_age=3600)(JavaScriptCatalog.as_view()),
        name="javascript-catalog",
    ),
    path("", include("home.web_urls")),
    path("", include("couples.web_urls")),
    path("", include("checkins.web_urls")),
    path("", include("reminders.web_urls")),
    path("", include("gratitude.web_urls")),
    path("", include("space.web_urls")),
    path("", include("agreements.web_urls")),
    path("", include("repair.web_urls")),
    path("", include("promises.web_urls")),
    path("", include("reassurance.web_urls")),
    path("", include("journal.web_urls")),
    path("", include("daily.web_urls")),
    path("", include("firstrun.web_urls")),
    path("", include("checkups.web_urls")),
    path("", include("therapists.web_urls")),
    path("", include("safety.web_urls")),
    path("", include("pwa.urls")),
    path("", include("accounts.web_urls")),
]

handler400 = "backend.errors.bad_request"
handler404 = "backend.errors.page_not_found"
handler500 = "backend.errors.server_error"
