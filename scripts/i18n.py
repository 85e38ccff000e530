"""Steady's translation tooling (docs/translations.md).

    python scripts/i18n.py check [PATH ...]     templates that do not parse, or with visible text not marked
                                                for translation
    python scripts/i18n.py make                 update locale/*/LC_MESSAGES/django.po and djangojs.po
    python scripts/i18n.py missing [--lang L] [--under PREFIX ...] [--json]
                                                entries with no translation yet (optionally only those
                                                used under a path), as a list or a JSON skeleton
    python scripts/i18n.py fill FILE.json ...   write translations from JSON files into the catalogs
    python scripts/i18n.py compile              compile every .po into its .mo (polib; no gettext needed)

A fill file is a JSON list of entries, each {"msgid": ..., "msgid_plural": ... (if plural),
"msgctxt": ... (if any), "es": ..., "de": ..., "ar": ...}; a plural entry gives a list of forms per
language (de two, es three — one, millions, other — and ar six, in the order of the catalog's Plural-Forms header).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGS = ["es", "de", "ar"]
DOMAINS = ["django", "djangojs"]
TEMPLATE_DIRS = [ROOT / "templates"]

# Attributes a person reads or hears (a screen reader reads aria-label and alt).
VISIBLE_ATTRS = {"placeholder", "title", "aria-label", "alt", "aria-description", "aria-placeholder"}
# Words that are the same in every language.
UNTRANSLATED_OK = {"Steady", "OK"}
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_ENTITY = re.compile(r"&[a-zA-Z]+;|&#x?[0-9a-fA-F]+;")


def _blank(text: str) -> str:
    """A placeholder for template syntax that keeps the line count."""
    return "\x00" + "\n" * text.count("\n")


def _template_to_html(source: str) -> str:
    """The template with every {{ }}/{% %}/{# #} replaced by a placeholder and every translated
    or commented region ({% blocktranslate %}…{% endblocktranslate %}, {% comment %}…) removed."""
    from django.template.base import Lexer, TokenType

    out: list[str] = []
    skip_until: str | None = None
    for token in Lexer(source).tokenize():
        raw = token.contents
        if token.token_type == TokenType.BLOCK:
            name = raw.split(None, 1)[0] if raw.strip() else ""
            if skip_until:
                if name == skip_until:
                    skip_until = None
                out.append(_blank(raw))
                continue
            if name in {"blocktranslate", "blocktrans"}:
                skip_until = "endblocktranslate" if name == "blocktranslate" else "endblocktrans"
            elif name == "comment":
                skip_until = "endcomment"
            out.append(_blank(raw))
        elif skip_until:
            out.append(_blank(raw))
        elif token.token_type == TokenType.TEXT:
            out.append(raw)
        else:
            out.append(_blank(raw))
    return "".join(out)


def _untranslated(text: str) -> bool:
    text = _ENTITY.sub(" ", text).replace("\x00", " ")
    words = _LETTERS.findall(text)
    return any(word not in UNTRANSLATED_OK for word in words)


class _Finder(HTMLParser):
    RAW = {"script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[int, str]] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, translate="no")

    def _skipping(self) -> bool:
        return any(no or tag in self.RAW for tag, no in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        no = values.get("translate") == "no"
        if not no and not self._skipping():
            for name, value in attrs:
                # An <input type=submit>'s value is its label; a <button>'s value
                # is only sent with the form (its label is its content).
                shown = name in VISIBLE_ATTRS or (
                    name == "value" and tag == "input" and values.get("type") in {"submit", "button", "reset"}
                )
                shown = shown or (name == "content" and values.get("name") in {"description"})
                if shown and value and _untranslated(value):
                    self.found.append((self.getpos()[0], f'{name}="{value.strip()}"'))
        if tag not in {"br", "hr", "img", "input", "meta", "link", "source", "area", "col", "wbr"}:
            self.stack.append((tag, no))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not self._skipping() and _untranslated(data):
            self.found.append((self.getpos()[0], " ".join(data.replace("\x00", "…").split())))


def untranslated_text(path: Path) -> list[tuple[int, str]]:
    """(line, text) of visible text in a template that is not marked for translation."""
    source = path.read_text(encoding="utf-8")
    html = _template_to_html(source)
    if path.suffix == ".txt":
        return [
            (n, line.strip().replace("\x00", "…")) for n, line in enumerate(html.splitlines(), 1) if _untranslated(line)
        ]
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found


def template_files(paths: list[str] | None = None) -> list[Path]:
    roots = [Path(p).resolve() for p in paths] if paths else TEMPLATE_DIRS
    files: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
        else:
            files.extend(sorted(p for p in root.rglob("*") if p.suffix in {".html", ".txt"}))
    return files


def _setup_django():
    import os

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()


def template_errors(paths: list[Path]) -> list[tuple[Path, str]]:
    """(path, error) of each template Django's engine cannot parse (the project's engine, with its
    builtins and libraries): a {% comment %} cut by a merge, an unclosed block, an unknown tag or filter.
    Reading token by token (untranslated_text) sees none of these."""
    from django.template import TemplateSyntaxError, engines

    engine = engines["django"].engine
    errors = []
    for path in paths:
        try:
            engine.from_string(path.read_text(encoding="utf-8"))
        except TemplateSyntaxError as exc:
            line = getattr(exc, "template_debug", {}).get("line")
            errors.append((path, f"line {line}: {exc}" if line else str(exc)))
    return errors


def cmd_check(args) -> int:
    _setup_django()
    bad = 0
    paths = template_files(args.paths)
    for path, error in template_errors(paths):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{shown}: template syntax error: {error}")
        bad += 1
    for path in paths:
        for line, text in untranslated_text(path):
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"{shown}:{line}: {text[:100]}")
            bad += 1
    print(f"{bad} template(s) not parsing or text(s) not marked", file=sys.stderr)
    return 1 if bad else 0


IGNORE = [".venv", "node_modules", "tests", "bench", "var", "scripts", "deploy", "locale", "*/migrations"]


def cmd_make(args) -> int:
    base = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--add-location=file"]
    base += [f"--ignore={p}" for p in IGNORE]
    for lang in LANGS:
        base += ["-l", lang]
    (ROOT / "locale").mkdir(exist_ok=True)
    subprocess.run([*base, "-d", "django", "-e", "html,txt,py"], cwd=ROOT, check=True)
    subprocess.run([*base, "-d", "djangojs", "-e", "js"], cwd=ROOT, check=True)
    return 0


def _catalogs(lang: str | None = None):
    import polib

    for language in [lang] if lang else LANGS:
        for domain in DOMAINS:
            po = ROOT / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            if po.exists():
                yield language, po, polib.pofile(str(po), wrapwidth=0)


def _used_under(entry, prefixes: list[str]) -> bool:
    return not prefixes or any(f.startswith(p) for f, _ in entry.occurrences for p in prefixes)


def _translated(entry) -> bool:
    if "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def cmd_missing(args) -> int:
    seen: dict[tuple, dict] = {}
    count = 0
    for lang, _po, catalog in _catalogs(args.lang):
        for entry in catalog:
            if entry.obsolete or not _used_under(entry, args.under) or _translated(entry):
                continue
            count += 1
            key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
            item = seen.setdefault(key, {"msgid": entry.msgid})
            if entry.msgid_plural:
                item["msgid_plural"] = entry.msgid_plural
            if entry.msgctxt:
                item["msgctxt"] = entry.msgctxt
            item.setdefault("missing", []).append(lang)
            item.setdefault("files", sorted({f for f, _ in entry.occurrences}))
    if args.json:
        print(json.dumps(list(seen.values()), ensure_ascii=False, indent=1))
    else:
        for item in seen.values():
            print(f"[{','.join(item['missing'])}] {item['msgid'][:90]!r}  ({', '.join(item['files'][:3])})")
        print(f"{len(seen)} message(s), {count} missing translation(s)", file=sys.stderr)
    return 1 if count else 0


def cmd_fill(args) -> int:
    entries: dict[tuple, dict] = {}
    for name in args.files:
        for item in json.loads(Path(name).read_text(encoding="utf-8")):
            entries[(item.get("msgctxt"), item["msgid"], item.get("msgid_plural"))] = item
    filled = 0
    for lang, po, catalog in _catalogs():
        changed = False
        for entry in catalog:
            item = entries.get((entry.msgctxt, entry.msgid, entry.msgid_plural or None))
            if not item or lang not in item:
                continue
            value = item[lang]
            if entry.msgid_plural:
                forms = value if isinstance(value, list) else [value]
                entry.msgstr_plural = dict(enumerate(forms))
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            changed = True
            filled += 1
        if changed:
            catalog.save(str(po))
    print(f"filled {filled} translation(s)", file=sys.stderr)
    return 0


def cmd_compile(args) -> int:
    for _lang, po, catalog in _catalogs():
        catalog.save_as_mofile(str(po.with_suffix(".mo")))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check")
    check.add_argument("paths", nargs="*")
    check.set_defaults(run=cmd_check)
    sub.add_parser("make").set_defaults(run=cmd_make)
    missing = sub.add_parser("missing")
    missing.add_argument("--lang", choices=LANGS)
    missing.add_argument("--under", nargs="*", default=[])
    missing.add_argument("--json", action="store_true")
    missing.set_defaults(run=cmd_missing)
    fill = sub.add_parser("fill")
    fill.add_argument("files", nargs="+")
    fill.set_defaults(run=cmd_fill)
    sub.add_parser("compile").set_defaults(run=cmd_compile)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
