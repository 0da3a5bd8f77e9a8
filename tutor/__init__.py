"""Stepwise: the Django project and app."""
