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
from dolbom.subsidies.models import Decision, DecisionKind, Objection
from dolbom.subsidies.rules.facts import INCOME_TIER_EXPLAINED, STANDARD_FACTS


def _fact_rows(decision: Decision) -> list[dict[str, str]]:
    facts = decision.inputs.get("facts", {})
    sources = decision.inputs.get("sources", {})
    verified = decision.inputs.get("verified", {})
    labels = {f["key"]: f["label"] for f in decision.rule_set.definition.get("facts", [])}
    used = {s["key"] for s in decision.trace}
    rows = []
    for key, value in facts.items():
        if key in ("birth_date",) or (key not in labels and key not in STANDARD_FACTS):
            continue
        label = labels.get(key) or str(STANDARD_FACTS[key].label)
        shown = INCOME_TIER_EXPLAINED.get(value, value) if key == "income_tier" else value
        if isinstance(shown, bool):
            shown = "예" if shown else "아니오"
        how = verified.get(key, "")
        check = ("주민등록 자료 확인" if how == "registry" else "사례관리 조사 확인" if how.startswith("survey")
                 else "지원 이력 확인" if how == "history" else "제출 서류 확인" if how.startswith("document")
                 else "신청인 신고")
        rows.append({"label": label, "value": f"{shown:,}" if isinstance(shown, int) else str(shown),
                     "check": check, "source": sources.get(key, ""), "used": key in used})
    return rows


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
