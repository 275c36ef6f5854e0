"""The safety app's indicators for the reports app (lib/metrics.py contract), registered from SafetyConfig.ready().

All per month and dong, counts of homes or incidents (never of a named person). Definitions in Korean for the
people reading the reports; the computation is in safety/reports.py, shared with the service's own monthly
page so that the two never disagree.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dolbom.lib.metrics import Indicator, metric_register
from dolbom.safety import reports


def register() -> None:
    metric_register(Indicator(
        key="safety.homes_inactive_5_days", label=_("Homes with 5 or more days of inactivity alerts"), unit="가구",
        definition=_("Homes in the emergency safety service with an inactivity alert (any level) open on at least "
                     "five days of the month."),
        compute=reports.compute_inactive_5_days, numerator=_("homes"), higher_is_better=False))
    metric_register(Indicator(
        key="safety.power_cuts", label=_("Gateway power cuts"), unit="건",
        definition=_("Power-off reports of gateways (a device ticket each) opened in the month."),
        compute=reports.compute_power_cuts, numerator=_("power cuts"), higher_is_better=False))
    metric_register(Indicator(
        key="safety.homes_no_data", label=_("Homes without data"), unit="가구",
        definition=_("Homes whose gateway stopped reporting (no heartbeat for three intervals) or never reported "
                     "after installation, in the month."),
        compute=reports.compute_no_data, numerator=_("homes"), higher_is_better=False))
    for seconds, label in ((60, _("Alarms acknowledged within 60 seconds")),
                           (180, _("Alarms acknowledged within 3 minutes"))):
        metric_register(Indicator(
            key=f"safety.alarms_acknowledged_{seconds}s", label=label, unit="%",
            definition=_("Fire, gas and emergency-button alarms of the month acknowledged by a person within the "
                         "time (targets: 97.5% within 60 seconds, 99% within 3 minutes)."),
            compute=reports.compute_ack(seconds), numerator=_("alarms acknowledged in time"),
            denominator=_("alarms"), higher_is_better=True))
    metric_register(Indicator(
        key="safety.emergencies_attended_45min", label=_("Emergencies attended within 45 minutes"), unit="%",
        definition=_("Emergencies (every P1 alarm and danger-level inactivity that was not a false alarm) with a "
                     "worker's visit or a 119 dispatch within 45 minutes (target: 90%)."),
        compute=reports.compute_attended, numerator=_("emergencies attended in time"), denominator=_("emergencies"),
        higher_is_better=True))
    labels = {"fire": _("False-alarm rate: fire detectors"), "gas": _("False-alarm rate: gas detectors"),
              "button": _("False-alarm rate: emergency buttons"),
              "activity": _("False-alarm rate: inactivity (activity sensors)")}
    for kind, cause in reports.FALSE_ALARM_KINDS:
        metric_register(Indicator(
            key=f"safety.false_alarm_rate_{kind}", label=labels[kind], unit="%",
            definition=_("Resolved incidents of the month from this kind of device that were false alarms."),
            compute=reports.compute_false_alarms(cause), numerator=_("false alarms"),
            denominator=_("resolved incidents"), higher_is_better=False))
