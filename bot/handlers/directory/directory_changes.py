"""A coordinator's changes by taps: a school's flags, curators and place; /people and roles.

No conversation: every step is a button whose data names what it acts on, so a restart
loses nothing. Destructive steps ask first («Да, снять» / «Отмена»).
"""

from __future__ import annotations

import logging

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import texts
from bot.handlers.guard import guarded
from bot.handlers.menu import publish_menu
from bot.handlers.replies import Buttons, answer, later
from bot.runtime import BotContext
from bot.services.directory import directory_changes as changes

log = logging.getLogger(__name__)
PAGE = texts.CHANGES_PEOPLE_PAGE


def _numbers(update: Update) -> list[int]:
    """The numbers in the pressed button's data, e.g. «chg:cy:12:40» → [12, 40]."""
    assert update.callback_query is not None
    return [int(part) for part in (update.callback_query.data or "").split(":") if part.isdigit()]


def _pairs(buttons: list[tuple[str, str]]) -> Buttons:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def _pages(count: int) -> int:
    return max(1, -(-count // PAGE))


def _turns(prefix: str, page: int, pages: int) -> Buttons:
    turns = []
    if page > 0:
        turns.append((texts.BUTTON_PREVIOUS, f"{prefix}:{page - 1}"))
    if page < pages - 1:
        turns.append((texts.BUTTON_NEXT, f"{prefix}:{page + 1}"))
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
            (texts.changes_flag_button(key, value), f"chg:fl:{school.id}:{key}")
            for key, value in values.items()
        ]
    ]
    rows += [
        [(texts.changes_end_curator_button(c.name), f"chg:ce:{school.id}:{c.id}")]
        for c in found.curators
    ]
    move = texts.BUTTON_CHANGES_MOVE if found.curators else texts.BUTTON_CHANGES_ASSIGN
    rows.append([(move, f"chg:mv:{school.id}:0")])
    people = {p.id: p.name for p in [*found.curators, *found.staff]}
    rows += _pairs([(texts.changes_person_button(n), f"ppl:o:{p}") for p, n in people.items()])
    if school.status.value == "active" and school.in_project:
        rows.append([(texts.BUTTON_CHANGES_EXIT, f"chg:ex:{school.id}")])
    else:
        exited = school.status.value == "exited"
        label = texts.BUTTON_CHANGES_RETURN if exited else texts.BUTTON_CHANGES_INCLUDE
        rows.append([(label, f"chg:bk:{school.id}")])
    text = texts.changes_school_menu(found)
    await answer(update, f"{note}\n\n{text}" if note else text, rows, edit=edit)


def _ask(text: str, yes: str, yes_data: str, back_data: str) -> tuple[str, Buttons]:
    return text, [[(yes, yes_data), (texts.BUTTON_CHANGES_CANCEL, back_data)]]


@guarded("school_changes")
async def open_menu(update: Update, context: BotContext) -> None:
    """«⚙️ Изменить» under a school card: a new message, so the card stays readable."""
    await _school_menu(update, context, _numbers(update)[0], edit=False)


@guarded("school_changes")
async def toggle_flag(update: Update, context: BotContext) -> None:
    assert update.callback_query is not None
    school_id = _numbers(update)[0]
    flag = (update.callback_query.data or "").rsplit(":", 1)[1]
    school = await changes.toggle_flag(context.session, context.actor, school_id, flag)
    value = bool(getattr(school, changes.FLAGS[flag]))
    await _school_menu(update, context, school_id, texts.changes_flag_changed(flag, value))


@guarded("school_changes")
async def ask_exit(update: Update, context: BotContext) -> None:
    school = await changes.coordinated_school(context.session, context.actor, _numbers(update)[0])
    text, rows = _ask(
        texts.changes_confirm_exit(school.short_name),
        texts.BUTTON_CHANGES_CONFIRM_END,
        f"chg:exy:{school.id}",
        f"chg:s:{school.id}",
    )
    await answer(update, text, rows, edit=True)


@guarded("school_changes")
async def confirm_exit(update: Update, context: BotContext) -> None:
    school_id = _numbers(update)[0]
    await changes.mark_exited(context.session, context.actor, school_id, context.now())
    await _school_menu(update, context, school_id, texts.CHANGES_SCHOOL_EXITED)


@guarded("school_changes")
async def bring_back(update: Update, context: BotContext) -> None:
    school_id = _numbers(update)[0]
    await changes.bring_back(context.session, context.actor, school_id, context.now())
    await _school_menu(update, context, school_id, texts.CHANGES_SCHOOL_RETURNED)


@guarded("school_changes")
async def ask_end_curator(update: Update, context: BotContext) -> None:
    school_id, curator_id = _numbers(update)
    found = await changes.school_changes(context.session, context.actor, school_id)
    curator = next((c for c in found.curators if c.id == curator_id), None)
    if curator is None:
        await answer(update, texts.error("curator_not_assigned"), alert=True)
        return
    text, rows = _ask(
        texts.changes_confirm_end_curator(curator.name, found.school.short_name),
        texts.BUTTON_CHANGES_CONFIRM_END,
        f"chg:cy:{school_id}:{curator_id}",
        f"chg:s:{school_id}",
    )
    await answer(update, text, rows, edit=True)


@guarded("school_changes")
async def confirm_end_curator(update: Update, context: BotContext) -> None:
    school_id, curator_id = _numbers(update)
    school, curator = await changes.end_assignment(
        context.session, context.actor, school_id, curator_id, context.now()
    )
    note = texts.changes_curator_ended(curator.full_name, school.short_name)
    await _school_menu(update, context, school_id, note)


@guarded("school_changes")
async def choose_curator(update: Update, context: BotContext) -> None:
    school_id, page = _numbers(update)
    school = await changes.coordinated_school(context.session, context.actor, school_id)
    candidates = await changes.move_candidates(context.session, context.actor, school_id)
    back = [[(texts.BUTTON_CHANGES_BACK, f"chg:s:{school_id}")]]
    if not candidates:
        await answer(update, texts.CHANGES_NO_CANDIDATES, back, edit=True)
        return
    pages = _pages(len(candidates))
    page = min(page, pages - 1)
    shown = candidates[page * PAGE : (page + 1) * PAGE]
    rows = [[(c.name[:60], f"chg:mt:{school_id}:{c.id}")] for c in shown]
    rows += _turns(f"chg:mv:{school_id}", page, pages) + back
    await answer(
        update, texts.changes_choose_curator(school.short_name, page, pages), rows, edit=True
    )


@guarded("school_changes")
async def ask_move(update: Update, context: BotContext) -> None:
    school_id, curator_id = _numbers(update)
    school, chosen, leaving = await changes.candidate(
        context.session, context.actor, school_id, curator_id
    )
    text, rows = _ask(
        texts.changes_confirm_move(school.short_name, chosen.name, [c.name for c in leaving]),
        texts.BUTTON_CHANGES_CONFIRM_MOVE,
        f"chg:my:{school_id}:{curator_id}",
        f"chg:s:{school_id}",
    )
    await answer(update, text, rows, edit=True)


@guarded("school_changes")
async def confirm_move(update: Update, context: BotContext) -> None:
    school_id, curator_id = _numbers(update)
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
    rows = [[(p.name[:60], f"ppl:o:{p.id}")] for p in shown] + _turns("ppl:p", page, pages)
    edit = update.callback_query is not None
    await answer(update, texts.changes_people_text(len(people), page, pages), rows, edit=edit)


@guarded("people")
async def people_command(update: Update, context: BotContext) -> None:
    """/people: everyone with a live role in the coordinator's scope, a page at a time."""
    await _people_page(update, context, 0)


@guarded("people")
async def people_page(update: Update, context: BotContext) -> None:
    await _people_page(update, context, _numbers(update)[0])


async def _person(update: Update, context: BotContext, person_id: int, note: str = "") -> None:
    card = await changes.person_card(context.session, context.actor, person_id)
    rows: Buttons = [
        [(texts.changes_role_button(r.role, r.place), f"ppl:rv:{r.id}")]
        for r in card.roles
        if r.revocable
    ]
    rows.append([(texts.BUTTON_PEOPLE_BACK, "ppl:p:0")])
    text = texts.changes_person_text(card)
    await answer(update, f"{note}\n\n{text}" if note else text, rows, edit=True)


@guarded("people")
async def open_person(update: Update, context: BotContext) -> None:
    await _person(update, context, _numbers(update)[0])


@guarded("people")
async def ask_revoke(update: Update, context: BotContext) -> None:
    role, person, place = await changes.role_to_revoke(
        context.session, context.actor, _numbers(update)[0]
    )
    text, rows = _ask(
        texts.changes_confirm_revoke(person.full_name, role.role, place),
        texts.BUTTON_CHANGES_CONFIRM_END,
        f"ppl:ry:{role.id}",
        f"ppl:o:{person.id}",
    )
    await answer(update, text, rows, edit=True)


@guarded("people")
async def confirm_revoke(update: Update, context: BotContext) -> None:
    role, person = await changes.revoke_role(
        context.session, context.actor, _numbers(update)[0], context.now()
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
    handlers = {
        r"^chg:s:\d{1,9}$": open_menu,
        r"^chg:fl:\d{1,9}:(shnor|shnsu|nonobj)$": toggle_flag,
        r"^chg:ex:\d{1,9}$": ask_exit,
        r"^chg:exy:\d{1,9}$": confirm_exit,
        r"^chg:bk:\d{1,9}$": bring_back,
        r"^chg:ce:\d{1,9}:\d{1,9}$": ask_end_curator,
        r"^chg:cy:\d{1,9}:\d{1,9}$": confirm_end_curator,
        r"^chg:mv:\d{1,9}:\d{1,4}$": choose_curator,
        r"^chg:mt:\d{1,9}:\d{1,9}$": ask_move,
        r"^chg:my:\d{1,9}:\d{1,9}$": confirm_move,
        r"^ppl:p:\d{1,4}$": people_page,
        r"^ppl:o:\d{1,9}$": open_person,
        r"^ppl:rv:\d{1,9}$": ask_revoke,
        r"^ppl:ry:\d{1,9}$": confirm_revoke,
    }
    application.add_handler(CommandHandler("people", people_command))
    for pattern, handler in handlers.items():
        application.add_handler(CallbackQueryHandler(handler, pattern=pattern))
