"""Keyboard-only driving: Tab until an element has focus, and questions about where focus is."""

from __future__ import annotations

from typing import Any

_FOCUSED = """() => {
  const a = document.activeElement;
  return {tag: a.tagName.toLowerCase(), id: a.id, cls: a.className,
          text: (a.innerText || a.value || "").trim().slice(0, 200)};
}"""

_IN_VIEW = """(s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
}"""


_UNDER_BAR = """() => {
  const bar = document.querySelector("nav.jump");
  if (!bar || getComputedStyle(bar).display === "none") return false;
  const b = bar.getBoundingClientRect();
  const f = document.activeElement.getBoundingClientRect();
  return f.top < b.bottom - 1 && f.bottom > b.top;
}"""


def tab_to(page: Any, selector: str, *, back: bool = False, limit: int = 150) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got focus in {limit} presses of {key}")


def focused(page: Any) -> dict[str, str]:
    """The focused element: tag, id, classes and text."""
    info: dict[str, str] = page.evaluate(_FOCUSED)
    return info


def in_view(page: Any, selector: str) -> bool:
    """Whether the element is wholly inside the viewport."""
    return bool(page.evaluate(_IN_VIEW, selector))


def under_sticky_bar(page: Any) -> bool:
    """Whether the focused element is hidden, even in part, under the phone's jump bar."""
    return bool(page.evaluate(_UNDER_BAR))
