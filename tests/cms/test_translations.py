"""Every string a user sees has a Vietnamese translation, and the compiled catalogue is current."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po",
    *sorted((ROOT / "locale-thirdparty").glob("*/vi/LC_MESSAGES/*.po")),
]


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: f"{p.parents[2].name}/{p.name}")
def test_vietnamese_catalogue_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    for entry in po.translated_entries():
        expected = entry.msgstr or entry.msgstr_plural
        assert compiled.get((entry.msgctxt, entry.msgid)) == expected, entry.msgid


def test_english_catalogue_exists():
    assert (ROOT / "locale" / "en" / "LC_MESSAGES" / "django.mo").exists()


def test_our_strings_do_not_rename_the_admins_buttons():
    """Our catalogue comes first in LOCALE_PATHS, so an msgid it shares with Wagtail's (say
    "Settings") would relabel Wagtail's own admin. Shared msgids must mean the same there;
    our own wording for a common word goes under a message context."""
    ours = polib.pofile(str(CATALOGUES[0]))
    admin = {}
    for path in CATALOGUES[1:]:
        if "wagtail" in path.parents[2].name:
            for entry in polib.pofile(str(path)).translated_entries():
                admin.setdefault((entry.msgctxt, entry.msgid), entry.msgstr.lower())
    clashes = [
        (entry.msgid, entry.msgstr, admin[(entry.msgctxt, entry.msgid)])
        for entry in ours.translated_entries()
        if (entry.msgctxt, entry.msgid) in admin
        and entry.msgstr.lower() != admin[(entry.msgctxt, entry.msgid)]
    ]
    assert clashes == []
