from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from tutor import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sets/<int:set_id>/", views.problem_set, name="problem_set"),
    path("problems/<int:problem_id>/", views.problem, name="problem"),
    path("admin/", admin.site.urls),
]
