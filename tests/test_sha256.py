"""One helper writes every ``sha256:`` digest the library records; no digest changed."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import sharing_rules as sr
from sharing_rules._digest import sha256_text
from sharing_rules._voice import with_voice

SRC = Path(sr.__file__).parent


def test_sha256_text_is_sha256_of_the_utf8_text() -> None:
    # FIPS 180-2 test vector, and a non-ASCII text (UTF-8, never Latin-1 or escaped)
    assert sha256_text("abc") == (
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert sha256_text("é") == "sha256:" + hashlib.sha256(b"\xc3\xa9").hexdigest()
    assert sha256_text("é") != "sha256:" + hashlib.sha256(b"\xe9").hexdigest()


def test_only_the_digest_module_hashes() -> None:
    """The one-liner was written out in _assess, _digest, _rules and _voice."""
    hashing = sorted(p.name for p in SRC.glob("*.py") if re.search(r"\bhashlib\b", p.read_text()))
    assert hashing == ["_digest.py"]


def test_the_network_and_voice_digests_are_unchanged() -> None:
    assessor = sr.Assessor(sr.load_rules())
    text = json.dumps(assessor._engine.definition)
    assert assessor._network_digest() == "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    pack = sr.load_rules()
    voiced = with_voice(pack, ())
    content = json.dumps([pack.digest, []], sort_keys=True, ensure_ascii=False)
    assert voiced.digest == "sha256:" + hashlib.sha256(content.encode()).hexdigest()
