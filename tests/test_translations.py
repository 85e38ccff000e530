"""The four languages (docs/translations.md): every template's visible text
is marked, every message is translated into es, de and ar with its
placeholders and markup intact, and the compiled catalogs are current."""

import re
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
sys.path.insert(0, str(ROOT / "scripts"))
import i18n  # noqa: E402

LANGS = i18n.LANGS
CATALOGS = [ROOT / "locale" / lang / "LC_MESSAGES" / f"{domain}.po" for lang in LANGS for domain in i18n.DOMAINS]
CATALOGS = [po for po in CATALOGS if po.exists()]

_PY_FORMAT = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")
_TAG = re.compile(r"</?([a-zA-Z][\w-]*)")


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in _PY_FORMAT.findall(text)}


def _tags(text: str) -> list[str]:
    return sorted(_TAG.findall(text))


def test_every_template_is_marked():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text[:80]}"
        for path in i18n.template_files()
        for line, text in i18n.untranslated_text(path)
    ]
    assert not found, "visible text not marked for translation:\n" + "\n".join(found)


def test_every_template_parses():
    """Through the project's own engine: a template that reads well token
    by token can still fail to load (a {% comment %} header cut by a merge)."""
    errors = [f"{path.relative_to(ROOT)}: {error}" for path, error in i18n.template_errors(i18n.template_files())]
    assert not errors, "templates that do not parse:\n" + "\n".join(errors)


def test_check_reports_a_template_that_does_not_parse_by_its_name(tmp_path, capsys):
    """The merge that cut therapists/_summary_section.html's {% comment %}
    left an {% endcomment %} alone, and every word around it marked."""
    broken = tmp_path / "cut_by_a_merge.html"
    broken.write_text(
        '{% load i18n %}\n  The summary partial.\n{% endcomment %}\n<p>{% translate "Check-up" %}</p>\n',
        encoding="utf-8",
    )
    fine = tmp_path / "fine.html"
    fine.write_text(
        '{% load i18n %}<p>{% translate "Check-up" %} {{ day|when:"weekday_day_month" }}</p>\n', encoding="utf-8"
    )

    exit_code = i18n.main(["check", str(broken), str(fine)])

    out = capsys.readouterr().out
    assert exit_code == 1
    assert f"{broken}: template syntax error: " in out
    assert "endcomment" in out
    assert str(fine) not in out


def test_check_passes_templates_that_parse_and_are_marked(tmp_path, capsys):
    fine = tmp_path / "fine.html"
    fine.write_text(
        '{% load i18n %}<p>{% translate "Check-up" %} {{ day|when:"day_month_short" }}</p>\n', encoding="utf-8"
    )

    assert i18n.main(["check", str(fine)]) == 0
    assert capsys.readouterr().out == ""


def test_there_are_catalogs_for_every_language():
    for lang in LANGS:
        assert (ROOT / "locale" / lang / "LC_MESSAGES" / "django.po").exists(), lang


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_message_is_translated(po):
    catalog = polib.pofile(str(po))
    untranslated = [e.msgid for e in catalog if not e.obsolete and not i18n._translated(e)]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_placeholders_and_markup_survive(po):
    catalog = polib.pofile(str(po))
    wrong = []
    for entry in catalog:
        if entry.obsolete or not i18n._translated(entry):
            continue
        if entry.msgid_plural:
            allowed = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural)
            for form in entry.msgstr_plural.values():
                # A form for one or two may say the number in words.
                if not _placeholders(form) <= allowed or _tags(form) != _tags(entry.msgid_plural):
                    wrong.append((entry.msgid, form))
        elif _placeholders(entry.msgstr) != _placeholders(entry.msgid) or _tags(entry.msgstr) != _tags(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_compiled_catalogs_are_current(po, tmp_path):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: python scripts/i18n.py compile"
    fresh = tmp_path / "fresh.mo"
    polib.pofile(str(po)).save_as_mofile(str(fresh))
    assert fresh.read_bytes() == mo.read_bytes(), f"{mo} is stale: python scripts/i18n.py compile"


# Spanish speaks to one person with "tú" and to both partners with "ustedes", never "vosotros"
# (docs/translations.md, "Register"). A word that looks like a vosotros form but is not one goes in
# _NOT_VOSOTROS, after a look at the sentence.
_WORD = r"[^\W\d_]"
_VOSOTROS = re.compile(
    r"\b(?:"
    r"vosotr[oa]s|vuestr[oa]s?|os"  # pronouns and possessives: vosotros, vuestra, "os avisamos"
    r"|sois|vais|dais|veis"  # short presents
    rf"|{_WORD}+(?:áis|éis|ais|eis)"  # podéis, queráis, veréis, acordasteis, estabais, pudierais
    rf"|{_WORD}+ís"  # decidís, compartís
    rf"|{_WORD}+[aei]d(?:lo|la|los|las|le|les|me|nos)?"  # imperatives: mirad, elegid, habladlo
    rf"|{_WORD}+(?:ándoos|iéndoos|aos|eos|íos|aros|eros|iros)"  # with "os": sentaos, poneos, avisaros, veros
    r")\b",
    re.IGNORECASE,
)
# Nouns in -dad/-tad (seguridad, soledad, bondad, amistad, lealtad, libertad), but not imperatives of verbs
# in -dar/-tar that end the same way (acordad, recordad, ayudad, contad, intentad: those are caught).
_NOUNS_IN_DAD = re.compile(r"(?:idad|edad|ndad|stad|ltad|rtad)$")
_VERBS_LIKE_NOUNS = {"cuidad", "olvidad", "convidad", "quedad", "mandad", "fundad"}
_NOT_VOSOTROS = {
    # reviewed: not second-person plural
    "país", "países", "parís", "seis", "red", "pared", "usted", "sed", "césped", "huésped", "merced",
    "madrid", "ipad", "verdad", "voluntad", "mitad", "ciudad",
    "caos", "deseos", "correos", "paseos", "envíos", "desafíos", "vacíos", "tíos", "ríos",
    "números", "bomberos", "compañeros", "primeros", "enteros", "sinceros", "ceros", "claros", "raros", "caros",
    "suspiros", "retiros", "giros",
}  # fmt: skip
# What is not prose: placeholders, tags with their attributes, addresses.
_NOT_PROSE = re.compile(r"%\(\w+\)[sdif]|\{\w*\}|<[^>]*>|\S+@\S+|https?://\S+")


def vosotros_forms(text: str) -> list[str]:
    """The words of a Spanish text that address several people as "vosotros"."""
    found = []
    for match in _VOSOTROS.finditer(_NOT_PROSE.sub(" ", text)):
        word = match.group(0).lower()
        noun = _NOUNS_IN_DAD.search(word) and word not in _VERBS_LIKE_NOUNS
        if word not in _NOT_VOSOTROS and not noun:
            found.append(match.group(0))
    return found


def test_vosotros_forms_are_found():
    for text in [
        "Los dos podéis leerla.",
        "Es vuestra relación.",
        "A los dos se os avisó.",
        "Hicisteis un check-in juntos.",
        "Solo lo que elijáis los dos.",
        "Habladlo en la próxima sesión.",
        "Compartid un resumen.",
        "Mirad esto.",
        "¿Vais a terapia?",
        "Lo que compartís ahora.",
        "Veréis las respuestas.",
        "Sentaos un momento.",
        "Queremos avisaros.",
        "Acordad una palabra.",
    ]:
        assert vosotros_forms(text), text
    assert vosotros_forms("recordad, ayudad, contad, intentad, cuidad, quedad") == [
        "recordad", "ayudad", "contad", "intentad", "cuidad", "quedad"
    ]  # fmt: skip
    for text in [
        "Ustedes pueden leerla, en su país, con seguridad y tranquilidad.",
        "La red de la pared; usted tiene sed.",
        "Seis números de otros bomberos, por correos; nosotros y ellos.",
        'Quedan %(unused)s. <a href="mailto:a@steady.invalid" download>Descarga</a>',
        "Dios, los días, los ríos.",
        "La verdad, la ciudad, la mitad, la voluntad, la libertad, la soledad, la bondad, la lealtad.",
    ]:
        assert not vosotros_forms(text), (text, vosotros_forms(text))


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_spanish_never_says_vosotros(domain):
    po = ROOT / "locale" / "es" / "LC_MESSAGES" / f"{domain}.po"
    found = []
    for entry in polib.pofile(str(po)):
        if entry.obsolete:
            continue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if words := vosotros_forms(text):
                found.append(f"{entry.msgid[:60]!r}: {', '.join(words)} in {text!r}")
    assert not found, "Spanish says 'ustedes' to both partners, not 'vosotros':\n" + "\n".join(found)


# Arabic speaks of a named person (the partner, the therapist) without a gender (docs/translations.md,
# "Register"): a verbal noun or a passive ("اقتراح من %(name)s", "سيظهر هذا لـ%(name)s", "بانتظار موافقة
# %(name)s"), never a masculine verb or adjective agreeing with the name ("اقترح %(name)s", "سيرى
# %(name)s", "%(partner)s مستعد"). The verbs are a reviewed list of the ones the catalogs used; a match that
# is a verbal noun, not a verb, goes in _NOT_A_MASCULINE_VERB by msgid, after a look at the sentence.
_PERSON = r"(?:%\((?:name|name_first|partner|therapist|who|author|by)\)s|\{(?:name|partner|author)\})"
_PERFECT = (
    # proposed, joined, wrote, sent, shared, accepted, left, saw, started, ended, agreed, asked,
    # came back, kept (a promise), thanked, declined, withdrew, paused, changed, set
    "اقترح", "انضم", "كتب", "أرسل", "شارك", "قبل", "غادر", "رأى", "بدأ", "أنهى", "وافق", "طلب",
    "عاد", "وفى", "شكر", "رفض", "سحب", "أوقف", "غيّر", "حدّد", "حدد",
)  # fmt: skip
_IMPERFECT = (
    # sees, will see, wants, would like, waits, reads, accepts, answers, keeps, loses, will find, can
    "يرى", "سيرى", "يريد", "يرغب", "ينتظر", "يقرأ", "سيقرأ", "يقبل", "يوافق", "يجيب", "يرسل", "يكتب",
    "يحتفظ", "يفقد", "يفعل", "سيجد", "يستطيع", "يتمكن", "سيتمكن",
)  # fmt: skip
_ADJECTIVES = ("مستعد", "جاهز", "متسائل")  # ready, wondering
_BEFORE = "|".join(_PERFECT + _IMPERFECT + _ADJECTIVES)
_AFTER = "|".join(_IMPERFECT + _ADJECTIVES)  # not the perfect: "%(therapist)s قبل الجلسة" is "before"
_MASCULINE_ABOUT_A_PERSON = re.compile(
    rf"(?<!\w)[وف]?(?:{_BEFORE})(?:ه|ها|هما|هم)?\s+{_PERSON}"  # اقترح %(name)s, سيراه %(name)s
    rf"|{_PERSON}\s+(?:{_AFTER})(?:ًا|ا|ون|ين)?(?!\w)"  # %(partner)s مستعد, %(name)s يريد
)
_NOT_A_MASCULINE_VERB: set[str] = set()  # msgids reviewed: the match is a verbal noun, not a verb


def masculine_about_a_person(text: str) -> list[str]:
    """The places in an Arabic text where a masculine verb or adjective agrees with a person's name."""
    return [match.group(0) for match in _MASCULINE_ABOUT_A_PERSON.finditer(text)]


def test_masculine_about_a_person_is_found():
    for text in [
        "اقترح %(name)s هذا",
        "سيرى %(name)s هذا.",
        "تم الاقتراح. سيجده %(name)s هنا للموافقة عليه.",
        "لا شيء مخطط له حتى يوافق %(name)s.",
        "%(partner)s مستعد للمتابعة.",
        "عاد {name} من وقت مستقطع",
        "وفى {name} بوعد",
        "<strong>رفضه %(name)s</strong> في %(date)s.",
        "في %(day)s الساعة %(time)s: اقترح %(who)s تمرينًا لكليكما",
        "يرغب %(partner)s في مشاركة ملخّص مع %(therapist)s.",
    ]:
        assert masculine_about_a_person(text), text
    for text in [
        "اقتراح من %(name)s",
        "سيظهر هذا لـ%(name)s.",
        "بانتظار موافقة %(name)s",
        "لا شيء مخطط له قبل موافقة %(name)s.",
        "%(partner)s: جاهزية للمتابعة",
        "عودة {name} من وقت مستقطع",
        "<strong>رُفض بقرار من %(name)s</strong> في %(date)s.",
        "في %(day)s الساعة %(time)s — %(who)s: اقتراح تمرين لكليكما",
        "الاستعداد للمتابعة مسجَّل لدى %(partner)s.",
        "سيرى كل منكما إجابات الآخر بعد إجابة %(name)s أيضًا.",
        "ملاحظة إلى %(therapist)s قبل الجلسة التالية",
    ]:
        assert not masculine_about_a_person(text), (text, masculine_about_a_person(text))


def arabic_masculine_about_a_person(po_text: str) -> list[str]:
    found = []
    for entry in polib.pofile(po_text):
        if entry.obsolete or entry.msgid in _NOT_A_MASCULINE_VERB:
            continue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if words := masculine_about_a_person(text):
                found.append(f"{entry.msgid[:60]!r}: {', '.join(words)} in {text!r}")
    return found


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_arabic_speaks_of_a_named_person_without_gender(domain):
    found = arabic_masculine_about_a_person(str(ROOT / "locale" / "ar" / "LC_MESSAGES" / f"{domain}.po"))
    assert not found, (
        "Arabic speaks of a named person with a verbal noun or a passive, not a masculine verb:\n" + "\n".join(found)
    )
