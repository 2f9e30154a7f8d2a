"""Rule packs shipped with sharing-rules (YAML data, no code)."""
