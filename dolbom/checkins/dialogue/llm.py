"""Optional: any OpenAI-compatible chat endpoint (vLLM, Ollama, a commercial Korean model).

Configured by the settings DOLBOM_LLM_URL (base URL, e.g. http://127.0.0.1:11434/v1), DOLBOM_LLM_MODEL and
DOLBOM_LLM_KEY (optional), DOLBOM_LLM_TIMEOUT (seconds, default 4), each from the environment variable
of the same name. Used for two things only:
rephrasing the caller's next line so it answers what the client just said, and writing the call
summary. Every answer is checked; on a timeout, an error or an answer that fails the checks the
rule-based text is used. Risk signals never go through here: a model being down or wrong must not
hide a fall or a wish to die.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

log = logging.getLogger(__name__)

ROLE = (
    "당신은 전주시 돌봄 안부전화 상담원입니다. 혼자 사시는 어르신께 전화로 안부를 여쭙습니다. "
    "항상 존댓말로, 짧고 쉬운 문장으로 말합니다. 한 번에 두세 문장을 넘지 않습니다. "
    "의학적 진단이나 처방은 하지 않습니다. 주어진 초안의 질문과 뜻은 바꾸지 말고, "
    "어르신이 방금 하신 말씀에 한마디 공감한 뒤 초안을 자연스럽게 다듬어 말하세요. 대사만 출력하세요."
)
SUMMARY_ROLE = (
    "다음은 어르신과의 안부전화 기록입니다. 담당 통합사례관리사가 읽을 요약을 한국어 두세 문장으로 쓰세요. "
    "건강, 식사, 수면, 기분, 생활에서 확인된 사실과 걱정되는 점만 쓰고, 추측은 쓰지 마세요."
)
_HANGUL = re.compile(r"[가-힣]")
_MAX_LINE = 160


@dataclass(frozen=True)
class LLMConfig:
    url: str
    model: str
    key: str = ""
    timeout: float = 4.0

    @classmethod
    def from_settings(cls) -> LLMConfig | None:
        url, model = settings.DOLBOM_LLM_URL.strip(), settings.DOLBOM_LLM_MODEL.strip()
        if not url or not model:
            return None
        return cls(url=url.rstrip("/"), model=model, key=settings.DOLBOM_LLM_KEY,
                   timeout=float(settings.DOLBOM_LLM_TIMEOUT))


class LLMClient:
    def __init__(self, config: LLMConfig) -> None:
        self.config = config

    def _chat(self, messages: list[dict[str, str]], max_tokens: int) -> str | None:
        url = self.config.url
        if not url.endswith("/chat/completions"):
            url = f"{url}/chat/completions"
        body = json.dumps({"model": self.config.model, "messages": messages, "max_tokens": max_tokens,
                           "temperature": 0.3}).encode()
        headers = {"Content-Type": "application/json"}
        if self.config.key:
            headers["Authorization"] = f"Bearer {self.config.key}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:  # noqa: S310
                data = json.loads(response.read().decode("utf-8"))
            return str(data["choices"][0]["message"]["content"]).strip()
        except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("language model unavailable, using the rule-based text: %s", exc)
            return None

    def rephrase(self, *, draft: str, client_text: str, step: str, address: str) -> str | None:
        if step == "safety":
            return None
        answer = self._chat([
            {"role": "system", "content": ROLE},
            {"role": "user", "content": f"호칭: {address}\n어르신 말씀: {client_text or '(없음)'}\n초안: {draft}"},
        ], max_tokens=160)
        return answer if acceptable_line(answer, draft) else None

    def summarise(self, transcript: list[tuple[str, str]]) -> str | None:
        lines = "\n".join(f"{'상담원' if role == 'system' else '어르신'}: {text}" for role, text in transcript)
        answer = self._chat([{"role": "system", "content": SUMMARY_ROLE}, {"role": "user", "content": lines}],
                            max_tokens=300)
        if not answer or not _HANGUL.search(answer) or len(answer) > 600:
            return None
        return answer


def acceptable_line(answer: str | None, draft: str) -> bool:
    """A model's line is used only if it is short Korean polite speech that still asks the draft's question."""
    if not answer or not _HANGUL.search(answer) or len(answer) > max(_MAX_LINE, len(draft) + 60):
        return False
    if "\n\n" in answer or answer.startswith(("초안", "상담원:")):
        return False
    if not re.search(r"(요|니다|세요|까요|죠)[.?!~]*\s*$", answer):
        return False
    # The draft's question must survive: a reply that drops it would skip a topic silently.
    return not ("?" in draft and "?" not in answer)


def llm_client() -> LLMClient | None:
    config = LLMConfig.from_settings()
    return LLMClient(config) if config else None
