"""Test configuration: Hypothesis profiles.

Choose one with ``SHARING_RULES_HYPOTHESIS_PROFILE``: ``ci`` (the default) keeps the whole
suite quick; ``deep`` runs many more examples, for local use before a release:

    SHARING_RULES_HYPOTHESIS_PROFILE=deep pytest tests/test_properties.py
"""

from __future__ import annotations

import os

from hypothesis import settings

# No deadline: every example runs the durable-rules engine, and several strategies assess
# proposals while generating them, so timings swing with the machine's load.
settings.register_profile("ci", max_examples=40, deadline=None, print_blob=True)
settings.register_profile("deep", max_examples=1000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("SHARING_RULES_HYPOTHESIS_PROFILE", "ci"))
