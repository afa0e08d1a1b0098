"""The catalogues under locale/ (issue 21): complete for every language we ship, no entry fuzzy,
every placeholder kept, the committed .mo files saying what the .po files say (plural forms
included), and `make messages` finding no string the catalogues lack."""

import gettext
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _ in settings.LANGUAGES]
DOMAINS = ["django", "djangojs"]
CATALOGUES = [(language, domain) for language in LANGUAGES for domain in DOMAINS]
# What a translation must carry over: named and positional placeholders, and HTML tags.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|<[^>]+>")


def catalogue(language: str, domain: str, root: Path = ROOT):
    with (root / "locale" / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as file:
        return read_po(file, locale=language)


def messages(language: str, domain: str, root: Path = ROOT) -> list:
    return [message for message in catalogue(language, domain, root) if message.id]


def translations(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_string_is_translated_and_none_is_fuzzy(language, domain):
    found = messages(language, domain)
    assert len(found) > 40, "a catalogue that lost its strings"
    untranslated = [message.id for message in found if not all(translations(message))]
    fuzzy = [message.id for message in found if message.fuzzy]
    assert not untranslated, f"{language}/{domain}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert not fuzzy, f"{language}/{domain}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}"


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_translations_keep_every_placeholder(language, domain):
    """A placeholder lost or misspelt is a KeyError (a 500) the first time the text is shown."""
    wrong = []
    for message in messages(language, domain):
        wanted = set().union(*(PLACEHOLDER.findall(text) for text in ids(message)))
        for text in translations(message):
            found = set(PLACEHOLDER.findall(text))
            # A singular may say "one" instead of its count ("Une heure"), never more than the English.
            if not found <= wanted or (not isinstance(message.id, tuple) and found != wanted):
                wrong.append(f"{ids(message)[0]!r} -> {text!r}")
    assert not wrong, f"{language}/{domain}: placeholders differ:\n" + "\n".join(wrong[:5])


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_the_compiled_catalogue_says_what_the_po_file_says(language, domain):
    """The committed .mo files are what a fresh machine serves: no compile step, no msgfmt; and
    their header is compiled too (a fuzzy header would lose the language's plural forms)."""
    source = catalogue(language, domain)
    with (ROOT / "locale" / language / "LC_MESSAGES" / f"{domain}.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    assert compiled.info()["plural-forms"] == source.plural_forms
    plural = gettext.c2py(source.plural_expr)
    for message in (message for message in source if message.id):
        if isinstance(message.id, tuple):
            for count in range(30):
                got = compiled.ngettext(message.id[0], message.id[1], count)
                assert got == message.string[plural(count)], (message.id, count)
        elif message.context:
            assert compiled.pgettext(message.context, message.id) == message.string, message.id
        else:
            assert compiled.gettext(message.id) == message.string, message.id


def test_make_messages_finds_no_string_the_catalogues_lack(tmp_path):
    """`make messages` on a copy of the code: every marked string is in the catalogues already,
    and none that no code marks any more."""
    if shutil.which("xgettext") is None:  # as browser tests without Chromium (CI installs both)
        message = "NO GNU GETTEXT INSTALLED: `make messages` is not checked (apt-get install gettext)"
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    copy = tmp_path / "chairtime"
    ignore = shutil.ignore_patterns(
        ".venv", ".data", ".git", "staticfiles", "media", "test-artifacts", "__pycache__", "locale"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    shutil.copytree(ROOT / "locale" / "de", copy / "locale" / "de")
    environment = {**os.environ, "DATABASE_URL": "postgres://unused@localhost/unused"}
    subprocess.run(
        ["make", "-o", "install", "messages", "LOCALES=de", f"BIN={Path(sys.executable).parent}"],
        cwd=copy,
        check=True,
        capture_output=True,
        env=environment,
    )
    for domain in DOMAINS:
        wanted = {message.id for message in messages("de", domain, copy)}
        have = {message.id for message in messages("de", domain)}
        new, gone = sorted(map(str, wanted - have)), sorted(map(str, have - wanted))
        assert not new, f"{domain}: run make messages and translate the new strings, e.g. {new[:5]}"
        assert not gone, f"{domain}: run make messages, which drops strings no code marks any more: {gone[:5]}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_english_says_what_the_code_says(domain):
    """The code is written in English: its catalogue repeats each string (`make messages` makes
    it so), and a string changed in the code never keeps an old wording there."""
    for message in messages("en", domain):
        assert translations(message) == (ids(message) if isinstance(message.id, tuple) else (message.id,)), message.id
