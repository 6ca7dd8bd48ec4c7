"""A coordinator's changes by taps: a school's flags, curators and place; /people and roles.

No conversation: every step is a button whose data names what it acts on, so a restart
loses nothing. Destructive steps ask first («Да, снять» / «Отмена»).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from bot import callbacks as cb
from bot import texts
from bot.handlers.conversation_kit import on, pressed
from bot.handlers.guard import guarded
from bot.handlers.menu import publish_menu
from bot.handlers.replies import Buttons, answer, later
from bot.runtime import BotContext
from bot.services.directory import directory_changes as changes

log = logging.getLogger(__name__)
PAGE = texts.CHANGES_PEOPLE_PAGE


def _pairs(buttons: list[tuple[str, str]]) -> Buttons:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def _pages(count: int) -> int:
    return max(1, -(-count // PAGE))


def _turns(to_page: Callable[[int], cb.CallbackData], page: int, pages: int) -> Buttons:
    turns = []
    if page > 0:
        turns.append((texts.BUTTON_PREVIOUS, to_page(page - 1).pack()))
    if page < pages - 1:
        turns.append((texts.BUTTON_NEXT, to_page(page + 1).pack()))
    return [turns] if turns else []


# -- a school --------------------------------------------------------------------------------


async def _school_menu(
    update: Update, context: BotContext, school_id: int, note: str = "", *, edit: bool = True
) -> None:
    found = await changes.school_changes(context.session, context.actor, school_id)
    school = found.school
    values = {key: bool(getattr(school, attribute)) for key, attribute in changes.FLAGS.items()}
    rows: Buttons = [
        [
            (
                texts.changes_flag_button(key, value),
                cb.ChangesFlag(school.id, cast(cb.SchoolFlag, key)).pack(),
            )
            for key, value in values.items()
        ]
    ]
    rows += [
        [(texts.changes_end_curator_button(c.name), cb.ChangesEndCurator(school.id, c.id).pack())]
        for c in found.curators
    ]
    move = texts.BUTTON_CHANGES_MOVE if found.curators else texts.BUTTON_CHANGES_ASSIGN
    rows.append([(move, cb.ChangesMove(school.id, 0).pack())])
    people = {p.id: p.name for p in [*found.curators, *found.staff]}
    rows += _pairs(
        [(texts.changes_person_button(n), cb.PersonOpen(p).pack()) for p, n in people.items()]
    )
    if school.status.value == "active" and school.in_project:
        rows.append([(texts.BUTTON_CHANGES_EXIT, cb.ChangesExit(school.id).pack())])
    else:
        exited = school.status.value == "exited"
        label = texts.BUTTON_CHANGES_RETURN if exited else texts.BUTTON_CHANGES_INCLUDE
        rows.append([(label, cb.ChangesBack(school.id).pack())])
    text = texts.changes_school_menu(found)
    await answer(update, f"{note}\n\n{text}" if note else text, rows, edit=edit)


def _ask(
    text: str, yes: str, yes_data: cb.CallbackData, back_data: cb.CallbackData
) -> tuple[str, Buttons]:
    return text, [[(yes, yes_data.pack()), (texts.BUTTON_CHANGES_CANCEL, back_data.pack())]]


@guarded("school_changes")
async def open_menu(update: Update, context: BotContext) -> None:
    """«⚙️ Изменить» under a school card: a new message, so the card stays readable."""
    await _school_menu(update, context, pressed(update, cb.ChangesSchool).school_id, edit=False)


@guarded("school_changes")
async def toggle_flag(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.ChangesFlag)
    school_id, flag = data.school_id, data.flag
    school = await changes.toggle_flag(context.session, context.actor, school_id, flag)
    value = bool(getattr(school, changes.FLAGS[flag]))
    await _school_menu(update, context, school_id, texts.changes_flag_changed(flag, value))


@guarded("school_changes")
async def ask_exit(update: Update, context: BotContext) -> None:
    school_id = pressed(update, cb.ChangesExit).school_id
    school = await changes.coordinated_school(context.session, context.actor, school_id)
    text, rows = _ask(
        texts.changes_confirm_exit(school.short_name),
        texts.BUTTON_CHANGES_CONFIRM_END,
        cb.ChangesExitYes(school.id),
        cb.ChangesSchool(school.id),
    )
    await answer(update, text, rows, edit=True)


@guarded("school_changes")
async def confirm_exit(update: Update, context: BotContext) -> None:
    school_id = pressed(update, cb.ChangesExitYes).school_id
    await changes.mark_exited(context.session, context.actor, school_id, context.now())
    await _school_menu(update, context, school_id, texts.CHANGES_SCHOOL_EXITED)


@guarded("school_changes")
async def bring_back(update: Update, context: BotContext) -> None:
    school_id = pressed(update, cb.ChangesBack).school_id
    await changes.bring_back(context.session, context.actor, school_id, context.now())
    await _school_menu(update, context, school_id, texts.CHANGES_SCHOOL_RETURNED)


@guarded("school_changes")
async def ask_end_curator(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.ChangesEndCurator)
    school_id, curator_id = data.school_id, data.curator_id
    found = await changes.school_changes(context.session, context.actor, school_id)
    curator = next((c for c in found.curators if c.id == curator_id), None)
    if curator is None:
        await answer(update, texts.error("curator_not_assigned"), alert=True)
        return
    text, rows = _ask(
        texts.changes_confirm_end_curator(curator.name, found.school.short_name),
        texts.BUTTON_CHANGES_CONFIRM_END,
        cb.ChangesEndCuratorYes(school_id, curator_id),
        cb.ChangesSchool(school_id),
    )
    await answer(update, text, rows, edit=True)


@guarded("school_changes")
async def confirm_end_curator(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.ChangesEndCuratorYes)
    school_id, curator_id = data.school_id, data.curator_id
    school, curator = await changes.end_assignment(
        context.session, context.actor, school_id, curator_id, context.now()
    )
    note = texts.changes_curator_ended(curator.full_name, school.short_name)
    await _school_menu(update, context, school_id, note)


@guarded("school_changes")
async def choose_curator(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.ChangesMove)
    school_id, page = data.school_id, data.page
    school = await changes.coordinated_school(context.session, context.actor, school_id)
    candidates = await changes.move_candidates(context.session, context.actor, school_id)
    back = [[(texts.BUTTON_CHANGES_BACK, cb.ChangesSchool(school_id).pack())]]
    if not candidates:
        await answer(update, texts.CHANGES_NO_CANDIDATES, back, edit=True)
        return
    pages = _pages(len(candidates))
    page = min(page, pages - 1)
    shown = candidates[page * PAGE : (page + 1) * PAGE]
    rows = [[(c.name[:60], cb.ChangesMoveTo(school_id, c.id).pack())] for c in shown]
    rows += _turns(lambda n: cb.ChangesMove(school_id, n), page, pages) + back
    await answer(
        update, texts.changes_choose_curator(school.short_name, page, pages), rows, edit=True
    )


@guarded("school_changes")
async def ask_move(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.ChangesMoveTo)
    school_id, curator_id = data.school_id, data.curator_id
    school, chosen, leaving = await changes.candidate(
        context.session, context.actor, school_id, curator_id
    )
    text, rows = _ask(
        texts.changes_confirm_move(school.short_name, chosen.name, [c.name for c in leaving]),
        texts.BUTTON_CHANGES_CONFIRM_MOVE,
        cb.ChangesMoveYes(school_id, curator_id),
        cb.ChangesSchool(school_id),
    )
    await answer(update, text, rows, edit=True)


@guarded("school_changes")
async def confirm_move(update: Update, context: BotContext) -> None:
    data = pressed(update, cb.ChangesMoveYes)
    school_id, curator_id = data.school_id, data.curator_id
    school, chosen = await changes.move_school(
        context.session, context.actor, school_id, curator_id, context.now()
    )
    await _school_menu(
        update, context, school_id, texts.changes_moved(school.short_name, chosen.name)
    )


# -- people and roles ------------------------------------------------------------------------


async def _people_page(update: Update, context: BotContext, page: int) -> None:
    people = await changes.people_in_scope(context.session, context.actor)
    if not people:
        await answer(update, texts.CHANGES_PEOPLE_EMPTY)
        return
    pages = _pages(len(people))
    page = min(page, pages - 1)
    shown = people[page * PAGE : (page + 1) * PAGE]
    rows = [[(p.name[:60], cb.PersonOpen(p.id).pack())] for p in shown]
    rows += _turns(cb.PeoplePage, page, pages)
    edit = update.callback_query is not None
    await answer(update, texts.changes_people_text(len(people), page, pages), rows, edit=edit)


@guarded("people")
async def people_command(update: Update, context: BotContext) -> None:
    """/people: everyone with a live role in the coordinator's scope, a page at a time."""
    await _people_page(update, context, 0)


@guarded("people")
async def people_page(update: Update, context: BotContext) -> None:
    await _people_page(update, context, pressed(update, cb.PeoplePage).page)


async def _person(update: Update, context: BotContext, person_id: int, note: str = "") -> None:
    card = await changes.person_card(context.session, context.actor, person_id)
    rows: Buttons = [
        [(texts.changes_role_button(r.role, r.place), cb.RoleEnd(r.id).pack())]
        for r in card.roles
        if r.revocable
    ]
    rows.append([(texts.BUTTON_PEOPLE_BACK, cb.PeoplePage(0).pack())])
    text = texts.changes_person_text(card)
    await answer(update, f"{note}\n\n{text}" if note else text, rows, edit=True)


@guarded("people")
async def open_person(update: Update, context: BotContext) -> None:
    await _person(update, context, pressed(update, cb.PersonOpen).person_id)


@guarded("people")
async def ask_revoke(update: Update, context: BotContext) -> None:
    role, person, place = await changes.role_to_revoke(
        context.session, context.actor, pressed(update, cb.RoleEnd).role_id
    )
    text, rows = _ask(
        texts.changes_confirm_revoke(person.full_name, role.role, place),
        texts.BUTTON_CHANGES_CONFIRM_END,
        cb.RoleEndYes(role.id),
        cb.PersonOpen(person.id),
    )
    await answer(update, text, rows, edit=True)


@guarded("people")
async def confirm_revoke(update: Update, context: BotContext) -> None:
    role, person = await changes.revoke_role(
        context.session, context.actor, pressed(update, cb.RoleEndYes).role_id, context.now()
    )
    await _refresh_menu(context, person.id)
    await _person(
        update, context, person.id, texts.changes_role_revoked(person.full_name, role.role)
    )


async def _refresh_menu(context: BotContext, person_id: int) -> None:
    """The person's command menu follows their roles at once, not at their next /start."""
    target = await changes.menu_target(context.session, person_id)
    if target is None:
        return
    published = context.runtime.published_menus
    chat_id = target.chat_id

    async def push() -> None:  # after the commit, like a reply
        try:
            if target.roles:
                await publish_menu(context.bot, chat_id, target.roles, published)
            else:
                await context.bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
                published.pop(chat_id, None)
        except TelegramError as error:  # the change is saved; the menu catches up at /start
            log.info("menu not refreshed for person %s: %s", person_id, error)

    await later(push)


def register(application: Application) -> None:
    handlers: dict[type[cb.CallbackData], Callable] = {
        cb.ChangesSchool: open_menu,
        cb.ChangesFlag: toggle_flag,
        cb.ChangesExit: ask_exit,
        cb.ChangesExitYes: confirm_exit,
        cb.ChangesBack: bring_back,
        cb.ChangesEndCurator: ask_end_curator,
        cb.ChangesEndCuratorYes: confirm_end_curator,
        cb.ChangesMove: choose_curator,
        cb.ChangesMoveTo: ask_move,
        cb.ChangesMoveYes: confirm_move,
        cb.PeoplePage: people_page,
        cb.PersonOpen: open_person,
        cb.RoleEnd: ask_revoke,
        cb.RoleEndYes: confirm_revoke,
    }
    application.add_handler(CommandHandler("people", people_command))
    for family, handler in handlers.items():
        application.add_handler(on(family, handler))
