"""Stepwise as an LTI 1.3 Advantage tool (docs/lti.md).

django-lti (the `lti_tool` app) holds platform registrations, deployments, Stepwise's keys and
what launches said (users, contexts, memberships, resource links); PyLTI1p3 under it checks the
id_token. This package maps those onto Stepwise's users, classes and assignments, and sends
scores back.
"""
