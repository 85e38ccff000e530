from django.urls import path

from . import api

urlpatterns = [
    path("auth/signup/", api.SignupApi.as_view(), name="api-signup"),
    path("auth/login/", api.LoginApi.as_view(), name="api-login"),
    path("auth/logout/", api.LogoutApi.as_view(), name="api-logout"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("me/sessions/", api.SessionListApi.as_view(), name="api-me-sessions"),
    path("me/sessions/<str:session_id>/", api.SessionDetailApi.as_view(), name="api-me-session"),
]
