#!/usr/bin/env python3
"""po-check.py PO CHECK: what msgfmt -c does not check in a catalogue that
is merged with the current sources (tests/po-complete.test makes it).

CHECK is complete, keybars, lines or edges; the messages at fault are
printed and the exit status is 1.  The rules (po/README):
  - every message is translated, none is fuzzy;
  - a key bar of the wizard (one line, fields three spaces apart (two in a
    translation that needs the room), no %)
    fits its 78 columns and keeps its fields and key letters ("e edit" ->
    "e bearbeiten": the keys are fixed in the code);
  - a message of several lines (--help, comments in written files) keeps
    every line within 79 columns where the English line fits;
  - leading and trailing spaces and line ends stay as in the English.
"""
import re
import sys
import unicodedata

KEYBAR_COLS = 78  # tui_frame: the bar starts at column 1 of 80
LINE_COLS = 79


def unquote(s):
    out, i = [], 0
    esc = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append(esc.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def parse(path):
    entries, cur, field = [], None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if cur:
                    entries.append(cur)
                cur = None
                continue
            if cur is None:
                cur = {"flags": "", "msgid": "", "msgstr": ""}
            if line.startswith("#,"):
                cur["flags"] += line[2:]
                continue
            if line.startswith("#"):
                continue
            m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if m:
                field = m.group(1)
                cur[field] = cur.get(field, "") + unquote(m.group(2))
            elif line.startswith('"') and field:
                cur[field] += unquote(line[1:-1])
    if cur:
        entries.append(cur)
    return [e for e in entries if e["msgid"]]


def width(s):
    cols = 0
    for c in s:
        if unicodedata.combining(c):
            continue
        cols += 2 if unicodedata.east_asian_width(c) in "WF" else 1
    return cols


def fields(bar):
    return [f for f in re.split(r" {2,}", bar.strip()) if f]


def key_letters(bar):
    return sorted(f.split(" ", 1)[0] for f in fields(bar)
                  if re.match(r"^[a-z] ", f))


def check(path):
    faults = {"complete": [], "keybars": [], "lines": [], "edges": []}
    for e in parse(path):
        en = e["msgid"]
        strs = [v for k, v in e.items() if k.startswith("msgstr")]
        if "fuzzy" in e["flags"] or any(not s for s in strs):
            faults["complete"].append(en)
            continue
        for tr in strs:
            if "\n" not in en and "   " in en and "%" not in en:
                if width(tr) > KEYBAR_COLS:
                    faults["keybars"].append("%d columns: %s" % (width(tr), tr))
                if len(fields(tr)) != len(fields(en)) or key_letters(tr) != key_letters(en):
                    faults["keybars"].append("fields or keys differ: %s -> %s" % (en, tr))
            if "\n" in en.rstrip("\n"):
                el, tl = en.split("\n"), tr.split("\n")
                for i, t in enumerate(tl):
                    e_w = width(el[i]) if len(el) == len(tl) else max(map(width, el))
                    if width(t) > LINE_COLS and e_w <= LINE_COLS:
                        faults["lines"].append("%d columns: %s" % (width(t), t))
            for test in (str.startswith, str.endswith):
                for edge in (" ", "\n"):
                    if test(en, edge) != test(tr, edge):
                        faults["edges"].append("%r -> %r" % (en[:40], tr[:40]))
    return faults


def main():
    """po-check.py PO CHECK: exit 1 and name the messages at fault."""
    bad = check(sys.argv[1])[sys.argv[2]]
    for b in bad[:40]:
        print(b.replace("\n", "\\n"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
