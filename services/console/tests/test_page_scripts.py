"""The page's scripts are plain ES modules with no build step, so nothing checks them before a browser runs them:
here every import names a module and a name it exports, every word and code label they ask for has its Thai and
English, and nothing needs what the content policy forbids (inline scripts or styles, eval)."""

import re
from pathlib import Path

import pytest

from services.console.pages import STATIC

SCRIPTS = sorted((STATIC / "js").rglob("*.js"))
IMPORT = re.compile(r'import \{([^}]*)\} from "(\.{1,2}/[^"]+)"')
EXPORT = re.compile(r"export (?:async )?(?:const|function|class|let) (\w+)")
# The words a script names: t("word"), and the helpers that translate their word argument themselves.
WORD_USES = [re.compile(pattern) for pattern in (
    r'\bt\("(\w+)"\)', r'\bfield\([^,]+, "(\w+)"', r'\bcheck\("[^"]+", "(\w+)"\)', r'\bmore\("(\w+)"',
    r'\bpick\("\w+", "(\w+)"\)', r'\bempty\(\w+, "(\w+)"\)',
    r'(?:\[\[|\],\s*\[)"(\w+)", ')]  # and tables of [word, value] pairs
LABEL_USES = [re.compile(pattern) for pattern in (r'\blabel\("(\w+)"', r'\bcodes\("(\w+)"\)', r'\bpick\("(\w+)"')]


def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def i18n() -> tuple[dict[str, int], set[str]]:
    """Return each word of i18n.js with how many languages it has, and the kinds of code it labels."""
    words, labels = source(STATIC / "js" / "i18n.js").split("const LABELS")
    counts = {key: len(re.findall(r'"[^"]*"', value)) for key, value in re.findall(r"(\w+): \[([^\]]*)\]", words)}
    kinds = set(re.findall(r"^  (\w+): \{", labels, re.MULTILINE))
    return counts, kinds


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(STATIC)))
def test_every_import_names_a_module_and_what_it_exports(script: Path) -> None:
    for names, target in IMPORT.findall(source(script)):
        module = (script.parent / target).resolve()
        assert module.is_file(), f"{script.name} imports {target}, which is not there"
        exported = set(EXPORT.findall(source(module)))
        wanted = {name.strip().split(" as ")[0] for name in names.split(",") if name.strip()}
        assert wanted <= exported, f"{script.name} wants {wanted - exported} from {target}"


def test_every_word_and_label_the_scripts_ask_for_is_there_in_thai_and_english() -> None:
    words, kinds = i18n()
    text = "\n".join(source(script) for script in SCRIPTS)
    asked = {word for pattern in WORD_USES for word in pattern.findall(text)}
    labelled = {kind for pattern in LABEL_USES for kind in pattern.findall(text)}
    assert {"province", "client_more", "event_json", "choose", "leaf_hash", "national_id"} <= asked  # found at all
    assert not asked - set(words), f"words missing from i18n.js: {sorted(asked - set(words))}"
    assert all(count == 2 for count in words.values()), [w for w, count in words.items() if count != 2]
    assert not labelled - kinds, f"labels missing from i18n.js: {sorted(labelled - kinds)}"


def test_the_rows_words_are_there_for_every_group() -> None:
    words, _ = i18n()
    rows = re.search(r"const ROW = \{([^}]*)\}", source(STATIC / "js" / "views" / "intake_people.js"))
    assert rows
    for group, row in re.findall(r'(\w+): "(\w+)"', rows.group(1)):
        assert {group, row, f"add_{row}"} <= set(words), group


def test_nothing_needs_what_the_content_policy_forbids() -> None:
    page = source(STATIC / "index.html")
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and "style=" not in page and "<style" not in page
    for script in SCRIPTS:
        text = source(script)
        assert not re.search(r"\beval\(|new Function\(|\.innerHTML\s*=|setAttribute\(\"style\"", text), script.name
