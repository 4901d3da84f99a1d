"""Wording checks over published text: serious wrong expressions (rule WRONG_EXPRESSION)."""

from monitor.wording.matcher import (
    DEFAULT_WORD_LIST_PATH,
    WordList,
    WordListError,
    WrongExpression,
    WrongExpressionHit,
    find_wrong_expressions,
    load_word_list,
    normalise,
)

__all__ = [
    "DEFAULT_WORD_LIST_PATH",
    "WordList",
    "WordListError",
    "WrongExpression",
    "WrongExpressionHit",
    "find_wrong_expressions",
    "load_word_list",
    "normalise",
]
