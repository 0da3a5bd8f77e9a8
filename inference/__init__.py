"""Model inference for Stepwise: backends, prompts, streaming helpers and the tiny demo model.

Kept import-free on purpose: the web process imports ``inference.prompts`` and must not pay for
torch or transformers at import time.
"""
