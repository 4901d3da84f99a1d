"""find_wrong_expressions and load_word_list over the shipped list and small hand-made lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.wording import (
    DEFAULT_WORD_LIST_PATH,
    WordList,
    WordListError,
    WrongExpression,
    WrongExpressionHit,
    find_wrong_expressions,
    load_word_list,
)


@pytest.fixture(scope="module")
def shipped() -> WordList:
    return load_word_list()


def _wrongs(hits: list[WrongExpressionHit]) -> list[str]:
    return [hit.wrong for hit in hits]


def test_shipped_list_loads_with_no_leader_names(shipped: WordList) -> None:
    assert shipped.source == DEFAULT_WORD_LIST_PATH
    assert 40 <= len(shipped) <= 80
    kinds = {entry.kind for entry in shipped.entries}
    assert kinds == {"institution_name", "phrasing", "other"}


def test_shipped_right_forms_trigger_no_hit(shipped: WordList) -> None:
    for entry in shipped.entries:
        if entry.right:
            assert find_wrong_expressions(entry.right, shipped) == [], entry
            # Also inside a sentence, where neighbouring characters could complete a match.
            sentence = f"根据{entry.right}的要求，{entry.right}部署工作。"
            assert find_wrong_expressions(sentence, shipped) == [], entry


def test_shipped_context_excludes_are_honoured(shipped: WordList) -> None:
    for entry in shipped.entries:
        for exclude in entry.context_exclude:
            # The exclude string may itself be another entry (保监会 inside 银保监会).
            hits = find_wrong_expressions(f"关于{exclude}的通知", shipped)
            assert entry.wrong not in _wrongs(hits), exclude


def test_correct_names_give_no_hits(shipped: WordList) -> None:
    text = (
        "国家市场监督管理总局、农业农村部、生态环境部联合发文，县生态环境局、市场监督管理局、"
        "农业农村局、应急管理局、自然资源和规划局、卫生健康委员会、文化和旅游局参加会议。"
        "各级农业部门、环保部门和文化部门要抓好落实；人大代表、政协委员、全国人大常委会委员长出席。"
        "国家金融监督管理总局××监管局、全国政协代表团、国务院常务会议，截至目前进展顺利。"
    )
    assert find_wrong_expressions(text, shipped) == []


def test_institution_hit_reports_correction_and_sentence(shipped: WordList) -> None:
    text = "第一段没有问题。\n近日，县环保局联合多部门开展执法检查！下一句也没问题。"
    hits = find_wrong_expressions(text, shipped)
    assert hits == [
        WrongExpressionHit(
            wrong="环保局",
            right="生态环境局",
            kind="institution_name",
            note="2018年地方机构改革，环境保护局更名为生态环境局",
            severity="serious",
            sentence="近日，县环保局联合多部门开展执法检查！",
            offset=text.index("环保局"),
        )
    ]


def test_phrasing_and_other_kinds(shipped: WordList) -> None:
    hits = find_wrong_expressions("国务院常委会研究部署。截止目前，已完成任务。", shipped)
    assert [(hit.wrong, hit.right, hit.kind, hit.severity) for hit in hits] == [
        ("国务院常委会", "国务院常务会议", "phrasing", "serious"),
        ("截止目前", "截至目前", "other", "minor"),
    ]
    assert hits[1].sentence == "截止目前，已完成任务。"


def test_leader_name_kind_from_a_deployment_list() -> None:
    words = WordList(
        [WrongExpression(wrong="张三市长", right="张三副市长", kind="leader_name", note="职务错误")]
    )
    (hit,) = find_wrong_expressions("会议由张三市长主持。", words)
    assert (hit.kind, hit.right, hit.offset) == ("leader_name", "张三副市长", 3)


def test_context_exclude(shipped: WordList) -> None:
    assert find_wrong_expressions("县农业部门负责，美国农业部发布报告。", shipped) == []
    assert _wrongs(find_wrong_expressions("农业部办公厅印发通知。", shipped)) == ["农业部"]
    # 旅游局 sits inside its own right form.
    assert find_wrong_expressions("县文化广电和旅游局、市文化和旅游局", shipped) == []
    assert _wrongs(find_wrong_expressions("县旅游局", shipped)) == ["旅游局"]


def test_historical_prefix_is_not_an_error(shipped: WordList) -> None:
    text = "原国家工商行政管理总局、原农业部的职责，其前身为环境保护部。"
    assert find_wrong_expressions(text, shipped) == []


def test_overlapping_entries_prefer_longest(shipped: WordList) -> None:
    hits = find_wrong_expressions("国家卫计委与中国银保监会、保监会。", shipped)
    assert _wrongs(hits) == ["国家卫计委", "银保监会", "保监会"]
    # The shorter 卫计委 inside the excluded longer hit is not reported on its own either.
    assert find_wrong_expressions("原国家卫计委", shipped) == []


def test_longest_wins_even_when_a_shorter_entry_starts_first() -> None:
    words = WordList(
        [
            WrongExpression(wrong="甲乙", right="", kind="other"),
            WrongExpression(wrong="乙丙丁", right="", kind="other"),
        ]
    )
    assert _wrongs(find_wrong_expressions("甲乙丙丁", words)) == ["乙丙丁"]


def test_whitespace_inside_chinese_is_ignored_but_sentence_is_original(
    shipped: WordList,
) -> None:
    text = "据悉，国家\u3000工商 总局\u200b已发文。"
    (hit,) = find_wrong_expressions(text, shipped)
    assert hit.wrong == "国家工商总局"
    assert hit.offset == 3
    assert hit.sentence == text


def test_long_sentence_is_cut_around_the_hit(shipped: WordList) -> None:
    text = "甲" * 200 + "环保局" + "乙" * 200 + "。"
    (hit,) = find_wrong_expressions(text, shipped)
    assert "环保局" in hit.sentence
    assert len(hit.sentence) <= 122  # 120 characters plus the two ellipses
    assert hit.sentence.startswith("…") and hit.sentence.endswith("…")


def test_empty_text_and_empty_list() -> None:
    assert find_wrong_expressions("", load_word_list()) == []
    assert find_wrong_expressions("环保局", WordList([])) == []


def test_custom_file_with_bare_list(tmp_path: Path) -> None:
    path = tmp_path / "words.yaml"
    path.write_text("- wrong: 错词\n  right: 对词\n  kind: other\n", encoding="utf-8")
    words = load_word_list(path)
    (hit,) = find_wrong_expressions("这是错词。", words)
    assert (hit.right, hit.severity, hit.note) == ("对词", "serious", "")


@pytest.mark.parametrize(
    ("body", "message_parts"),
    [
        (
            "entries:\n  - {wrong: 甲, kind: other}\n  - {wrong: 乙, kind: person}\n",
            ["entries[1]", "第 2 条", "'乙'", "kind"],
        ),
        ("entries:\n  - {wrong: '', kind: other}\n", ["entries[0]", "wrong"]),
        (
            "entries:\n  - {wrong: 甲, kind: other, severity: fatal}\n",
            ["entries[0]", "severity", "fatal"],
        ),
        (
            "entries:\n  - {wrong: 甲, kind: other, context_exclude: [乙丙]}\n",
            ["entries[0]", "context_exclude", "乙丙"],
        ),
        (
            "entries:\n  - {wrong: 甲, kind: other, contex_exclude: [甲乙]}\n",
            ["entries[0]", "contex_exclude"],
        ),
        (
            "entries:\n  - {wrong: 甲, kind: other}\n  - {wrong: 甲, kind: phrasing}\n",
            ["entries[1]", "entries[0]", "重复"],
        ),
        ("entries: [\n", ["YAML"]),
        ("words: []\n", ["words"]),
    ],
)
def test_bad_word_list_file_names_file_and_entry(
    tmp_path: Path, body: str, message_parts: list[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(WordListError) as raised:
        load_word_list(path)
    message = str(raised.value)
    assert str(path) in message
    for part in message_parts:
        assert part in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WordListError, match="无法读取"):
        load_word_list(tmp_path / "absent.yaml")
