#!/usr/bin/env python3
"""Fill a zh_Hans catalog from a YAML/JSON mapping of msgid → Chinese, then compile it.

    .venv/bin/python scripts/i18n_fill.py APP translations.json

Developer tool: run `zhishui makemessages -l zh_Hans` in the app first; a test fails while any
msgid of any app is left untranslated.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    app, mapping_file = sys.argv[1], Path(sys.argv[2])
    mapping = json.loads(mapping_file.read_text(encoding="utf-8"))
    po_path = ROOT / "src" / "zhishui" / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    missing = []
    for entry in po:
        if entry.msgid in mapping:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: mapping[entry.msgid]}
            else:
                entry.msgstr = mapping[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not (entry.msgstr or entry.msgstr_plural.get(0)):
            missing.append(entry.msgid)
    po.save(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
