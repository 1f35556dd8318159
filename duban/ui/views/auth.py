"""Log in and out with Django's auth views (django-axes counts the failures, see settings)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from duban.ui.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "ui/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the menu's 退出 button is a small form."""
