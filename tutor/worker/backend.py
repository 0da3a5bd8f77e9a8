"""The model this worker serves and how it samples, both read from settings."""

from __future__ import annotations

from django.conf import settings

from inference.backends import Backend, GenerationParams, load_backend


def configured_backend() -> Backend:
    """The model for this worker process, loaded once (never in the web process)."""
    if settings.TUTOR_BACKEND == "scripted":
        rate = settings.TUTOR_SCRIPT_TOKENS_PER_S or None
        return load_backend("scripted", settings.TUTOR_SCRIPT, tokens_per_s=rate)
    if settings.TUTOR_BACKEND == "openai":
        return load_backend(
            "openai",
            settings.TUTOR_OPENAI_MODEL,
            base_url=settings.TUTOR_OPENAI_BASE_URL,
            api_key=settings.TUTOR_OPENAI_API_KEY,
            continue_final_message=settings.TUTOR_OPENAI_CONTINUE,
        )
    return load_backend(
        settings.TUTOR_BACKEND, settings.TUTOR_MODEL, tiny_dir=settings.TUTOR_TINY_DIR
    )


def generation_params() -> GenerationParams:
    return GenerationParams.validated(
        max_new_tokens=settings.TUTOR_MAX_NEW_TOKENS,
        temperature=settings.TUTOR_TEMPERATURE,
        top_p=settings.TUTOR_TOP_P,
        wall_clock_s=settings.TUTOR_WALL_CLOCK_S,
    )
