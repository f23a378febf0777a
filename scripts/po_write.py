"""Merge translations into a zh catalogue: python scripts/po_write.py CATALOGUE.po DICT.py

DICT.py defines T = {msgid: msgstr}. Existing entries are kept unless T gives a new text.
"""

import runpy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def main(po_path: str, dict_path: str) -> None:
    path = Path(po_path)
    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="zh")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale="zh", project="platform", charset="utf-8")
    for msgid, msgstr in runpy.run_path(dict_path)["T"].items():
        if msgid in catalog:
            catalog[msgid].string = msgstr
        else:
            catalog.add(msgid, msgstr)
    tmp = path.with_suffix(".po.tmp")
    with tmp.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True, omit_header=False)
    tmp.replace(path)


if __name__ == "__main__":
    main(*sys.argv[1:3])
