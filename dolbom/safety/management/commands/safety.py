"""``dolbom safety ingest|simulate|sweep``.

``ingest`` is the long-running MQTT subscriber (run it under systemd, one or more per city; several split
the stream with ``--share-group``; a standby beside it with ``--standby-lock`` takes over at once when it dies,
where a restart needs seconds to import Django). ``simulate`` publishes a realistic stream of gateway events for the homes
in service (the demo, tests and the benchmark). ``sweep`` runs the periodic work once (overdue deadlines,
escalation, check-in answers, supervision) for a site without a scheduler.
"""

from __future__ import annotations

import signal
import sys
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from dolbom.lib.commands import AppCommand, verb


def _ingest_arguments(parser: CommandParser) -> None:
    parser.add_argument("--client-id", default=None, help="MQTT client id of the persistent session "
                        "(default DOLBOM_MQTT_CLIENT_ID; each worker of a share group needs its own)")
    parser.add_argument("--share-group", default=None, help="MQTT 5 shared subscription group (default "
                        "DOLBOM_MQTT_SHARE_GROUP)")
    parser.add_argument("--batch", type=int, default=None, help="events per transaction at most")
    parser.add_argument("--batch-ms", type=float, default=None, help="wait at most this long for a batch to fill")
    parser.add_argument("--sweep-seconds", type=float, default=5.0, help="run the sweep this often")
    parser.add_argument("--stats-seconds", type=float, default=60.0, help="print counters this often (0: never)")
    parser.add_argument("--standby-lock", default="", help="a lock file shared by an active worker and its "
                        "standbys on one host: the one holding it runs, the others wait started, and the first "
                        "to get it takes over within milliseconds of the active one's end (kill -9 included)")
    parser.add_argument("--alarm-log", type=Path, default=None, help="append a CSV line (controller, event id, "
                        "sequence, wall time) when each fire, gas or button event is committed (benchmarks)")


def _simulate_arguments(parser: CommandParser) -> None:
    parser.add_argument("--homes", type=int, default=50, help="homes in service to simulate (from the database)")
    parser.add_argument("--hours", type=float, default=1.0, help="simulated hours")
    parser.add_argument("--pace", choices=["live", "fast"], default="live",
                        help="live: each event when due, timestamped now; fast: all at once over the past hours")
    parser.add_argument("--speed", type=float, default=1.0, help="live pace: simulated seconds per second")
    parser.add_argument("--rhythm", choices=["daily", "flat"], default="daily",
                        help="daily: days and nights; flat: the same rate all day (benchmarks)")
    parser.add_argument("--per-hour", type=float, default=14.0, help="activity events per awake hour and home")
    for name, text in (("falls", "falls (half press the button)"), ("silent-falls", "falls without the button"),
                       ("buttons", "button presses"), ("fires", "fire alarms"), ("flapping", "flapping door contacts"),
                       ("dead-batteries", "batteries running flat"), ("power-cuts", "power cuts")):
        parser.add_argument(f"--{name}", type=int, default=0, help=f"homes with {text}")
    parser.add_argument("--window", type=float, nargs=2, default=(0.1, 0.6), metavar=("FROM", "TO"),
                        help="when the rare things happen, as fractions of the run")
    parser.add_argument("--alarm-window", type=float, nargs=2, default=None, metavar=("FROM", "TO"),
                        help="when the button presses and fires happen (default: --window)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--run", default=None, help="prefix of the event ids (default: random)")
    parser.add_argument("--log", type=Path, default=None, help="CSV of every event the broker acknowledged")
    parser.add_argument("--notes", type=Path, default=None, help="JSON lines of what happened to which home")
    parser.add_argument("--max-rate", type=float, default=0.0, help="fast pace: events per second at most")


class Command(AppCommand):
    help = "Emergency safety service: ingest (MQTT worker), simulate (device stream), sweep (periodic work once)."

    @verb("ingest", "Subscribe to the gateways' events over MQTT and store them (runs until stopped).",
          arguments=_ingest_arguments)
    def ingest(self, *, client_id: str | None, share_group: str | None, batch: int | None, batch_ms: float | None,
               sweep_seconds: float, stats_seconds: float, standby_lock: str, alarm_log: Path | None,
               **options: Any) -> None:
        from dolbom.safety.lanes import ALARM_SUFFIX
        from dolbom.safety.mqtt import Broker, reachable
        from dolbom.safety.worker import IngestWorker

        broker = Broker.from_settings()
        if not reachable(broker, timeout=3):
            raise CommandError(f"MQTT broker {broker.host}:{broker.port} is not reachable")
        worker = IngestWorker(
            broker, client_id=client_id or settings.DOLBOM_MQTT_CLIENT_ID, prefix=settings.DOLBOM_MQTT_TOPIC_PREFIX,
            share_group=share_group if share_group is not None else settings.DOLBOM_MQTT_SHARE_GROUP,
            batch=batch or settings.DOLBOM_SAFETY_BATCH,
            batch_ms=batch_ms if batch_ms is not None else settings.DOLBOM_SAFETY_BATCH_MS,
            session_expiry=settings.DOLBOM_MQTT_SESSION_EXPIRY, sweep_seconds=sweep_seconds,
            out=self.stdout, stats_seconds=stats_seconds, standby_lock=standby_lock,
            alarm_log=alarm_log.open("a", encoding="utf-8") if alarm_log is not None else None)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: worker.stop())
        self.stdout.write(f"{broker.host}:{broker.port} {worker.alarm_subscription} + {worker.subscription} 구독 "
                          f"(client id {worker.client_id}{ALARM_SUFFIX} + {worker.client_id})")
        stats = worker.run()
        self.stdout.write(f"종료: {stats.line()}")

    @verb("simulate", "Publish a realistic stream of gateway events for homes in service.",
          arguments=_simulate_arguments)
    def simulate(self, *, homes: int, hours: float, pace: str, speed: float, rhythm: str, per_hour: float,
                 falls: int, silent_falls: int, buttons: int, fires: int, flapping: int, dead_batteries: int,
                 power_cuts: int, window: tuple[float, float],
                 alarm_window: tuple[float, float] | None, seed: int, run: str | None, log: Path | None,
                 notes: Path | None, max_rate: float, **options: Any) -> None:
        import dataclasses
        import datetime as dt
        import json

        from dolbom.safety import simulator
        from dolbom.safety.mqtt import Broker, reachable

        broker = Broker.from_settings()
        if not reachable(broker, timeout=3):
            raise CommandError(f"MQTT broker {broker.host}:{broker.port} is not reachable")
        if hours <= 0 or speed <= 0:
            raise CommandError("--hours and --speed must be positive")
        sim_homes = simulator.homes_from_db(homes)
        if not sim_homes:
            raise CommandError("no home in service: run `dolbom demo` (or install homes) first")
        shape = simulator.Rhythm.flat_rate(per_hour) if rhythm == "flat" else simulator.Rhythm(day_rate=per_hour)
        plan = simulator.Plan(falls=falls, silent_falls=silent_falls, buttons=buttons, fires=fires,
                              flapping=flapping, dead_batteries=dead_batteries, power_cuts=power_cuts,
                              window=(window[0], window[1]),
                              alarm_window=(alarm_window[0], alarm_window[1]) if alarm_window else None)
        seconds = hours * 3600
        local = timezone.localtime()
        start = timezone.now() - dt.timedelta(seconds=seconds) if pace == "fast" else timezone.now()
        start_hour = (timezone.localtime(start).hour + timezone.localtime(start).minute / 60) if pace == "fast" \
            else local.hour + local.minute / 60
        events, happened = simulator.generate(sim_homes, seconds=seconds, rhythm=shape, plan=plan, seed=seed,
                                              start_hour=start_hour)
        run = run or uuid.uuid4().hex[:8]
        self.stdout.write(f"{len(sim_homes)}가구, {hours:g}시간, 이벤트 {len(events):,}건 ({pace}, x{speed:g}) "
                          f"-> {broker.host}:{broker.port}")
        if notes is not None:
            with notes.open("w", encoding="utf-8") as f:
                for n in happened:
                    f.write(json.dumps(dataclasses.asdict(n), ensure_ascii=False) + "\n")
        log_file = log.open("w", encoding="utf-8", newline="") if log is not None else None
        try:
            report = simulator.publish(events, broker=broker, prefix=settings.DOLBOM_MQTT_TOPIC_PREFIX, pace=pace,
                                       speed=speed, start=start, run=run, log=log_file, out=self.stdout,
                                       max_rate=max_rate)
        except KeyboardInterrupt:
            sys.exit(130)
        finally:
            if log_file is not None:
                log_file.close()
        self.stdout.write(report.line())

    @verb("sweep", "Run the periodic work once: overdue deadlines, escalation, check-in answers, supervision.")
    def sweep(self, **options: Any) -> None:
        from dolbom.safety.services import sweep

        self.stdout.write(str(sweep()))
