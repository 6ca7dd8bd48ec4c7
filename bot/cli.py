"""The command line (`python -m bot --help` lists every command); names are stable."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.config import ConfigurationError, Settings, load_settings
from bot.db import make_engine, make_session_factory, unit_of_work
from bot.log_redaction import install_redaction
from bot.models import Role

if TYPE_CHECKING:  # the commands import what they need when they run
    from datetime import timedelta

    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.leadership import Leadership
    from bot.miniapp.server import MiniApp
    from bot.models import Person
    from bot.webhook import BotServer

EXIT_CONFIG = 2

NO_TOKEN = """Не задан TELEGRAM_BOT_TOKEN — боту нечем подключиться к Telegram.

Как получить токен:
  1. Откройте в Telegram @BotFather и отправьте /newbot.
  2. Придумайте имя и username бота — BotFather пришлёт токен вида 123456789:AA...
  3. Запишите его в файл .env рядом с README.md:  TELEGRAM_BOT_TOKEN=123456789:AA...
     и запустите команду снова.

Попробовать бота без токена: python -m bot sandbox
(бот работает с локальным имитатором Telegram, вы пишете ему прямо в терминале)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Бот проекта «500+»")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="запустить бота (long polling или webhook)")
    run_parser.add_argument(
        "--webhook", action="store_true", help="принимать обновления через webhook (WEBHOOK_URL)"
    )
    commands.add_parser("migrate", help="привести схему базы данных к последней версии")
    seed = commands.add_parser("seed-demo", help="загрузить демо-данные Каменска-Уральского 2022")
    seed.add_argument(
        "--minimal",
        action="store_true",
        help="только люди, школы и мероприятия: без дорожных карт, отчётов, посещений и рисков",
    )
    invite = commands.add_parser("invite", help="выписать ссылку-приглашение")
    invite.add_argument("--role", required=True, choices=[role.value for role in Role])
    invite.add_argument("--scope", default="", help="регион, муниципалитет или школа")
    invite.add_argument("--municipality", default=None, help="уточнить муниципалитет школы")
    directory = commands.add_parser(
        "import-directory",
        help="загрузить справочник региона из XLSX (муниципалитеты, школы, люди)",
    )
    directory.add_argument("file", help="файл XLSX справочника")
    directory.add_argument(
        "--dry-run", action="store_true", help="только показать, что изменится, ничего не менять"
    )
    export = commands.add_parser(
        "export-directory", help="выгрузить справочник (или пустой шаблон) в XLSX"
    )
    export.add_argument("file", help="куда записать файл XLSX")
    export.add_argument("--template", action="store_true", help="шаблон: заголовки и пример")
    backup = commands.add_parser("backup", help="сохранить согласованную копию базы данных")
    backup.add_argument("--to", default=None, help="файл копии (по умолчанию data/backup-ДАТА)")
    new_year = commands.add_parser(
        "new-school-year", help="перейти в новый учебный год: назначения, незакрытые мероприятия"
    )
    new_year.add_argument("year", help="учебный год, например 2027/28")
    new_year.add_argument("--dry-run", action="store_true", help="показать, ничего не меняя")

    restore = commands.add_parser("restore", help="вернуть копию базы данных (бот остановлен)")
    restore.add_argument("--from", dest="source", required=True, help="файл копии")
    forget = commands.add_parser(
        "forget-person", help="удалить персональные данные человека по его запросу"
    )
    forget.add_argument("full_name", nargs="?", default=None, help="ФИО, как в боте")
    forget.add_argument("--id", dest="person_id", type=int, default=None, help="номер человека")
    sandbox = commands.add_parser("sandbox", help="поговорить с ботом в терминале без Telegram")
    sandbox.add_argument("--as", dest="as_person", default=None, help="ФИО демо-пользователя")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from bot.file_modes import restrict_process, secure_sqlite_files

    # First: the database, its WAL, the leader file and backups hold personal data.
    restrict_process()
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    install_redaction(_secrets(settings))
    # httpx logs every request URL at INFO: noise, and Telegram URLs carry the token (redacted
    # above, but a line per request is not worth keeping). At DEBUG everything is shown.
    if settings.log_level.upper() != "DEBUG":
        logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    secure_sqlite_files(settings.database_url)
    if args.command == "migrate":
        return migrate(settings)
    if args.command == "run":
        if args.webhook:
            settings = settings.model_copy(update={"webhook_enabled": True})
        return run(settings)
    if args.command == "seed-demo":
        return asyncio.run(seed_demo(settings, with_activity=not args.minimal))
    if args.command == "invite":
        return asyncio.run(invite(settings, Role(args.role), args.scope, args.municipality))
    if args.command == "import-directory":
        return asyncio.run(import_directory(settings, args.file, dry_run=args.dry_run))
    if args.command == "export-directory":
        return asyncio.run(export_directory(settings, args.file, template=args.template))
    if args.command == "backup":
        return make_backup(settings, args.to)
    if args.command == "new-school-year":
        return asyncio.run(new_school_year(settings, args.year, args.dry_run))

    if args.command == "restore":
        return restore_backup(settings, args.source)
    if args.command == "forget-person":
        return asyncio.run(forget_person(settings, args.full_name, args.person_id))
    if args.command == "sandbox":
        from bot.sandbox import run_sandbox

        return asyncio.run(run_sandbox(settings, args.as_person))
    return 1


def _secrets(settings: Settings) -> list[str]:
    from sqlalchemy.engine import make_url

    found = [settings.telegram_bot_token, settings.webhook_secret]
    values = [secret.get_secret_value() for secret in found if secret is not None]
    password = make_url(settings.database_url).password
    return [*values, str(password)] if password else values


def migrate(settings: Settings) -> int:
    from bot.schema import upgrade_to_head

    upgrade_to_head(settings.database_url)
    print("Схема базы данных обновлена.")
    return 0


def make_backup(settings: Settings, to: str | None) -> int:
    import subprocess
    from pathlib import Path

    from bot.backup import backup, default_target
    from bot.config import PROJECT_ROOT

    target = Path(to) if to else default_target(PROJECT_ROOT / "data")
    try:
        written = backup(settings.database_url, target)
    except (RuntimeError, subprocess.CalledProcessError) as advice:
        print(advice, file=sys.stderr)
        return 1
    print(f"Копия базы данных: {written}")
    return 0


def restore_backup(settings: Settings, source: str) -> int:
    import subprocess
    from pathlib import Path

    from bot.backup import restore

    try:
        restore(settings.database_url, Path(source))
    except (RuntimeError, subprocess.CalledProcessError) as problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"База данных восстановлена из {source}")
    return 0


def ensure_schema(settings: Settings) -> bool:
    """SQLite (the embedded default) migrates itself; PostgreSQL must be migrated on purpose."""
    from bot.schema import is_current, upgrade_to_head

    if is_current(settings.database_url):
        return True
    if settings.database_url.startswith("sqlite"):
        upgrade_to_head(settings.database_url)
        return True
    print(
        "Схема базы данных устарела. Выполните: python -m bot migrate — и запустите снова.",
        file=sys.stderr,
    )
    return False


def run(settings: Settings) -> int:
    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_CONFIG
    if settings.webhook_enabled and settings.webhook_problems():
        print("Режим webhook не запущен:", file=sys.stderr)
        for problem in settings.webhook_problems():
            print(f"  {problem}", file=sys.stderr)
        return EXIT_CONFIG
    if not ensure_schema(settings):
        return EXIT_CONFIG
    return asyncio.run(serve(settings))


async def serve(settings: Settings) -> int:
    """Wait to be the leader, then take updates and run the scheduler until stopped or demoted."""
    import signal

    from bot.leadership import leadership_for

    leadership = leadership_for(settings.database_url)
    engine = make_engine(settings.database_url)
    server = _http_server(settings, engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    stopping = asyncio.create_task(stop.wait())
    try:
        if server is not None:
            await server.start()
        acquiring = asyncio.create_task(leadership.acquire())
        await asyncio.wait({acquiring, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not acquiring.done():
            acquiring.cancel()
            return 0
        await _lead(settings, engine, server, leadership, stopping)
    finally:
        await leadership.release()
        if server is not None:
            await server.stop()
        await engine.dispose()
    return 0


def _http_server(settings: Settings, engine: AsyncEngine) -> BotServer | None:
    serves_miniapp = bool(
        settings.miniapp_url and settings.telegram_bot_token is not None and settings.miniapp_port
    )
    if not (settings.webhook_enabled or serves_miniapp or settings.health_port):
        return None  # polling with no HTTP port: aiohttp (~25 MB) is not even imported
    from bot.webhook import BotServer, Health

    health = Health(engine, mode="webhook" if settings.webhook_enabled else "polling")
    miniapp = _miniapp(settings, engine)
    if settings.webhook_enabled:
        assert settings.webhook_secret is not None
        return BotServer(
            health,
            settings.webhook_listen,
            settings.webhook_port,
            webhook_path=settings.webhook_path,
            secret=settings.webhook_secret.get_secret_value(),
            miniapp=miniapp,
        )
    if miniapp is not None and settings.miniapp_port:
        return BotServer(health, settings.webhook_listen, settings.miniapp_port, miniapp=miniapp)
    if settings.health_port:
        return BotServer(health, settings.webhook_listen, settings.health_port)
    return None


def _miniapp(settings: Settings, engine: AsyncEngine) -> MiniApp | None:
    """The coordinators' Mini App when MINIAPP_URL is set (it needs the token to check
    Telegram's signature)."""
    if not settings.miniapp_url or settings.telegram_bot_token is None:
        return None
    from bot.miniapp.server import MiniApp
    from bot.models import utcnow

    return MiniApp(
        make_session_factory(engine),
        settings.telegram_bot_token.get_secret_value(),
        settings.default_timezone,
        now=utcnow,
    )


async def _lead(
    settings: Settings,
    engine: AsyncEngine,
    server: BotServer | None,
    leadership: Leadership,
    stopping: asyncio.Task[Any],
) -> None:
    from telegram import Update
    from telegram.ext import TypeHandler

    from bot.app import build_application, freeze_start_up_objects
    from bot.reports.chart import charts
    from bot.scheduler import stop_scheduler

    application = build_application(settings, make_session_factory(engine))
    if server is not None:
        server.health.role = "leader"

        async def _seen(update: object, context: object) -> None:
            server.health.saw_update()

        # Its own group, first: it only notes the time and never stops other handlers.
        application.add_handler(TypeHandler(Update, _seen), group=-1_000_000)
    allowed = ["message", "callback_query"]
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        if settings.webhook_enabled:
            assert settings.webhook_secret is not None and settings.webhook_url
            await application.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=allowed,
            )
            assert server is not None  # the webhook's own (_http_server)
            server.application = application
            logging.getLogger(__name__).info("leader: webhook set, taking updates")
        else:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=allowed)
        freeze_start_up_objects()
        demoted = asyncio.create_task(leadership.lost())
        await asyncio.wait({demoted, stopping}, return_when=asyncio.FIRST_COMPLETED)
        demoted.cancel()
        if server is not None:
            server.application = None
            server.health.role = "standby"
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        await application.stop()
        await stop_scheduler(application)
        await asyncio.to_thread(charts.close)  # the drawing process, if one is running


async def seed_demo(settings: Settings, *, with_activity: bool = True) -> int:
    from bot import texts
    from bot.schema import upgrade_to_head
    from bot.seed.activity import load_demo_activity
    from bot.seed.loader import load_demo
    from bot.services.access.invites import invite_link

    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    engine = make_engine(settings.database_url)
    activity = None
    try:
        async with unit_of_work(make_session_factory(engine)) as session:
            demo_invites = await load_demo(session, ttl=_ttl(settings))
            if with_activity:
                activity = await load_demo_activity(session)
        username = await _bot_username(settings)
    finally:
        await engine.dispose()
    print("Демо-данные загружены: Каменск-Уральский городской округ, 2022.")
    if activity is not None:
        print(
            texts.demo_activity_loaded(
                activity.roadmaps,
                activity.items,
                activity.reports,
                activity.visits,
                activity.risk_entries,
                activity.assignments,
            )
        )
    for item in demo_invites:
        link = invite_link(username, item.token) if item.token else "уже подключён(а)"
        print(f"{item.full_name} — {texts.ROLE_NAMES[item.role]} ({item.scope_name}): {link}")
    return 0


async def invite(settings: Settings, role: Role, scope_text: str, municipality: str | None) -> int:
    from bot.services.access.invites import invite_link, issue_invite
    from bot.services.access.scopes import resolve_scope
    from bot.services.errors import DomainError

    engine = make_engine(settings.database_url)
    try:
        async with unit_of_work(make_session_factory(engine)) as session:
            scope = await resolve_scope(session, role, scope_text, municipality)
            issued = await issue_invite(
                session, inviter=None, role=role, scope=scope, ttl=_ttl(settings)
            )
        username = await _bot_username(settings)
    except DomainError as error:
        from bot import texts

        print(texts.error(error.code, **error.params), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(invite_link(username, issued.token))
    return 0


async def import_directory(settings: Settings, file_name: str, *, dry_run: bool) -> int:
    """Preview, then apply unless --dry-run or a row was refused; links for the new people."""
    from pathlib import Path

    from bot import texts
    from bot.models import utcnow
    from bot.schema import upgrade_to_head
    from bot.services import directory
    from bot.services.access.invites import invite_link
    from bot.services.roadmaps.roadmap_import import ImportRefused

    path = Path(file_name)
    try:
        content = await asyncio.to_thread(path.read_bytes)
        book = await asyncio.to_thread(directory.read_directory, content, path.name)
    except OSError as error:
        print(f"Не удалось прочитать файл {file_name}: {error.strerror}", file=sys.stderr)
        return 1
    except ImportRefused as refused:
        print(texts.error(refused.code, **refused.params), file=sys.stderr)
        return 1
    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        async with make_session_factory(engine)() as session:
            report = await directory.import_directory(
                session, None, book, now=utcnow(), invite_ttl=_ttl(settings)
            )
            if dry_run or not report.accepted:
                await session.rollback()
            else:
                await session.commit()
        username = await _bot_username(settings) if report.accepted and not dry_run else ""
    finally:
        await engine.dispose()
    print(texts.directory_report(report, html=False, max_refusals=None))
    if not report.accepted:
        return 1
    if dry_run:
        print("Пробный запуск (--dry-run): ничего не изменено.")
        return 0
    print("Справочник применён." if report.changes else texts.DIRECTORY_NOTHING_CHANGES)
    for item in report.invites:
        role = texts.ROLE_NAMES[item.role]
        print(f"{item.full_name} — {role} ({item.scope_name}): {invite_link(username, item.token)}")
    return 0


async def export_directory(settings: Settings, file_name: str, *, template: bool) -> int:
    """The whole directory as the workbook import-directory reads, or the empty template."""
    from pathlib import Path

    from bot.services.directory.export import build_directory, build_template

    if template:
        content = build_template()
    else:
        if not await asyncio.to_thread(ensure_schema, settings):
            return EXIT_CONFIG
        engine = make_engine(settings.database_url)
        try:
            async with make_session_factory(engine)() as session:
                content = await build_directory(session, None)
        finally:
            await engine.dispose()
    try:
        await asyncio.to_thread(Path(file_name).write_bytes, content)
    except OSError as error:
        print(f"Не удалось записать файл {file_name}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"Записан файл {file_name}")
    return 0


async def new_school_year(settings: Settings, year_text: str, dry_run: bool) -> int:
    """Carry the directory into the school year `year_text` («2027/28»); see rollover.py."""
    from bot import texts
    from bot.models import utcnow
    from bot.services.errors import DomainError
    from bot.services.roadmaps.rollover import new_school_year as roll_over
    from bot.services.school_year import SchoolYear

    new = SchoolYear.parse(year_text)
    if new is None:
        print(f"Не понял учебный год «{year_text}». Пример: 2027/28", file=sys.stderr)
        return 1
    if not await asyncio.to_thread(ensure_schema, settings):
        return EXIT_CONFIG
    engine = make_engine(settings.database_url)
    try:
        async with unit_of_work(make_session_factory(engine)) as session:
            result = await roll_over(session, new, today=utcnow().date(), dry_run=dry_run)
            if dry_run:
                await session.rollback()
    except DomainError as error:
        print(texts.error(error.code, **error.params), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print("\n".join(texts.rollover_lines(result)))
    if not dry_run and not result.changed:
        print(texts.ROLLOVER_NOTHING)
    return 0


async def forget_person(settings: Settings, full_name: str | None, person_id: int | None) -> int:
    from bot.services.access import forget_person as forgetting
    from bot.services.errors import DomainError

    if (full_name is None) == (person_id is None):
        print("Укажите ФИО в кавычках или --id номер (одно из двух).", file=sys.stderr)
        return EXIT_CONFIG
    engine = make_engine(settings.database_url)
    try:
        async with unit_of_work(make_session_factory(engine)) as session:
            if person_id is None:
                assert full_name is not None
                found = await forgetting.find_people(session, full_name)
                if len(found) != 1:
                    _explain_matches(full_name, found)
                    return 1
                person_id = found[0].id
            done = await forgetting.forget_person(session, person_id)
    except DomainError:
        print(f"Человека с номером {person_id} нет.", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(
        f"Персональные данные удалены: теперь «{done.placeholder}».\n"
        f"  Telegram отвязан: {'да' if done.unbound else 'не был привязан'}; "
        f"ролей отозвано: {done.roles_revoked}; приглашений отозвано: {done.invites_revoked};\n"
        f"  неотправленных уведомлений удалено: {done.notifications_dropped}; "
        f"отзывов очищено: {done.feedback_blanked}; "
        f"текстов с именем исправлено: {done.texts_scrubbed}.\n"
        "  Посещения, отчёты и мероприятия сохранены (без имени). "
        "Старые резервные копии содержат данные до их ротации."
    )
    return 0


def _explain_matches(full_name: str, found: list[Person]) -> None:
    if not found:
        print(f"Человек «{full_name}» не найден.", file=sys.stderr)
        return
    print(f"Найдено несколько человек «{full_name}» — укажите --id:", file=sys.stderr)
    for person in found:
        print(f"  --id {person.id}: {person.full_name}, {person.position or ''}", file=sys.stderr)


def _ttl(settings: Settings) -> timedelta:
    from datetime import timedelta

    return timedelta(days=settings.invite_ttl_days)


async def _bot_username(settings: Settings) -> str:
    """BOT_USERNAME if set, else ask Telegram (getMe); a placeholder when neither works."""
    if settings.bot_username:
        return settings.bot_username.lstrip("@")
    if settings.telegram_bot_token is None:
        return "ИМЯ_БОТА"
    from telegram import Bot

    try:
        async with Bot(
            settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_api_base_url,
        ) as bot:
            return bot.username
    except Exception:  # offline or a wrong token: the link is still usable once fixed
        logging.getLogger(__name__).warning("getMe failed; set BOT_USERNAME in .env")
        return "ИМЯ_БОТА"
