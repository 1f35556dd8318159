"""Document structure found in the real samples."""

from duban.ingest.structure import numbering_level
from duban.ingest.text import prepare


def test_documents_match_gold_titles(parsed_samples, gold):
    for seed, g in gold.items():
        got = {(d.line, d.title.replace(" ", "")) for d in parsed_samples[seed[:3]].documents}
        for d in g["documents"]:
            assert (d["line"], d["title"].replace(" ", "")) in got, (seed, d)


def test_numbering_levels():
    assert numbering_level("一、主要目标") == 1
    assert numbering_level("（二）着力扩大有效投资") == 2
    assert numbering_level("(二) 深化改革") == 2
    assert numbering_level("14. 加快") == 3
    assert numbering_level("（12）开展") == 4
    assert numbering_level("2023年") == 0


def test_prepare_strips_markup_and_keeps_numbers():
    lines = prepare(["## **（一）加强组织领导**  ", "<p>王永红</p>", "\u2002\u2002"])
    assert [ln.text for ln in lines] == ["（一）加强组织领导", "王永红", ""]
    assert lines[0].heading == 2 and lines[0].bold
    assert [ln.no for ln in lines] == [1, 2, 3]
