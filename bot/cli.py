"""`python -m bot run | migrate | seed-demo | invite | backup | restore | forget-person |
sandbox` — stable names."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.config import ConfigurationError, Settings, load_settings
from bot.db import make_engine, make_session_factory, unit_of_work
from bot.log_redaction import install_redaction
from bot.models import Role

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
    commands.add_parser("seed-demo", help="загрузить демо-данные Каменска-Уральского 2022")
    invite = commands.add_parser("invite", help="выписать ссылку-приглашение")
    invite.add_argument("--role", required=True, choices=[role.value for role in Role])
    invite.add_argument("--scope", default="", help="регион, муниципалитет или школа")
    invite.add_argument("--municipality", default=None, help="уточнить муниципалитет школы")
    backup = commands.add_parser("backup", help="сохранить согласованную копию базы данных")
    backup.add_argument("--to", default=None, help="файл копии (по умолчанию data/backup-ДАТА)")
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
        return asyncio.run(seed_demo(settings))
    if args.command == "invite":
        return asyncio.run(invite(settings, Role(args.role), args.scope, args.municipality))
    if args.command == "backup":
        return make_backup(settings, args.to)
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


def _http_server(settings: Settings, engine):  # type: ignore[no-untyped-def]
    from bot.webhook import BotServer, Health

    health = Health(engine, mode="webhook" if settings.webhook_enabled else "polling")
    if settings.webhook_enabled:
        assert settings.webhook_secret is not None
        return BotServer(
            health,
            settings.webhook_listen,
            settings.webhook_port,
            webhook_path=settings.webhook_path,
            secret=settings.webhook_secret.get_secret_value(),
        )
    if settings.health_port:
        return BotServer(health, settings.webhook_listen, settings.health_port)
    return None


async def _lead(settings, engine, server, leadership, stopping) -> None:  # type: ignore[no-untyped-def]
    from telegram import Update
    from telegram.ext import TypeHandler

    from bot.app import build_application
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
            server.application = application
            logging.getLogger(__name__).info("leader: webhook set, taking updates")
        else:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=allowed)
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


async def seed_demo(settings: Settings) -> int:
    from bot import texts
    from bot.schema import upgrade_to_head
    from bot.seed.loader import load_demo
    from bot.services.invites import invite_link

    await asyncio.to_thread(upgrade_to_head, settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        async with unit_of_work(make_session_factory(engine)) as session:
            demo_invites = await load_demo(session, ttl=_ttl(settings))
        username = await _bot_username(settings)
    finally:
        await engine.dispose()
    print("Демо-данные загружены: Каменск-Уральский городской округ, 2022.")
    for item in demo_invites:
        link = invite_link(username, item.token) if item.token else "уже подключён(а)"
        print(f"{item.full_name} — {texts.ROLE_NAMES[item.role]} ({item.scope_name}): {link}")
    return 0


async def invite(settings: Settings, role: Role, scope_text: str, municipality: str | None) -> int:
    from bot.services.errors import DomainError
    from bot.services.invites import invite_link, issue_invite
    from bot.services.scopes import resolve_scope

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


async def forget_person(settings: Settings, full_name: str | None, person_id: int | None) -> int:
    from bot.services import forget_person as forgetting
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


def _explain_matches(full_name: str, found: list) -> None:  # type: ignore[type-arg]
    if not found:
        print(f"Человек «{full_name}» не найден.", file=sys.stderr)
        return
    print(f"Найдено несколько человек «{full_name}» — укажите --id:", file=sys.stderr)
    for person in found:
        print(f"  --id {person.id}: {person.full_name}, {person.position or ''}", file=sys.stderr)


def _ttl(settings: Settings):  # type: ignore[no-untyped-def]
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
