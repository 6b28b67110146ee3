"""An import as a submission (报送 → 认定): who filled the file in, whether what it brings waits
for the office's 认定, where each item's rows came from, and what the office had returned.

:class:`Submission` holds only that; the importer tells it each unit a sheet names
(:attr:`Submission.said_by`) and each row it writes (:meth:`Submission.came_from`,
:meth:`Submission.sent_again`), and asks it :meth:`Submission.because`.
"""

from __future__ import annotations

from typing import Any

from .. import stages
from ..db import Database
from ..hints import option
from .inference import Inferences, Rule
from .outcome import ImportOptions, ImportReport, Mode

__all__ = ["Submission", "review_because"]


def review_because(report: ImportReport, opts: ImportOptions, said_by: list[str], own_review: bool) -> str:
    """Why what this import brings waits for the office's 认定 ("" : counted at once): asked
    for (--review); a file from another unit — a roll-up, a sheet naming its 填报单位 — by
    itself; the office's own sheet when its own entries need review too (zs review own)."""
    if opts.review is False:
        return ""
    who = f"（{'、'.join(dict.fromkeys(said_by))}填报）" if said_by else ""
    if opts.review:
        return f"用 {option('review')} 要求认定{who}"
    if report.mode is Mode.rollup:
        return f"汇总「{report.origin_name or report.origin}」报送的数据，要经认定"
    if said_by:
        return f"{'、'.join(dict.fromkeys(said_by))}填报的表，要经认定"
    if own_review:
        return "录入的数据都要认定（zs review own 开）"
    return ""


class Submission:
    def __init__(self, db: Database, report: ImportReport, opts: ImportOptions, file_name: str, rejects: Any) -> None:
        self.db = db
        self.report = report
        self.opts = opts
        self.file_name = file_name
        self.rejects = rejects
        #: the units the sheets' header areas say filled them in (a county's sheet: 报送 → 认定)
        self.said_by: list[str] = []
        #: where each new or changed item came from (file, sheet, row), for the review queue
        self.sources: dict[int, str] = {}
        #: the row each item of ours was read from (sheet, row number): what the office
        #: returned for it and the unit did not send again goes back in the --errors file
        self.row_of: dict[int, tuple[str, int]] = {}
        self._own_review: bool | None = None

    def because(self) -> str:
        """Why what the import brings waits for 认定 ("" : it counts at once); see
        :func:`review_because`.  Known once the sheets that name their 填报单位 are read."""
        if self._own_review is None:
            self._own_review = stages.own_review(self.db)
        return review_because(self.report, self.opts, self.said_by, self._own_review)

    def outside(self) -> bool:
        """Whether the file comes from another unit: a roll-up, or a sheet naming its 填报单位."""
        return self.report.mode is Mode.rollup or bool(self.said_by)

    def counted_without_review(self, inferred: Inferences) -> None:
        """--no-review on a file from another unit: said among what the user confirmed."""
        who = (
            f"汇总「{self.report.origin_name or self.report.origin}」"
            if self.report.mode is Mode.rollup
            else f"{'、'.join(dict.fromkeys(self.said_by))}填报的表"
        )
        flag = option("no_review")
        inferred.add(Rule.no_review, "", who, flag, f"{who}按 {flag} 直接计入报表，不经认定", confirmed_by=flag)

    def came_from(self, item_id: int, sheet: str, number: int) -> None:
        """Item ``item_id`` was added or changed by row ``number`` of ``sheet`` (kept when the
        import is under review: the review queue says where each report came from)."""
        if self.because():
            self.sources[item_id] = f"{self.file_name}「{sheet}」第{number}行"

    def returned_to_rows(self) -> int:
        """Into the --errors file: beside each row whose item has reports the office returned
        (and this file does not send again), what was returned and why.  Returns how many."""
        if self.rejects is None or not self.row_of:
            return 0
        from .. import review

        n = 0
        for e in review.outstanding_returns(self.db, item_ids=self.row_of):
            sheet, number = self.row_of[e.item_id]
            self.rejects.returned(sheet, number, review.returned_text(e))
            n += 1
        return n

    def sent_again(self, item_id: int, sheet: str, number: int) -> None:
        """A row of ours: noted for the --errors file; in an import under review, a project
        the office returned as a whole (its entry 已退回) that the unit lists again is sent
        again — its entry waits once more, in this submission (its moves follow the row)."""
        self.row_of[item_id] = (sheet, number)
        if not self.because():
            return
        resent = self.db.conn.execute(
            "UPDATE status_log SET review = 'pending' WHERE item_id = ? AND from_status IS NULL "
            "AND review = 'returned'",
            (item_id,),
        ).rowcount
        if resent:
            self.report.resent += 1
            self.sources[item_id] = f"{self.file_name}「{sheet}」第{number}行"

    def stand_as_reported(self, item_id: int) -> None:
        """Before a row of an import under review moves an item whose earlier moves still wait:
        those moves count for the time of the write, so the new move follows on from what the
        unit reported (已签约 → 已开工, not 在谈 → 已开工 again) and a changed stage date moves
        the waiting move itself.  The import's submission then holds them all again
        (:func:`zhaoshang.review.mark_submission` takes every row the import changed): the
        item's waiting moves are this newer submission's, each once."""
        self.db.conn.execute(
            "UPDATE status_log SET review = 'confirmed' WHERE item_id = ? AND review = 'pending'", (item_id,)
        )
        stages.follow_confirmed(self.db, [item_id])
