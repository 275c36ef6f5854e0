"""The `dolbom` command.

`dolbom demo` migrates, generates a synthetic Jeonju, creates one demo user per role, prints their
logins and serves the UI. Any other sub-command is passed to Django's management commands
(`dolbom migrate`, `dolbom create_staff`, `dolbom generate_city`, ...).
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dolbom.settings")
    import django

    django.setup()


def demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dolbom demo", description="Run a synthetic Jeonju on this machine.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--households", type=int, default=5000, help="size of the synthetic city (full Jeonju: 300000)")
    parser.add_argument("--cases", type=int, default=300, help="demo cases spread over every step")
    parser.add_argument("--seed", type=int, default=20260327)
    parser.add_argument("--no-serve", action="store_true", help="prepare the data and exit")
    args = parser.parse_args(argv)

    _setup()
    from django.core.management import call_command

    from dolbom.demo import prepare_demo

    call_command("migrate", verbosity=0, interactive=False)
    logins = prepare_demo(households=args.households, cases=args.cases, seed=args.seed, out=sys.stdout)
    print("\n데모 계정 (demo logins):")
    for login in logins:
        print(f"  {login.role_label:<18} {login.username:<12} / {login.password}   {login.note}")
    if args.no_serve:
        return 0
    print(f"\nhttp://{args.host}:{args.port}/ 에서 실행 중입니다. Ctrl+C 로 종료합니다.\n", flush=True)
    call_command("runserver", f"{args.host}:{args.port}", "--noreload", "--insecure", use_threading=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "demo":
        return demo(argv[1:])
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dolbom", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
