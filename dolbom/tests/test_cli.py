"""`dolbom`: the demo, Django's commands and every app's verbs, all listed by `dolbom help`."""

from __future__ import annotations

import pytest

from dolbom.cli import main


def test_help_lists_the_demo_and_every_apps_verbs(capsys):
    assert main(["help"]) == 0
    out = capsys.readouterr().out
    assert "[dolbom]\n    demo" in out
    for listed in ("accounts create-staff", "registry generate-city", "registry refresh-dongs",
                   "cases seed-demo", "meetings seed-councils", "visits solve-vrptw", "migrate", "shell"):
        assert f"    {listed}\n" in out + "\n"


def test_help_with_no_arguments_and_with_commands_only_list_the_demo_too(capsys):
    main([])
    assert "    demo" in capsys.readouterr().out
    main(["help", "--commands"])
    assert "demo" in capsys.readouterr().out.split()


def test_help_on_the_demo_shows_its_options(capsys):
    assert main(["help", "demo"]) == 0
    assert "--households" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    assert "--no-serve" in capsys.readouterr().out


def test_an_apps_command_shows_its_verbs(capsys):
    main(["help", "registry"])
    out = capsys.readouterr().out
    assert "generate-city" in out and "refresh-dongs" in out
