"""Button data (bot/callbacks.py): every family packs what it parses, matches its own pattern,
keeps the wire format the bot has always sent, stays within 64 bytes, and refuses forgeries."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from bot import callbacks as cb
from bot import texts
from bot.models import REPORTED_STATUSES, Assessment, VisitFormat
from bot.services.directory import directory_changes
from bot.services.notifications import notification_settings
from bot.services.roadmaps import roadmaps
from bot.services.visits.visit_drafts import PARTICIPANT_CODES

# One example per family with the data the bot has always sent for it (old messages in
# people's chats must keep working, so these strings never change).
BIG = 999_999_999  # the largest id a button carries (\d{1,9})
EXAMPLES: dict[type[cb.CallbackData], list[tuple[cb.CallbackData, str]]] = {
    cb.VisitNew: [(cb.VisitNew(), "vis:new")],
    cb.VisitEdit: [(cb.VisitEdit(7), "vis:ed:7")],
    cb.VisitOpen: [(cb.VisitOpen(BIG), f"vis:o:{BIG}")],
    cb.VisitList: [(cb.VisitList(2, 17, 0, 202611), "vis:l:2:17:0:202611")],
    cb.VisitFilterMenu: [
        (cb.VisitFilterMenu("fs", 0, 17, 3, 202611), "vis:fs:0:17:3:202611"),
        (cb.VisitFilterMenu("fc", 0, 0, 0, 0), "vis:fc:0:0:0:0"),
    ],
    cb.VisitDelete: [(cb.VisitDelete(7), "vis:dl:7")],
    cb.VisitDeleteYes: [(cb.VisitDeleteYes(7), "vis:dy:7")],
    cb.VisitSchool: [(cb.VisitSchool(17), "vis:s:17")],
    cb.VisitDay: [(cb.VisitDay("0"), "vis:dt:0"), (cb.VisitDay("cal"), "vis:dt:cal")],
    cb.VisitCalendar: [
        (cb.VisitCalendar("m:202611"), "vis:c:m:202611"),
        (cb.VisitCalendar("d:20261130"), "vis:c:d:20261130"),
        (cb.VisitCalendar("noop"), "vis:c:noop"),
    ],
    cb.VisitFormat: [(cb.VisitFormat("joint_event"), "vis:f:joint_event")],
    cb.VisitPurpose: [
        (cb.VisitPurpose("pi", 5), "vis:pi:5"),
        (cb.VisitPurpose("pr", 3), "vis:pr:3"),
    ],
    cb.VisitParticipant: [(cb.VisitParticipant("deputy_uvr"), "vis:p:deputy_uvr")],
    cb.VisitParticipantsDone: [(cb.VisitParticipantsDone(), "vis:pd")],
    cb.VisitStepsDone: [(cb.VisitStepsDone(), "vis:nd")],
    cb.VisitStepsClear: [(cb.VisitStepsClear(), "vis:nc")],
    cb.VisitFilesDone: [(cb.VisitFilesDone(), "vis:ad")],
    cb.VisitFilesClear: [(cb.VisitFilesClear(), "vis:ac")],
    cb.VisitSave: [(cb.VisitSave(), "vis:save")],
    cb.VisitChange: [(cb.VisitChange(), "vis:chg")],
    cb.VisitChangeField: [(cb.VisitChangeField("back"), "vis:ef:back")],
    cb.VisitResume: [(cb.VisitResume("go"), "vis:rs:go"), (cb.VisitResume("new"), "vis:rs:new")],
    cb.VisitCancel: [(cb.VisitCancel(), "vis:x")],
    cb.RoadmapSchool: [(cb.RoadmapSchool(17), "rm:sc:r:17")],
    cb.RiskSchool: [(cb.RiskSchool(17), "rm:sc:k:17")],
    cb.ImportSchool: [(cb.ImportSchool(17), "rm:sc:i:17")],
    cb.NewItemSchool: [(cb.NewItemSchool(17), "rm:sc:n:17")],
    cb.RoadmapPage: [(cb.RoadmapPage(17, 0), "rm:l:17:0")],
    cb.ItemOpen: [(cb.ItemOpen(40), "rm:o:40")],
    cb.ItemHistory: [(cb.ItemHistory(40), "rm:h:40")],
    cb.ItemReport: [(cb.ItemReport(40), "rm:rep:40")],
    cb.ReportStatus: [(cb.ReportStatus("in_progress"), "rm:st:in_progress")],
    cb.ReportPercent: [(cb.ReportPercent(100), "rm:pc:100"), (cb.ReportPercent("x"), "rm:pc:x")],
    cb.ReportEvidenceDone: [(cb.ReportEvidenceDone(), "rm:ev:done")],
    cb.ReportSend: [(cb.ReportSend(), "rm:send")],
    cb.ReviewQueue: [(cb.ReviewQueue(), "rm:rq")],
    cb.ReviewAccept: [(cb.ReviewAccept(9), "rm:ac:9")],
    cb.ReviewReturn: [(cb.ReviewReturn(9), "rm:rt:9")],
    cb.ReviewHold: [(cb.ReviewHold(9), "rm:hd:9")],
    cb.ItemEdit: [(cb.ItemEdit(40), "rm:ed:40")],
    cb.ItemEditField: [(cb.ItemEditField(40, "deadline"), "rm:ef:40:deadline")],
    cb.RiskToggle: [(cb.RiskToggle(17, 3), "rm:rk:17:3")],
    cb.ImportYear: [(cb.ImportYear(2026), "rm:yr:2026")],
    cb.ImportPreviewPage: [(cb.ImportPreviewPage(2), "rm:pv:2")],
    cb.ImportConfirm: [(cb.ImportConfirm(), "rm:imp:ok")],
    cb.RoadmapCancel: [(cb.RoadmapCancel(), "rm:x")],
    cb.ThreadOpen: [(cb.ThreadOpen(9), "rm:th:9")],
    cb.ThreadWrite: [(cb.ThreadWrite(9), "rm:tm:9")],
    cb.CarryItem: [(cb.CarryItem(40), "co:c:40")],
    cb.CloseItem: [(cb.CloseItem(40), "co:x:40")],
    cb.CloseNoNote: [(cb.CloseNoNote(), "co:xn")],
    cb.CloseCancel: [(cb.CloseCancel(), "co:xx")],
    cb.CarryAll: [(cb.CarryAll(17, 2025), "co:a:17:2025")],
    cb.SettleList: [(cb.SettleList(17, 2025), "co:l:17:2025")],
    cb.EventOpen: [(cb.EventOpen(5), "ev:o:5")],
    cb.EventSignUp: [(cb.EventSignUp(5), "ev:su:5")],
    cb.EventDecline: [(cb.EventDecline(5), "ev:no:5")],
    cb.EventRate: [(cb.EventRate(5, 4), "ev:fb:5:4")],
    cb.EventRegistrations: [(cb.EventRegistrations(5), "ev:rg:5")],
    cb.EventAttended: [(cb.EventAttended(5, 8), "ev:at:5:8")],
    cb.EventExport: [(cb.EventExport(5), "ev:xl:5")],
    cb.EventAskFeedback: [(cb.EventAskFeedback(5), "ev:rf:5")],
    cb.EventFeedbackSummary: [(cb.EventFeedbackSummary(5), "ev:fs:5")],
    cb.EventResults: [(cb.EventResults(5), "ev:rs:5")],
    cb.EventEdit: [(cb.EventEdit(5, 2), "ev:ed:5:2")],
    cb.EventEditField: [(cb.EventEditField(5, 2, 0), "ev:ef:5:2:0")],
    cb.EventCancel: [(cb.EventCancel(5), "ev:cn:5")],
    cb.EventCancelYes: [(cb.EventCancelYes(5), "ev:cy:5")],
    cb.EventFeedbackSkip: [(cb.EventFeedbackSkip(), "ev:fx")],
    cb.EventFormat: [(cb.EventFormat("round_table"), "ev:fm:round_table")],
    cb.EventQuickDay: [(cb.EventQuickDay(7), "ev:qs:7")],
    cb.EventDuration: [(cb.EventDuration(90), "ev:du:90")],
    cb.EventPlace: [(cb.EventPlace(22), "ev:pl:22")],
    cb.EventAudience: [(cb.EventAudience("chosen_schools"), "ev:au:chosen_schools")],
    cb.EventChooseSchool: [
        (cb.EventChooseSchool(22), "ev:cs:22"),
        (cb.EventChooseSchool("done"), "ev:cs:done"),
    ],
    cb.EventCapacity: [(cb.EventCapacity("0"), "ev:ca:0"), (cb.EventCapacity("x"), "ev:ca:x")],
    cb.EventSkip: [(cb.EventSkip(), "ev:sk")],
    cb.EventChange: [(cb.EventChange(), "ev:chg")],
    cb.EventChangeField: [(cb.EventChangeField("description"), "ev:cf:description")],
    cb.EventPublish: [(cb.EventPublish(), "ev:pub")],
    cb.EventNewCancel: [(cb.EventNewCancel(), "ev:x")],
    cb.SummaryPage: [(cb.SummaryPage(3), "sch:p:3")],
    cb.SchoolCard: [(cb.SchoolCard(17), "sch:o:17")],
    cb.ExportWithFiles: [(cb.ExportWithFiles(), "exp:f")],
    cb.ReportHalf: [
        (cb.ReportHalf("s2026:1"), "rep:h:s2026:1"),
        (cb.ReportHalf("c2022:2", 3), "rep:h:c2022:2:3"),
        (cb.ReportHalf("2026:1"), "rep:h:2026:1"),  # before calendar halves (issue 14)
    ],
    cb.ReportGet: [(cb.ReportGet("c2022:1", 17), "rep:g:c2022:1:17")],
    cb.MuteToggle: [(cb.MuteToggle("digest"), "ntf:m:digest")],
    cb.Snooze: [(cb.Snooze(12, 3), "ntf:sz:12:3")],
    cb.InviteRole: [(cb.InviteRole("curator"), "inv:r:curator")],
    cb.InviteScope: [
        (cb.InviteScope("school_staff", "s17"), "inv:s:school_staff:s17"),
        (cb.InviteScope("admin", "-"), "inv:s:admin:-"),
    ],
    cb.InvitesPending: [(cb.InvitesPending(), "inv:l")],
    cb.InviteRevoke: [(cb.InviteRevoke(4), "inv:x:4")],
    cb.ChangesSchool: [(cb.ChangesSchool(17), "chg:s:17")],
    cb.ChangesFlag: [(cb.ChangesFlag(17, "nonobj"), "chg:fl:17:nonobj")],
    cb.ChangesExit: [(cb.ChangesExit(17), "chg:ex:17")],
    cb.ChangesExitYes: [(cb.ChangesExitYes(17), "chg:exy:17")],
    cb.ChangesBack: [(cb.ChangesBack(17), "chg:bk:17")],
    cb.ChangesEndCurator: [(cb.ChangesEndCurator(17, 40), "chg:ce:17:40")],
    cb.ChangesEndCuratorYes: [(cb.ChangesEndCuratorYes(17, 40), "chg:cy:17:40")],
    cb.ChangesMove: [(cb.ChangesMove(17, 0), "chg:mv:17:0")],
    cb.ChangesMoveTo: [(cb.ChangesMoveTo(17, 40), "chg:mt:17:40")],
    cb.ChangesMoveYes: [(cb.ChangesMoveYes(17, 40), "chg:my:17:40")],
    cb.PeoplePage: [(cb.PeoplePage(0), "ppl:p:0")],
    cb.PersonOpen: [(cb.PersonOpen(40), "ppl:o:40")],
    cb.RoleEnd: [(cb.RoleEnd(40), "ppl:rv:40")],
    cb.RoleEndYes: [(cb.RoleEndYes(40), "ppl:ry:40")],
    cb.DirectoryApply: [(cb.DirectoryApply(), "dir:ok")],
    cb.DirectoryCancel: [(cb.DirectoryCancel(), "dir:x")],
    cb.NewYearDryRun: [(cb.NewYearDryRun(2026), "ny:d:2026")],
    cb.NewYearRun: [(cb.NewYearRun(2026), "ny:r:2026")],
    cb.ResultsApply: [(cb.ResultsApply(), "res:ok")],
    cb.ResultsCancel: [(cb.ResultsCancel(), "res:x")],
    cb.ResultsLeftRisk: [(cb.ResultsLeftRisk(), "res:lr")],
    cb.ResultsOne: [(cb.ResultsOne(), "res:one")],
    cb.ResultsAssessment: [(cb.ResultsAssessment("oge"), "res:a:oge")],
    cb.ResultsYear: [(cb.ResultsYear(2025), "res:y:2025")],
    cb.TrainingApply: [(cb.TrainingApply(), "trn:ok")],
    cb.TrainingCancel: [(cb.TrainingCancel(), "trn:x")],
    cb.PracticesByFactor: [(cb.PracticesByFactor(0), "prc:f:0")],
    cb.PracticeNew: [(cb.PracticeNew(), "prc:new")],
    cb.PracticeFactor: [(cb.PracticeFactor(12), "prc:rf:12")],
    cb.PracticeCancel: [(cb.PracticeCancel(), "prc:x")],
    cb.PracticeFromVisit: [(cb.PracticeFromVisit(7), "prc:v:7")],
    cb.FollowUpDone: [(cb.FollowUpDone(3), "fu:d:3")],
    cb.FollowUpComment: [(cb.FollowUpComment(3), "fu:c:3")],
}

# Data no button of the family ever carries: each must be refused by its pattern and parse().
FORGED = [
    "",
    "vis:ed:",
    "vis:ed:-1",
    "vis:ed:1234567890",  # ten digits
    "vis:ed:7:8",
    "vis:ed:7x",
    "xvis:ed:7",
    "vis:fx:0:0:0:0",
    "vis:l:0:0:0",
    "vis:dt:2",
    "vis:f:space",
    "rm:pc:1000",
    "rm:pc:y",
    "rm:ef:7:title",
    "rm:yr:26",
    "rm:pv:1000",
    "ev:fb:5:6",
    "ev:fb:5:0",
    "ev:ef:5:2:10",
    "ev:cs:all",
    "ev:ca:1",
    "ntf:sz:12:2",
    "ntf:m:Digest",
    "rep:h:x2026:1",
    "rep:h:s2026:3",
    "rep:h:s2026:1:12345",
    "rep:g:s2026:1",
    "chg:fl:17:other",
    "chg:mv:17:12345",
    "res:a:gia",
    "prc:f:123",
    "co:a:17:25",
]


def test_every_family_has_examples() -> None:
    assert set(cb.FAMILIES) == set(EXAMPLES)


@pytest.mark.parametrize("family", cb.FAMILIES, ids=lambda family: family.__name__)
def test_round_trip_and_wire_format(family: type[cb.CallbackData]) -> None:
    for button, data in EXAMPLES[family]:
        assert type(button) is family
        assert button.pack() == data  # byte for byte what the bot has always sent
        assert len(data.encode()) <= cb.MAX_BYTES
        assert family.pattern.match(data)
        assert family.parse(data) == button
        assert family.parse(data).pack() == data
        others = [f for f in cb.FAMILIES if f is not family and f.pattern.match(data)]
        assert others == [], f"{data!r} is answered by two families"


@pytest.mark.parametrize("family", cb.FAMILIES, ids=lambda family: family.__name__)
def test_forged_shapes_are_refused(family: type[cb.CallbackData]) -> None:
    for data in FORGED:
        known = any(data == d for f in cb.FAMILIES for _, d in EXAMPLES[f])
        if family.pattern.match(data):
            continue  # rest-of-data families (vis:c, inv:r, inv:s) check it in the handler
        assert not known
        with pytest.raises(ValueError):
            family.parse(data)


def test_forged_shapes_match_no_strict_family() -> None:
    loose = {cb.VisitCalendar, cb.InviteRole, cb.InviteScope}
    for data in FORGED:
        matched = [f.__name__ for f in cb.FAMILIES if f not in loose and f.pattern.match(data)]
        assert matched == [], data


def test_patterns_are_anchored() -> None:
    for family in cb.FAMILIES:
        assert family.pattern.pattern.startswith("^" + family.prefix), family
        assert family.pattern.pattern.endswith("$"), family
        assert not family.pattern.match("x" + EXAMPLES[family][0][1])


def test_pack_refuses_values_that_do_not_fit() -> None:
    for bad in (
        lambda: cb.VisitEdit(-1),
        lambda: cb.VisitEdit(10**9),
        lambda: cb.VisitEdit(True),
        lambda: cb.VisitEdit("7"),  # type: ignore[arg-type]
        lambda: cb.Snooze(1, 2),  # type: ignore[arg-type]
        lambda: cb.Snooze(1, "3"),  # type: ignore[arg-type]
        lambda: cb.ImportYear(26),
        lambda: cb.ReportPercent("y"),  # type: ignore[arg-type]
        lambda: cb.ReportHalf("s2026"),
        lambda: cb.VisitParticipant("Директор"),
        lambda: cb.EventEditField(5, 2, 10),
    ):
        with pytest.raises(ValueError):
            bad().pack()


def test_pack_refuses_more_than_64_bytes() -> None:
    assert len(cb.InviteScope("school_staff", "s" + "9" * 9).pack()) <= cb.MAX_BYTES
    with pytest.raises(ValueError, match="64 bytes"):
        cb.InviteRole("я" * 30).pack()  # 30 Cyrillic letters are 60 bytes, 66 with the prefix
    with pytest.raises(ValueError, match="64 bytes"):
        cb.VisitCalendar("x" * 60).pack()


def test_the_longest_button_of_each_family_fits() -> None:
    """Every id at its widest: still within Telegram's 64 bytes."""
    for family in cb.FAMILIES:
        for button, _ in EXAMPLES[family]:
            widest = {}
            for field in dataclasses.fields(button):
                value = getattr(button, field.name)
                if type(value) is int and field.type in ("Id", "int"):
                    value = BIG
                widest[field.name] = value
            assert len(family(**widest).pack().encode()) <= cb.MAX_BYTES


def test_families_are_frozen() -> None:
    button = cb.VisitEdit(7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        button.visit_id = 8  # type: ignore[misc]


def _choices(family: type[cb.CallbackData], name: str) -> set[object]:
    hints = typing.get_type_hints(family)
    return set(typing.get_args(hints[name]))


def test_choices_follow_what_the_bot_offers() -> None:
    """The Literal choices are the codes the producers take from texts and services."""
    assert _choices(cb.VisitFormat, "code") == set(texts.VISIT_FORMAT_LABELS)
    assert _choices(cb.VisitFormat, "code") == {f.value for f in VisitFormat}
    assert _choices(cb.ReportStatus, "status") >= {s.value for s in REPORTED_STATUSES}
    assert _choices(cb.ResultsAssessment, "code") == {a.value for a in Assessment}
    assert _choices(cb.ChangesFlag, "flag") == set(directory_changes.FLAGS)
    assert _choices(cb.ItemEditField, "field") == set(roadmaps.EDITABLE_FIELDS)
    assert _choices(cb.ItemEditField, "field") == set(texts.ITEM_EDIT_FIELDS)
    assert _choices(cb.ResultsAssessment, "code") == set(texts.ASSESSMENT_LABELS)
    assert _choices(cb.ChangesFlag, "flag") == set(texts.CHANGES_FLAG_BUTTONS)
    for code in PARTICIPANT_CODES:
        assert cb.VisitParticipant.parse(cb.VisitParticipant(code).pack()).code == code
    for kind in notification_settings.KINDS:
        assert cb.MuteToggle.parse(cb.MuteToggle(kind).pack()).kind == kind
    for code in texts.EVENT_FORMAT_LABELS:
        cb.EventFormat(code).pack()
    for code in texts.EVENT_AUDIENCE_LABELS:
        cb.EventAudience(code).pack()


def test_no_telegram_import() -> None:
    """Services build buttons with it too: it imports nothing of the bot or of Telegram."""
    source = Path(cb.__file__).read_text(encoding="utf-8")
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert all("telegram" not in line and "bot" not in line for line in imports), imports
