"""The .dzn reader: the benchmark's statements, and malformed files named by their line."""

from pathlib import Path

import pytest

from matcher.bench.dzn import read_dzn
from matcher.model.files import BadFile

HERE = Path(__file__).parent / "b2b"

HEAD = "nBusiness = 3;\nnMeetings = 2;\nnTables = 1;\nnTotalSlots = 4;\nnMorningSlots = 2;\n"


def test_reads_every_statement():
    inst = read_dzn(HERE / "precedences.dzn")
    assert (inst.participants, inst.tables, inst.slots, inst.morning) == (3, 2, 2, 2)
    assert [(m.a, m.b, m.session) for m in inst.meetings] == [(1, 2, 3), (1, 3, 3)]
    assert inst.fixed == (0, 0)
    assert inst.precedences == (frozenset({2}), frozenset())


def test_zero_in_a_forbidden_set_means_none():
    inst = read_dzn(HERE / "sessions.dzn")
    assert inst.forbidden == (frozenset(),) * 3


def test_rows_may_end_with_a_comma_and_sets_may_hold_ranges(tmp_path):
    path = tmp_path / "x.dzn"
    path.write_text(HEAD + "requested = [|1, 2, 1,\n|1, 3, 2,\n|];\n"
                    "forbidden = [{1..3}, {}, {4}]; % trailing comment\n")
    inst = read_dzn(path)
    assert inst.forbidden[0] == frozenset({1, 2, 3})
    assert len(inst.meetings) == 2


@pytest.mark.parametrize(("body", "message"), [
    ("requested = [| 1, 2, 1 | 1, 3, 2 |];\nnTables = 2;\n", "line 7: nTables is given twice"),
    ("requested = [| 1, 2, 1 | 1, 3 |];\n", "line 6: a requested row has 3 numbers"),
    ("requested = [| 1, 2, 1\n| 1, 9, 2 |];\n",
     "line 7: meeting 2 names participant 9, but nBusiness is 3"),
    ("requested = [| 1, 2, 1\n| 1, 1, 2 |];\n", "line 7: meeting 2 joins participant 1 with"),
    ("requested = [| 1, 2, 1\n| 1, 3, 4 |];\n", "line 7: requested entry 2"),
    ("requested = [| 1, 2, 1 |];\n", "line 6: requested has 1 rows, but nMeetings is 2"),
    ("requested = [| 1, 2, 1 | 1, 3, 2 |];\nforbidden = [{}, {}];\n",
     "line 7: forbidden has 2 entries, but nBusiness is 3"),
    ("requested = [| 1, 2, 1 | 1, 3, 2 |];\nforbidden = [{},\n{},\n{7}];\n",
     "line 9: forbidden entry 3 names slot 7, outside 1..4"),
    ("requested = [| 1, 2, 1 | 1, 3, 2 |];\nfixed = [0, 5];\n",
     "line 7: fixed entry 2 names slot 5"),
    ("requested = [| 1, 2, 1 | 1, 3, 2 |];\nprecedences = [{}, {3}];\n",
     "line 7: precedences entry 2 names meeting 3, outside 1..2"),
    ("requested = [| 1, 2, 1 | 1, 3, 2 |]\nfixed = [0, 0];\n", "line 7: expected ';'"),
    ("requested = [| 1, 2, 1 | 1, 3, 2 |];\nfixed = [0, x];\n", "line 7: expected a number"),
    ("requested = [| 1, 2, 1 | 1, 3, 2 |];\nfixed = [0, 0$];\n", "line 7: unexpected '$];'"),
    ("requested = [| 1, 2, 1 | 1, 3, 2 |", "line 6: the file ends in the middle"),
])
def test_malformed_file_names_the_line(tmp_path, body, message):
    path = tmp_path / "bad.dzn"
    path.write_text(HEAD + body)
    with pytest.raises(BadFile, match="^" + str(path).replace(".", r"\.") + " ") as error:
        read_dzn(path)
    assert message in str(error.value)


def test_missing_statement_is_named(tmp_path):
    path = tmp_path / "bad.dzn"
    path.write_text("nBusiness = 3;\nnMeetings = 0;\nrequested = [| |];\n")
    with pytest.raises(BadFile, match="nTables is not given"):
        read_dzn(path)


def test_unreadable_file_is_a_bad_file(tmp_path):
    with pytest.raises(BadFile, match="cannot read"):
        read_dzn(tmp_path / "missing.dzn")
