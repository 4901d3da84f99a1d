"""INTERACTION_UNANSWERED: a consultation message left unanswered over 3 months (互动回应差)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from storage.models import InteractionMessage


class InteractionUnanswered(Rule):
    """A message in a consultation column (``category: interaction``) asked within the
    year before the check and left unanswered for more than ``max_days`` (90), or
    answered only after that long.

    Messages whose status the list does not show are not judged.
    """

    code = "INTERACTION_UNANSWERED"
    name = "互动回应差"
    threshold = "检查前一年内的留言超过 3 个月未回复"
    message_template = "{site}「{column}」栏目{asked}的留言《{title}》{problem}"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        max_days = context.rubric.param(self.code, "max_days")
        year_ago = context.as_of - timedelta(days=365)
        messages: dict[int, list[InteractionMessage]] = {}
        for message in context.session.scalars(
            select(InteractionMessage).where(
                InteractionMessage.asked_on >= year_ago,
                InteractionMessage.asked_on <= context.as_of,
                InteractionMessage.first_seen_at <= context.cutoff_utc,
            )
        ):
            messages.setdefault(message.column_id, []).append(message)
        for state in column_states(context):
            if state.category != "interaction" or not state.readable:
                continue
            detections = []
            for message in messages.get(state.column_id, []):
                problem = self._problem(message, context, max_days)
                if problem is None:
                    continue
                text = self.message_template.format(
                    site=state.site_name,
                    column=state.column_name,
                    asked=f"{message.asked_on:%Y-%m-%d}",
                    title=message.title[:60],
                    problem=problem,
                )
                evidence = (message.url or state.column_url,)
                detections.append(Detection(text, evidence, subject=message.message_key))
            yield Judgement("column", state.target_id, state.unit, tuple(detections))

    @staticmethod
    def _problem(message: InteractionMessage, context: CheckContext, max_days: int) -> str | None:
        assert message.asked_on is not None
        answered = message.answered_on
        if answered is not None and answered <= context.as_of:
            waited = (answered - message.asked_on).days
            return f"{waited}天后才答复,超过{max_days}天" if waited > max_days else None
        if message.status == "unknown" and answered is None:
            return None
        waited = (context.as_of - message.asked_on).days
        return f"已{waited}天未答复,超过{max_days}天" if waited > max_days else None
