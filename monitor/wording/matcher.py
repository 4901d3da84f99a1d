"""Find serious wrong expressions (严重表述错误) in page text, for rule WRONG_EXPRESSION.

The word list (outdated institution names, wrong political phrasings...) is a YAML file that
deployments maintain; see data/wrong_expressions.yaml for the format. Matching runs one
Aho-Corasick pass (pyahocorasick) over the text, so the cost does not grow with the number of
entries; the automaton is built once per WordList and reused for every page.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast, get_args

import ahocorasick
import yaml

Kind = Literal["leader_name", "institution_name", "phrasing", "other"]
Severity = Literal["serious", "minor"]

DEFAULT_WORD_LIST_PATH = Path(__file__).resolve().parent / "data" / "wrong_expressions.yaml"

_KINDS: tuple[str, ...] = get_args(Kind)
_SEVERITIES: tuple[str, ...] = get_args(Severity)
_ENTRY_KEYS = frozenset({"wrong", "right", "kind", "note", "severity", "context_exclude"})
_TOP_KEYS = frozenset({"historical_prefixes", "entries"})

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_INVISIBLE = r"\u200b-\u200d\u2060\ufeff\u00ad"
# Whitespace (half-width, full-width U+3000, nbsp) between two Chinese characters is layout,
# not meaning: CMS editors and PDF-to-HTML converters put it inside names ("国家 工商总局").
# Zero-width characters are dropped wherever they are.
_REMOVABLE_RE = re.compile(rf"(?<=[{_HAN}])[\s{_INVISIBLE}]+(?=[{_HAN}])|[{_INVISIBLE}]+")
_SENTENCE_END_RE = re.compile(r"[。！？；!?;\n\r]")
SENTENCE_MAX_CHARS = 120


class WordListError(ValueError):
    """The word-list file cannot be used; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class WrongExpression:
    """One entry of the word list."""

    wrong: str
    right: str
    kind: Kind
    note: str = ""
    severity: Severity = "serious"
    # Longer strings holding `wrong` in which it is correct ("农业部门" for 农业部).
    context_exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WrongExpressionHit:
    """One occurrence of a wrong expression in a text."""

    wrong: str
    right: str
    kind: Kind
    note: str
    severity: Severity
    sentence: str  # the sentence of the original text holding the hit, at most ~120 chars
    offset: int  # index of the hit's first character in the original text


def normalise(text: str) -> str:
    """``text`` with whitespace inside Chinese runs and zero-width characters removed."""
    return _REMOVABLE_RE.sub("", text)


@dataclass(frozen=True, slots=True)
class _Compiled:
    entry: WrongExpression
    key: str  # normalised wrong text
    # (exclude string, offset of `key` inside it) for every occurrence of key in the string
    excludes: tuple[tuple[str, int], ...]


class WordList:
    """Word-list entries with their Aho-Corasick automaton, built once and reused."""

    __slots__ = ("_automaton", "entries", "historical_prefixes", "source")

    def __init__(
        self,
        entries: Iterable[WrongExpression],
        historical_prefixes: Iterable[str] = (),
        source: Path | None = None,
    ) -> None:
        self.entries: tuple[WrongExpression, ...] = tuple(entries)
        # A wrong text right after one of these is a historical mention ("原国家工商总局").
        self.historical_prefixes: tuple[str, ...] = tuple(
            prefix for prefix in (normalise(p) for p in historical_prefixes) if prefix
        )
        self.source = source
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        for entry in self.entries:
            key = normalise(entry.wrong)
            if not key:
                raise ValueError(f"empty wrong text in entry {entry!r}")
            if key in self._automaton:
                raise ValueError(f"duplicate wrong text {entry.wrong!r}")
            excludes = tuple(
                (exclude, position)
                for exclude in (normalise(text) for text in entry.context_exclude)
                for position in _occurrences(key, exclude)
            )
            self._automaton.add_word(key, _Compiled(entry, key, excludes))
        if self.entries:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self.entries)

    def _raw_matches(self, normalised: str) -> Iterable[tuple[int, int, _Compiled]]:
        if not self.entries:
            return
        for end_index, compiled in self._automaton.iter(normalised):
            compiled = cast(_Compiled, compiled)
            yield end_index + 1 - len(compiled.key), end_index + 1, compiled


def _occurrences(needle: str, haystack: str) -> list[int]:
    positions: list[int] = []
    position = haystack.find(needle)
    while position != -1:
        positions.append(position)
        position = haystack.find(needle, position + 1)
    return positions


# ------------------------------------------------------------------------------ loading


def _entry_error(path: Path, index: int, raw: object, problem: str) -> WordListError:
    wrong = raw.get("wrong") if isinstance(raw, Mapping) else None
    label = f"，wrong={wrong!r}" if wrong is not None else ""
    return WordListError(f"词表文件 {path}：entries[{index}]（第 {index + 1} 条{label}）{problem}")


def _optional_str(raw: Mapping[str, object], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return ""
    return value if isinstance(value, str) else None


def _parse_entry(path: Path, index: int, raw: object) -> WrongExpression:
    if not isinstance(raw, Mapping):
        raise _entry_error(path, index, raw, "应为包含 wrong、right、kind、note 的映射")
    unknown = sorted(str(key) for key in raw if key not in _ENTRY_KEYS)
    if unknown:
        raise _entry_error(
            path,
            index,
            raw,
            f"有未知字段 {', '.join(unknown)}（可用字段：{', '.join(sorted(_ENTRY_KEYS))}）",
        )
    wrong = raw.get("wrong")
    if not isinstance(wrong, str) or not normalise(wrong).strip():
        raise _entry_error(path, index, raw, "缺少 wrong（错误表述文本），或其不是非空字符串")
    right, note = _optional_str(raw, "right"), _optional_str(raw, "note")
    if right is None:
        raise _entry_error(path, index, raw, "right 应为字符串（可为空）")
    if note is None:
        raise _entry_error(path, index, raw, "note 应为字符串")
    kind = raw.get("kind")
    if kind not in _KINDS:
        raise _entry_error(path, index, raw, f"kind 为 {kind!r}，应为 {' | '.join(_KINDS)} 之一")
    severity = raw.get("severity", "serious")
    if severity not in _SEVERITIES:
        raise _entry_error(
            path, index, raw, f"severity 为 {severity!r}，应为 {' | '.join(_SEVERITIES)} 之一"
        )
    excludes = raw.get("context_exclude") or []
    if not isinstance(excludes, list) or not all(isinstance(text, str) for text in excludes):
        raise _entry_error(path, index, raw, "context_exclude 应为字符串列表")
    for text in excludes:
        if normalise(wrong) not in normalise(text):
            raise _entry_error(
                path, index, raw, f"context_exclude 中的 {text!r} 不包含 wrong 文本，不会生效"
            )
    return WrongExpression(
        wrong=wrong.strip(),
        right=right.strip(),
        kind=cast(Kind, kind),
        note=note.strip(),
        severity=cast(Severity, severity),
        context_exclude=tuple(excludes),
    )


def load_word_list(path: Path | None = None) -> WordList:
    """Read a word-list YAML file (the shipped list by default) and build its matcher.

    Raises WordListError, naming the file and the entry, when the file is unusable.
    """
    path = path or DEFAULT_WORD_LIST_PATH
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise WordListError(f"无法读取词表文件 {path}：{error}") from error
    except UnicodeDecodeError as error:
        raise WordListError(f"词表文件 {path} 不是 UTF-8 编码：{error}") from error
    except yaml.YAMLError as error:
        raise WordListError(f"词表文件 {path} 不是有效的 YAML：{error}") from error

    prefixes: object = []
    if isinstance(document, list):
        raw_entries: object = document
    elif isinstance(document, Mapping):
        unknown = sorted(str(key) for key in document if key not in _TOP_KEYS)
        if unknown:
            raise WordListError(
                f"词表文件 {path}：顶层有未知字段 {', '.join(unknown)}"
                f"（可用字段：{', '.join(sorted(_TOP_KEYS))}）"
            )
        raw_entries = document.get("entries")
        prefixes = document.get("historical_prefixes") or []
    else:
        raw_entries = None
    if not isinstance(raw_entries, list):
        raise WordListError(f"词表文件 {path}：应包含 entries 列表")
    if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
        raise WordListError(f"词表文件 {path}：historical_prefixes 应为字符串列表")

    entries: list[WrongExpression] = []
    first_index: dict[str, int] = {}
    for index, raw in enumerate(raw_entries):
        entry = _parse_entry(path, index, raw)
        key = normalise(entry.wrong)
        if key in first_index:
            raise _entry_error(
                path, index, raw, f"与 entries[{first_index[key]}] 的 wrong 文本重复"
            )
        first_index[key] = index
        entries.append(entry)
    return WordList(entries, historical_prefixes=prefixes, source=path)


# ----------------------------------------------------------------------------- matching


class _OffsetMap:
    """Maps indexes of the normalised text back to the original text."""

    def __init__(self, text: str) -> None:
        # Segment starts: normalised index -> original index, one pair per kept run.
        self._normalised_starts: list[int] = [0]
        self._original_starts: list[int] = [0]
        parts: list[str] = []
        kept_until = 0
        normalised_length = 0
        for removed in _REMOVABLE_RE.finditer(text):
            parts.append(text[kept_until : removed.start()])
            normalised_length += removed.start() - kept_until
            kept_until = removed.end()
            self._normalised_starts.append(normalised_length)
            self._original_starts.append(kept_until)
        parts.append(text[kept_until:])
        self.normalised = "".join(parts)

    def original(self, normalised_index: int) -> int:
        segment = bisect.bisect_right(self._normalised_starts, normalised_index) - 1
        return self._original_starts[segment] + normalised_index - self._normalised_starts[segment]


def _excluded(normalised: str, start: int, compiled: _Compiled, prefixes: tuple[str, ...]) -> bool:
    for prefix in prefixes:
        if start >= len(prefix) and normalised.startswith(prefix, start - len(prefix)):
            return True
    for exclude, position in compiled.excludes:
        begin = start - position
        if begin >= 0 and normalised.startswith(exclude, begin):
            return True
    return False


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around ``text[start:end]``, cut to SENTENCE_MAX_CHARS."""
    begin = start
    while begin > 0 and not _SENTENCE_END_RE.match(text, begin - 1):
        begin -= 1
    found_end = _SENTENCE_END_RE.search(text, end)
    finish = found_end.end() if found_end is not None else len(text)
    if finish > begin and text[finish - 1] in "\n\r":
        finish -= 1
    # Trim surrounding whitespace without losing track of where the hit is.
    while begin < start and text[begin].isspace():
        begin += 1
    while finish > end and text[finish - 1].isspace():
        finish -= 1
    if finish - begin <= SENTENCE_MAX_CHARS:
        return text[begin:finish]
    width = max(SENTENCE_MAX_CHARS, end - start)
    window_begin = max(begin, start - (width - (end - start)) // 2)
    window_end = min(finish, window_begin + width)
    window_begin = max(begin, window_end - width)
    head = "…" if window_begin > begin else ""
    tail = "…" if window_end < finish else ""
    return head + text[window_begin:window_end].strip() + tail


def find_wrong_expressions(text: str, words: WordList) -> list[WrongExpressionHit]:
    """Every wrong expression of ``words`` in ``text``, in text order.

    When entries overlap the longest one is reported (and claims its characters, so a shorter
    entry inside it is never reported on its own); hits inside a context_exclude string or
    right after a historical prefix are dropped.
    """
    if not text or not len(words):
        return []
    offsets = _OffsetMap(text)
    normalised = offsets.normalised
    candidates = sorted(
        words._raw_matches(normalised), key=lambda match: (match[0] - match[1], match[0])
    )
    claimed = bytearray(len(normalised))
    kept: list[tuple[int, int, _Compiled]] = []
    for start, end, compiled in candidates:
        if claimed.find(1, start, end) != -1:
            continue
        claimed[start:end] = b"\x01" * (end - start)
        if not _excluded(normalised, start, compiled, words.historical_prefixes):
            kept.append((start, end, compiled))
    kept.sort(key=lambda match: match[0])

    hits: list[WrongExpressionHit] = []
    for start, end, compiled in kept:
        original_start = offsets.original(start)
        original_end = offsets.original(end - 1) + 1
        entry = compiled.entry
        hits.append(
            WrongExpressionHit(
                wrong=entry.wrong,
                right=entry.right,
                kind=entry.kind,
                note=entry.note,
                severity=entry.severity,
                sentence=_sentence(text, original_start, original_end),
                offset=original_start,
            )
        )
    return hits
