"""Message catalogue tools.

    python scripts/i18n.py missing [PATH]   print msgids under PATH with no zh translation, as .po entries
    python scripts/i18n.py check            exit 1 if any msgid in the project lacks a zh translation
    python scripts/i18n.py compile          compile every stale .po to .mo

English msgids are the English text; each area keeps its zh catalogue in its own
``translations/`` folder, and the app merges them all.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

METHODS = [("**/templates/**.html", "jinja2"), ("**/templates/**.txt", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "pgettext": ((1, "c"), 2)}
SKIP = (".venv", "tests", "migrations", "bench", "scripts")


def extract(under: Path = ROOT) -> dict[str, list[str]]:
    from babel.messages.extract import extract_from_file

    found: dict[str, list[str]] = {}
    for path in sorted(under.rglob("*")):
        rel = path.relative_to(ROOT)
        if not path.is_file() or any(part in SKIP for part in rel.parts):
            continue
        method = "jinja2" if path.suffix in (".html", ".txt") and "templates" in rel.parts else "python" if path.suffix == ".py" else None
        if method is None:
            continue
        options = {"extensions": "jinja2.ext.i18n"} if method == "jinja2" else {}
        for lineno, message, _comments, _ctx in extract_from_file(method, str(path), keywords=KEYWORDS, options=options):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, []).append(f"{rel}:{lineno}")
    return found


def translated() -> set[str]:
    from babel.messages.pofile import read_po

    done: set[str] = set()
    for po in ROOT.glob("**/translations/zh/LC_MESSAGES/messages.po"):
        if ".venv" in po.parts:
            continue
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string and not message.fuzzy:
                    done.add(message.id if isinstance(message.id, str) else message.id[0])
    return done


def missing(under: Path = ROOT) -> dict[str, list[str]]:
    done = translated()
    return {k: v for k, v in extract(under).items() if k not in done}


def po_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "compile":
        from core.i18n import compile_catalogs

        for mo in compile_catalogs(ROOT):
            print("compiled", mo.relative_to(ROOT))
        return 0
    under = (ROOT / argv[2]).resolve() if len(argv) > 2 else ROOT
    gaps = missing(under)
    if command == "missing":
        for msgid, places in gaps.items():
            print(f"#: {' '.join(places[:3])}\nmsgid \"{po_escape(msgid)}\"\nmsgstr \"\"\n")
        return 0
    if command == "check":
        for msgid, places in gaps.items():
            print(f"untranslated: {msgid!r} ({places[0]})")
        print(f"{len(gaps)} untranslated message(s)")
        return 1 if gaps else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
