"""Documents' case-file rules, in plain Python."""

from services.documents import domain


def test_a_case_file_is_opened_once() -> None:
    opened = domain.open_file(None, "c-1")
    assert opened == domain.CaseFile(case_id="c-1", document_count=0)
    assert domain.open_file(opened, "c-1") is None
