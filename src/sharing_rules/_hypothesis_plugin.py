"""Hypothesis plugin: makes ``st.from_type(Proposal)`` (and the parts) work.

Hypothesis runs :func:`_hypothesis_setup_hook` when it is imported, through the
``hypothesis`` entry point this package declares. The hook must never break
``import hypothesis``, so a failure here is reported as a warning instead.
"""

from __future__ import annotations

import warnings

__all__: list[str] = []


def _hypothesis_setup_hook() -> None:
    """Register the strategies of :mod:`sharing_rules.strategies` for their types."""
    try:
        from . import strategies
    except Exception as exc:  # never break `import hypothesis` for everyone else
        warnings.warn(
            f"sharing-rules could not register its Hypothesis strategies: {exc}",
            stacklevel=2,
        )
        return
    # When ``import sharing_rules.strategies`` is what imported Hypothesis, the module is
    # still half-initialised here; it registers its strategies itself when it is done.
    register = getattr(strategies, "_register_type_strategies", None)
    if register is not None:
        register()
