"""The dates an edition's duties fall on, derived from the events stored on it.

An edition stores what happened and when (the trigger, the announcement, the posting, an
extension the executive granted); the deadlines are counted from those each time they are
needed, on the organization's calendar (its province's days off) and by the deployment's
rule. Nothing counted is stored, so a rule changed in the settings, or a holiday the cabinet
adds after a round opened, applies to rounds already open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from models.days_off import DaysOff
from models.deadlines import Deadline, earliest_removal, posting_deadline, preparation_deadline
from models.enums import EditionKind
from models.org import Organization
from models.plan import Edition
from models.reminder_settings import ReminderSettings


@dataclass(frozen=True)
class EditionDates:
    """One edition's deadlines as they stand today."""

    preparation: Deadline | None  # the 30 days; None for an amendment (made the same day)
    extended_to: date | None  # the executive's extension, when granted
    preparation_act_by: date | None  # the working day to finish preparing by
    posting: Deadline | None  # the 15 days, once announced
    earliest_removal: date | None  # posted + 31, once posted

    @property
    def preparation_due(self) -> date | None:
        """The preparation deadline in force: the extension when there is one."""
        if self.extended_to is not None:
            return self.extended_to
        return self.preparation.due if self.preparation else None


def calendar_of(org: Organization, days_off: DaysOff) -> DaysOff:
    """The calendar an organization's deadlines are counted on: its province's days off."""
    return days_off.of(org.province)


def edition_dates(edition: Edition, days_off: DaysOff) -> EditionDates:
    """The edition's deadlines on ``days_off`` (already the org's calendar: ``calendar_of``)."""
    preparation = (
        None
        if edition.kind is EditionKind.AMENDMENT
        else preparation_deadline(edition.trigger_date, days_off)
    )
    due = edition.extended_deadline or (preparation.due if preparation else None)
    return EditionDates(
        preparation=preparation,
        extended_to=edition.extended_deadline,
        preparation_act_by=days_off.last_working_day(due) if due else None,
        posting=posting_deadline(edition.announced_on, days_off) if edition.announced_on else None,
        earliest_removal=earliest_removal(edition.posted_on) if edition.posted_on else None,
    )


def cutoff_before(due: date, days: int, days_off: DaysOff) -> date:
    """The day submissions close: ``days`` before the deadline, on a working day (the one
    before, when that day is off)."""
    return days_off.last_working_day(due - timedelta(days=days))


def collection_cutoff(edition: Edition, org: Organization, days_off: DaysOff) -> date | None:
    """Until when the round asks for projects ("รับข้อเสนอถึง"): the org's cutoff setting
    (default 10 days) before the preparation deadline in force. ``days_off`` is national."""
    calendar = calendar_of(org, days_off)
    due = preparation_due(edition, calendar)
    if due is None:
        return None
    days = ReminderSettings.from_json(org.reminder_settings).collection_cutoff
    return cutoff_before(due, days, calendar)


def preparation_due(edition: Edition, days_off: DaysOff) -> date | None:
    """Shorthand for the preparation deadline in force (``edition_dates(…).preparation_due``)."""
    return edition_dates(edition, days_off).preparation_due


def posting_due(edition: Edition, days_off: DaysOff) -> date | None:
    """Shorthand for the 15-day posting deadline, once the edition is announced."""
    posting = edition_dates(edition, days_off).posting
    return posting.due if posting else None


def posted_late(edition: Edition, days_off: DaysOff) -> bool:
    """Posted after the 15-day posting deadline (recorded anyway, and said plainly)."""
    due = posting_due(edition, days_off)
    return edition.posted_on is not None and due is not None and edition.posted_on > due
