"""Notice letters (결정 통지서), PDF in Korean, rendered by WeasyPrint from the decision.

The font is named by family and found through fontconfig (settings.DOLBOM_SUBSIDY_NOTICE_FONT, default
"Noto Sans CJK KR"; Debian/Ubuntu package ``fonts-noto-cjk``); nothing is fetched over the network. A
decision never changes, so its letter is rendered once and kept beside the documents; its SHA-256 is
recorded on the decision, so a reprint can be shown to be the letter that was sent.
"""

from __future__ import annotations

import hashlib
import os

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from dolbom.subsidies import storage
from dolbom.subsidies.display import fact_rows
from dolbom.subsidies.models import Decision, DecisionKind, Objection


def _fact_rows(decision: Decision) -> list[dict[str, str]]:
    from dolbom.subsidies.services.programmes import rules_compiled

    return fact_rows(rules_compiled(decision.rule_set), decision.inputs.get("facts", {}),
                     decision.inputs.get("sources", {}), decision.inputs.get("verified", {}),
                     category_name=decision.application.category.name, used_only=True)


def notice_context(decision: Decision) -> dict:
    application = decision.application
    programme = application.programme
    return {
        "decision": decision, "application": application, "programme": programme,
        "approved": decision.kind == DecisionKind.APPROVE,
        "eligibility": [s for s in decision.trace if s["kind"] == "eligibility" and s["applies"]],
        "amount_steps": [s for s in decision.trace if s["kind"] in ("tier", "top_up", "cap") and s["applies"]],
        "score_steps": [s for s in decision.trace if s["kind"] == "score" and s["applies"]],
        "facts": _fact_rows(decision),
        "objections": list(Objection.objects.filter(decision=decision)),
        "font": settings.DOLBOM_SUBSIDY_NOTICE_FONT,
        "issued_on": timezone.localtime(decision.notified_at or decision.decided_at).date(),
    }


def notice_render(decision: Decision) -> bytes:
    import weasyprint

    html = render_to_string("subsidies/notice.html", notice_context(decision))
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def notice_pdf(decision: Decision) -> bytes:
    """The letter of a decision: rendered the first time, then read back (the same bytes every time)."""
    path = storage.notice_dir() / f"{decision.number}.pdf"
    if path.exists():
        return path.read_bytes()
    data = notice_render(decision)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    digest = hashlib.sha256(data).hexdigest()
    Decision.objects.filter(pk=decision.pk, notice_sha256="").update(notice_sha256=digest)
    decision.notice_sha256 = decision.notice_sha256 or digest
    return data
