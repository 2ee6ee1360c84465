import csv
import io
import json
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatdump.core import errors
from chatdump.core.dump import COLUMNS, ChatReader, chunks_of, preview, summarise
from chatdump.core.formats import Converter, convert, output_filename
from chatdump.core.formats.excel import FORMULA_STARTS, neutralise
from chatdump.core.formats.transcript import INDENT
from chatdump.upstream.demo.dumps import DEMO_SESSIONS, render_dump

# Any text a CSV can carry: everything but NUL and lone surrogates (not encodable as UTF-8).
cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
flag = st.sampled_from(["true", "false", "1", "0", "TRUE", "False", ""])


@st.composite
def messages(draw: st.DrawFn) -> list[str]:
    row = draw(st.lists(cell, min_size=10, max_size=10))
    row[5], row[6] = draw(flag), draw(flag)
    return row


dumps = st.lists(messages(), max_size=12)


def to_csv(rows: list[list[str]], header: tuple[str, ...] = COLUMNS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def read_all(chunks: list[bytes] | list[str]) -> list[list[str]]:
    reader = ChatReader()
    rows = [row for chunk in chunks for row in reader.feed(chunk)]
    return rows + reader.close()


def excel_cells(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@given(dumps, st.lists(st.integers(min_value=0), max_size=8))
def test_rows_survive_any_chunking_byte_for_byte(rows: list[list[str]], cuts: list[int]) -> None:
    data = to_csv(rows)
    # csv cannot tell an empty one-column row from a blank line; a dump row has ten columns.
    assert read_all(cut(data, cuts)) == rows


@given(dumps, st.lists(st.integers(min_value=0), max_size=8))
def test_excel_output_neutralises_formulas_and_keeps_everything_else(
    rows: list[list[str]], cuts: list[int]
) -> None:
    text = "".join(convert(cut(to_csv(rows), cuts), "excel"))
    header, *cells = excel_cells(text)
    assert header == list(COLUMNS)
    assert len(cells) == len(rows)
    for got_row, row in zip(cells, rows, strict=True):
        for got, original in zip(got_row, row, strict=True):
            assert not got.startswith(FORMULA_STARTS)
            assert got == (("'" + original) if original.startswith(FORMULA_STARTS) else original)


# csv quotes a cell holding CR or LF only if that character is in its lineterminator.
source_styles = st.sampled_from(
    [("\r\n", csv.QUOTE_MINIMAL), ("\r\n", csv.QUOTE_ALL), ("\n", csv.QUOTE_ALL)]
)


@given(dumps, st.lists(st.integers(min_value=0), max_size=8), source_styles)
def test_excel_output_is_the_source_text_when_no_cell_looks_like_a_formula(
    rows: list[list[str]], cuts: list[int], style: tuple[str, int]
) -> None:
    line_break, quoting = style
    safe = [["x" + c if c.startswith(FORMULA_STARTS) else c for c in row] for row in rows]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=line_break, quoting=quoting).writerows([COLUMNS, *safe])
    source = out.getvalue()
    chunks = cut(source.encode("utf-8"), cuts)
    assert "".join(convert(chunks, "excel")) == "\ufeff" + source


def test_excel_rewrites_only_the_records_with_a_formula_and_keeps_their_line_breaks() -> None:
    header = ",".join(COLUMNS)
    plain = 'm1,p1,s,m,"Ana",false,false,TEXT_MESSAGE,"say ""hi""",2026-11-24T10:00:00Z'
    # A quote inside an unquoted field does not open a quoted one: the =1 after it is a cell.
    tricky = 'm2,p1,s,m,ab"c,false,false,TEXT_MESSAGE,=1,2026-11-24T10:01:00Z'
    source = f"{header}\n{plain}\n\n{tricky}\r\n{plain}"
    assert "".join(convert([source.encode()], "excel")) == (
        f"\ufeff{header}\n{plain}\n\n"
        'm2,p1,s,m,"ab""c",false,false,TEXT_MESSAGE,\'=1,2026-11-24T10:01:00Z\r\n'
        f"{plain}"
    )


@given(dumps, st.lists(st.integers(min_value=0), max_size=8))
def test_jsonl_parses_back_to_the_rows_with_real_booleans(
    rows: list[list[str]], cuts: list[int]
) -> None:
    text = "".join(convert(cut(to_csv(rows), cuts), "jsonl"))
    # JSON escapes every \n inside strings, so \n ends exactly one object.
    parsed = [json.loads(line) for line in text.split("\n")[:-1]]
    assert len(parsed) == len(rows)
    flags = {"true": True, "1": True, "false": False, "0": False, "": None}
    for obj, row in zip(parsed, rows, strict=True):
        assert list(obj) == list(COLUMNS)
        expected = dict(zip(COLUMNS, row, strict=True))
        expected["pinned"] = flags[row[5].lower()]
        expected["isEdited"] = flags[row[6].lower()]
        assert obj == expected


@given(dumps, st.lists(st.integers(min_value=0), max_size=8))
def test_transcript_has_one_unindented_line_per_message(
    rows: list[list[str]], cuts: list[int]
) -> None:
    text = "".join(convert(cut(to_csv(rows), cuts), "txt"))
    lines = text.split("\n")[:-1] if text else []
    assert sum(not line.startswith(INDENT) for line in lines) == len(rows)
    assert all(line.startswith("[") for line in lines if not line.startswith(INDENT))


@given(dumps, st.integers(min_value=1, max_value=64))
def test_output_does_not_depend_on_chunk_size(rows: list[list[str]], size: int) -> None:
    data = to_csv(rows)
    for fmt in ("excel", "jsonl", "txt"):
        assert "".join(convert(chunks_of(data, size), fmt)) == "".join(convert([data], fmt))


def test_columns_are_read_by_name_not_position() -> None:
    demo = render_dump(DEMO_SESSIONS[0])
    rows = list(csv.reader(io.StringIO(demo.decode(), newline="")))
    order = list(reversed(range(len(COLUMNS))))
    shuffled = [[row[i] for i in order] for row in rows]
    data = to_csv(shuffled[1:], header=tuple(shuffled[0]))
    assert "".join(convert([data], "jsonl")) == "".join(convert([demo], "jsonl"))
    assert "".join(convert([data], "txt")) == "".join(convert([demo], "txt"))


def test_the_demo_dump_converts_with_every_format() -> None:
    demo = render_dump(DEMO_SESSIONS[0])
    for fmt in ("excel", "jsonl", "txt"):
        assert "".join(convert(chunks_of(demo, 7), fmt))


def test_transcript_shows_name_minute_and_indented_continuation() -> None:
    row = ["m1", "p1", "s", "m", "Ana Émilie", "false", "false", "TEXT_MESSAGE", "hello\r\nworld",
           "2026-11-24T10:03:59.999Z"]  # fmt: skip
    assert "".join(convert([to_csv([row])], "txt")) == (
        "[2026-11-24 10:03] Ana Émilie: hello\n    world\n"
    )


@pytest.mark.parametrize(
    ("kind", "payload", "text", "link"),
    [
        ("IMAGE_MESSAGE", "https://x.test/a.png", "[image] https://x.test/a.png", "https://x.test/a.png"),
        ("FILE_MESSAGE", '{"name": "Q4, plan.pdf", "size": 1234567, "link": "https://x.test/f"}',
         "[file] Q4, plan.pdf (1.2 MB) https://x.test/f", "https://x.test/f"),
        ("FILE_MESSAGE", '{"name": "n.zip", "link": "javascript:alert(1)"}',
         '[file] n.zip {"name": "n.zip", "link": "javascript:alert(1)"}', None),
        ("IMAGE_MESSAGE", "not a url", "[image] not a url", None),
    ],
)  # fmt: skip
def test_image_and_file_messages_show_their_link(
    kind: str, payload: str, text: str, link: str | None
) -> None:
    row = ["m1", "p1", "s", "m", "Zoë", "1", "0", kind, payload, "2026-11-24T10:03:00Z"]
    [message] = preview([to_csv([row])])
    assert (message.text, message.link, message.pinned, message.edited) == (text, link, True, False)


def test_names_lose_line_breaks_and_terminal_escapes() -> None:
    row = ["m1", "p1", "s", "m", "Eve\n[2026-01-01 00:00] Boss\x1b[2J", "", "", "TEXT_MESSAGE",
           "hi\x1b]0;pwned\x07", "not a date"]  # fmt: skip
    text = "".join(convert([to_csv([row])], "txt"))
    assert text == "[not a date] Eve [2026-01-01 00:00] Boss [2J: hi ]0;pwned \n"


def test_summary_counts_messages_people_and_time_span() -> None:
    summary = summarise(chunks_of(render_dump(DEMO_SESSIONS[0]), 1000))
    assert (summary.messages, summary.participants) == (240, 6)
    assert summary.describe().startswith("240 messages from 6 participants, 2026-11-24 10:00 - ")


def test_preview_reads_no_further_than_it_needs() -> None:
    demo = render_dump(DEMO_SESSIONS[0])

    def chunks() -> Iterator[bytes]:
        yield demo[:4000]
        raise AssertionError("read past what the preview needed")

    found = preview(chunks(), limit=3)
    assert [m.name for m in found] == ["李小龍", "Ana Émilie", "Priya Natarajan"]


def test_excel_neutralises_each_dangerous_start() -> None:
    for start in FORMULA_STARTS:
        assert neutralise(start + "1") == "'" + start + "1"
    assert neutralise("1+1") == "1+1"
    assert neutralise("") == ""


def test_output_filenames_per_format() -> None:
    name = "team-standup-2026-11-24.csv"
    assert [output_filename(name, f) for f in ("csv", "excel", "jsonl", "txt")] == [
        "team-standup-2026-11-24.csv",
        "team-standup-2026-11-24-excel.csv",
        "team-standup-2026-11-24.jsonl",
        "team-standup-2026-11-24.txt",
    ]


HEADER = ",".join(COLUMNS).encode()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"id,payload\n1,x\n", "missing_columns"),
        (HEADER + b"\n1,2,3,4,\xff\xfe,false,false,TEXT_MESSAGE,x,y\n", "not_utf8"),
        (HEADER + b"\n1,2,3,4,a\x00b,false,false,TEXT_MESSAGE,x,y\n", "nul_byte"),
        (HEADER + b"\n1,2,3\n", "wrong_field_count"),
        (HEADER + b'\n1,2,3,4,5,false,false,TEXT_MESSAGE,"never closed,y\n', "malformed_csv"),
        (HEADER + b'\n1,2,3,4,"5"x,false,false,TEXT_MESSAGE,x,y\n', "malformed_csv"),
        (HEADER + b'\n1,2,3,4,5,false,false,TEXT_MESSAGE,"' + b"a" * 200_000 + b'",y\n',
         "field_too_large"),
        (HEADER + b"\n1,2,3,4,5,false,false,TEXT_MESSAGE," + b"a" * 2_000_000, "field_too_large"),
    ],
)  # fmt: skip
def test_bad_input_raises_a_typed_error(data: bytes, code: str) -> None:
    for chunks in ([data], list(chunks_of(data, 1000))):
        with pytest.raises(errors.InvalidChatDump) as caught:
            list(convert(chunks, "excel"))
        assert caught.value.code == code


def test_a_boolean_that_is_neither_true_nor_false_is_refused_not_guessed() -> None:
    row = ["m1", "p1", "s", "m", "Zoë", "maybe", "0", "TEXT_MESSAGE", "x", "2026-11-24T10:03:00Z"]
    with pytest.raises(errors.InvalidChatDump, match="pinned") as caught:
        list(convert([to_csv([row])], "jsonl"))
    assert caught.value.code == "bad_boolean"


def test_crlf_cut_between_chunks_and_a_bom_are_handled() -> None:
    data = b"\xef\xbb\xbf" + to_csv([["1", "2", "3", "4", "5", "1", "0", "T", "x", "y"]])
    assert data.count(b"\r\n") == 2
    at = data.index(b"\r\n") + 1
    assert read_all([data[:at], data[at:]]) == [["1", "2", "3", "4", "5", "1", "0", "T", "x", "y"]]


def test_converter_refuses_unknown_formats() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        Converter("xlsx")
    with pytest.raises(ValueError, match="not a conversion"):
        Converter("csv")
