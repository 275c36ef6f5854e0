"""The `dolbom` command.

`dolbom demo` migrates, generates a synthetic Jeonju, creates one demo user per role, prints their
logins and serves the UI. Every other sub-command is a Django management command: `dolbom <app> <verb>`
for dolbom's own (`dolbom registry generate-city`, `dolbom accounts create-staff`, ...; see
`dolbom/lib/commands.py`), and Django's (`dolbom migrate`, `dolbom shell`, ...). `dolbom help` lists them
all, `demo` and every app's verbs included.

`demo` is not a management command because it puts the whole project together (every app's demo, then
the server); a command lives in an app, and no app may import the ones above it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict

from django.core.management import ManagementUtility, get_commands, load_command_class
from django.core.management.color import color_style

from dolbom.lib.commands import AppCommand


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")
    import django

    django.setup()


def _demo_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dolbom demo", description="Run a synthetic Jeonju on this machine.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--households", type=int, default=5000, help="size of the synthetic city (full Jeonju: 300000)")
    parser.add_argument("--cases", type=int, default=300, help="demo cases spread over every step")
    parser.add_argument("--seed", type=int, default=20260327)
    parser.add_argument("--no-serve", action="store_true", help="prepare the data and exit")
    parser.add_argument("--password", help="password of the demo logins (required with DOLBOM_ENV=production, "
                                           "where the published demo password is refused)")
    return parser


def demo(argv: list[str]) -> int:
    args = _demo_parser().parse_args(argv)

    _setup()
    from django.conf import settings
    from django.core.management import call_command

    from dolbom.demo import DEMO_PASSWORD, prepare_demo

    password = args.password or DEMO_PASSWORD
    if settings.PRODUCTION and (password == DEMO_PASSWORD or not args.no_serve):
        # The demo password is published in the README: on a city's server it would open every demo login.
        # And the demo's server is Django's development server: production serves with `dolbom serve`.
        print("DOLBOM_ENV=production: `dolbom demo` needs --password (not the published demo password) and "
              "--no-serve.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0, interactive=False)
    logins = prepare_demo(households=args.households, cases=args.cases, seed=args.seed, out=sys.stdout,
                          password=password)
    print("\n데모 계정 (demo logins):")
    for login in logins:
        print(f"  {login.role_label:<18} {login.username:<12} / {login.password}   {login.note}")
    print("\n동 공무원·사례관리사·시 통합돌봄팀·감사 계정은 첫 로그인 때 인증 앱(2단계 인증)을 등록합니다. 휴대전화 없이 "
          "시험할 때는 `dolbom accounts totp-code 아이디`가 지금의 코드를 알려 줍니다(운영 환경에서는 거부).")
    if args.no_serve:
        return 0
    print(f"\nhttp://{args.host}:{args.port}/ 에서 실행 중입니다. Ctrl+C 로 종료합니다.\n", flush=True)
    call_command("runserver", f"{args.host}:{args.port}", "--noreload", "--insecure", use_threading=True)
    return 0


def _listed(app: str, name: str) -> list[str]:
    """`registry generate-city`, ... for a dolbom app's command; the name alone for anyone else's."""
    if app.startswith("dolbom."):
        command = load_command_class(app, name)
        if isinstance(command, AppCommand):
            return [f"{name} {verb}" for verb in command.verbs()]
    return [name]


class Utility(ManagementUtility):
    """Django's command runner; its help lists `demo` and the verbs of every app's command."""

    def main_help_text(self, commands_only: bool = False) -> str:
        if commands_only:
            return "\n".join(sorted([*get_commands(), "demo"]))
        if self.settings_exception is not None:  # Django's text says why only its own commands show
            return super().main_help_text()
        sections: dict[str, list[str]] = defaultdict(list)
        sections["dolbom"] += ["demo", *_LONG_RUNNING]
        for name, app in get_commands().items():
            sections["django" if app == "django.core" else app.rpartition(".")[-1]] += _listed(app, name)
        style = color_style()
        lines = ["", f"Type '{self.prog_name} help <subcommand>' for help on a specific subcommand.", "",
                 "Available subcommands:"]
        for section in sorted(sections):
            lines += ["", style.NOTICE(f"[{section}]"), *(f"    {n}" for n in sorted(sections[section]))]
        return "\n".join(lines)


# The two long-running processes of an installation, by their short names (dolbom/ops, docs/DEPLOYMENT.md).
_LONG_RUNNING = {"serve": ["ops", "serve"], "worker": ["ops", "worker"]}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _LONG_RUNNING:
        argv = [*_LONG_RUNNING[argv[0]], *argv[1:]]
    elif argv[:1] == ["help"] and argv[1:2] and argv[1] in _LONG_RUNNING:
        argv = [*_LONG_RUNNING[argv[1]], "--help"]
    if argv and argv[0] == "demo":
        return demo(argv[1:])
    if argv[:2] == ["help", "demo"]:
        _demo_parser().print_help()
        return 0
    _setup()
    Utility(["dolbom", *argv]).execute()
    return 0


if __name__ == "__main__":
    sys.exit(main())
