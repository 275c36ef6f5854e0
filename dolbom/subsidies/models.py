"""Subsidy programmes (지원사업): programmes and their versioned rules, rounds, applications with every
version and their documents, the budget ledger, selection, decisions with their notice letters,
objections, completion checks, payments and clawbacks, and the links to care.

Money is whole won (BigIntegerField). Facts about an applicant are kept on the application, with the
source of each (registry, needs survey, this app's history, or declared with a document): the registry
has no benefit status and no residence start date, and is not ours to extend (rules/facts.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProgrammeKind(models.TextChoices):
    RENEWABLES = "renewables", _("Renewable energy installation")
    EV = "ev", _("Electric vehicle purchase")
    SLATE = "slate", _("Asbestos slate-roof removal")
    ELDERLY_JOBS = "elderly_jobs", _("Elderly jobs and social activities")
    OTHER = "other", _("Other")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", pgettext_lazy("subsidies", "Open")
    CLOSED = "closed", pgettext_lazy("subsidies", "Closed")


class Programme(models.Model):
    """A programme as the city announces it: one per year and kind (2026 주택 태양광 지원사업)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgrammeKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    department = models.CharField(_("department"), max_length=80)
    summary = models.TextField(_("summary"), blank=True)
    legal_basis = models.TextField(_("legal basis"))
    notice_ref = models.CharField(_("public notice"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=10, default="건")
    status = models.CharField(_("status"), max_length=10, choices=ProgrammeStatus.choices,
                              default=ProgrammeStatus.DRAFT)
    # 행정심판법 §27: 90 days from knowing of the decision; 행정기본법 §36 sets 30 days for an objection to
    # the agency itself. The notice says which applies, so it is a setting per programme.
    objection_days = models.PositiveSmallIntegerField(_("days to object"), default=90)
    # 행정기본법 §36②: the answer within 14 days of the objection (extendable once by 10).
    objection_answer_days = models.PositiveSmallIntegerField(_("days to answer an objection"), default=14)
    # How long an applicant has to send what was asked for (보완 기한).
    supplement_days = models.PositiveSmallIntegerField(_("days to supplement"), default=14)
    # Completion (설치·준공) must be reported within this many days of approval, or the approval lapses.
    completion_days = models.PositiveSmallIntegerField(_("days to complete"), default=120)
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, through="ProgrammeOfficer", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.name


class ProgrammeOfficer(models.Model):
    """Staff of the department that runs a programme: they set its rules, check, select and decide."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="officer_rows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subsidy_programmes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "user"], name="subsidy_officer_unique")]


class Category(models.Model):
    """A line of the notice with its own number of places (EV: passenger cars, freight)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(max_length=30)
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    units_announced = models.PositiveIntegerField(_("places announced"))
    # Places taken by approvals; kept beside the announced number so that a CHECK can hold the line.
    units_committed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["programme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="subsidy_category_code_unique"),
            models.CheckConstraint(condition=Q(units_committed__lte=F("units_announced")),
                                   name="subsidy_category_units_within_announced"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def units_left(self) -> int:
        return self.units_announced - self.units_committed


class Budget(models.Model):
    """The programme's money: announced, committed at approval, paid at completion.

    An approval past what is left must be impossible even when two officers approve at once: the row is
    locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers), the amounts change by an
    UPDATE ... SET committed = committed + x, and the CHECK below refuses any state past the budget
    whatever path wrote it (services/budget.py)."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="budget")
    announced = models.BigIntegerField(_("announced"))
    committed = models.BigIntegerField(_("committed"), default=0)
    paid = models.BigIntegerField(_("paid"), default=0)
    recovered = models.BigIntegerField(_("recovered"), default=0)  # clawed back after payment
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(committed__gte=0) & Q(paid__gte=0) & Q(recovered__gte=0),
                                   name="subsidy_budget_non_negative"),
            # Recovered money returns to the budget; the rest of what was paid and committed may not pass it.
            models.CheckConstraint(condition=Q(committed__lte=F("announced") - F("paid") + F("recovered")),
                                   name="subsidy_budget_within_announced"),
        ]

    @property
    def left(self) -> int:
        return self.announced - self.committed - self.paid + self.recovered

    @property
    def used(self) -> int:
        return self.committed + self.paid - self.recovered


class LedgerKind(models.TextChoices):
    ANNOUNCE = "announce", _("Budget announced")
    COMMIT = "commit", _("Committed at approval")
    RELEASE = "release", _("Commitment released")
    PAY = "pay", _("Paid")
    RECOVER = "recover", _("Recovered (clawback)")


class LedgerEntry(models.Model):
    """Every movement of the budget, append-only: the ledger's history and its audit trail."""

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=LedgerKind.choices)
    amount = models.BigIntegerField()
    application = models.ForeignKey("Application", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="ledger_entries")
    # None: the applicant's own step online (a withdrawal), or the scheduler.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    committed_after = models.BigIntegerField()
    paid_after = models.BigIntegerField()
    left_after = models.BigIntegerField()

    class Meta:
        ordering = ["budget", "pk"]


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class RuleSet(models.Model):
    """One version of a programme's rules (rules/schema.py), with the dates it applies.

    Published versions never change: a decision points at the version it used. A change is a new
    version; the one in force for an application is the latest published version effective on the day
    the application was received."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rule_sets")
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    definition = models.JSONField()
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "-version"]
        constraints = [models.UniqueConstraint(fields=["programme", "version"], name="subsidy_ruleset_version_unique")]

    def __str__(self) -> str:
        return f"{self.programme.code} v{self.version}"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Receiving applications")
    CLOSED = "closed", pgettext_lazy("subsidies", "Closed")
    SELECTED = "selected", _("Selection done")


class Round(models.Model):
    """A call for applications (1차 공고): its dates, and the seed of its draw, published in the notice."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=80)
    announced_on = models.DateField(_("announced on"))  # the reference day for ages and residence
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    # A lottery is drawn from this seed, written in the notice before the round opens, so that anyone can
    # reproduce the order from the seed and the published receipt numbers.
    lottery_seed = models.CharField(_("published draw seed"), max_length=64, blank=True)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="subsidy_round_number_unique")]

    def __str__(self) -> str:
        return f"{self.programme.name} {self.name}"


class Channel(models.TextChoices):
    OFFICE = "office", _("At the office, on the resident's behalf")
    PUBLIC = "public", _("Online, verified by a one-time code")


class ApplicationStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("subsidies", "Received")
    INCOMPLETE = "incomplete", _("Supplement requested")
    ELIGIBLE = "eligible", _("Checked: eligible")
    INELIGIBLE = "ineligible", _("Checked: not eligible")
    SELECTED = "selected", _("Selected")
    WAITLISTED = "waitlisted", _("On the waiting list")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    COMPLETED = "completed", _("Completion confirmed")
    PAID = "paid", _("Paid")
    CLAWED_BACK = "clawed_back", _("Clawed back")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    LAPSED = "lapsed", _("Lapsed")


class Application(models.Model):
    """One application, with the facts the rules read and the source of each.

    ``facts`` maps a fact key to its value; ``fact_sources`` maps it to registry / survey / history /
    declared / derived, and ``verified`` says how each checked fact was checked (against a record, or by an
    accepted document); the others rest on the applicant's word until a document proves them.
    Every change of the applicant's data writes an ApplicationVersion."""

    number = models.CharField(_("receipt number"), max_length=30, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="applications")
    channel = models.CharField(pgettext_lazy("subsidies", "channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.RECEIVED, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    # The applicant. Matched to the registry when possible; the name and contact are kept either way.
    resident = models.ForeignKey("registry.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="subsidy_applications")
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="subsidy_applications")
    dong = models.ForeignKey("areas.Dong", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    applicant_name = models.CharField(_("applicant"), max_length=50)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=20)
    address = models.CharField(_("address"), max_length=200)  # of the building / where the car is kept
    # PIPA §24-2: the RRN only encrypted, with a blind index to match the registry.
    rrn_encrypted = models.TextField(blank=True)
    rrn_index = models.CharField(max_length=64, blank=True, db_index=True)
    facts = models.JSONField(default=dict)
    fact_sources = models.JSONField(default=dict)
    verified = models.JSONField(default=dict)  # fact -> how it was checked ("registry", "document:12")
    # The applicant agreed that a refusal for lack of means may be passed to the dong welfare team.
    welfare_consent_at = models.DateTimeField(null=True, blank=True)
    # The last check by the rules (cel-python), refreshed whenever the facts change.
    rule_set = models.ForeignKey(RuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    eligible = models.BooleanField(null=True)
    amount = models.BigIntegerField(null=True, blank=True)
    score = models.IntegerField(null=True, blank=True)
    priority_groups = models.JSONField(default=list)
    explanation = models.TextField(blank=True)
    trace = models.JSONField(default=list)
    checked_at = models.DateTimeField(null=True, blank=True)
    # Selection
    rank = models.PositiveIntegerField(null=True, blank=True)
    selected_as = models.CharField(max_length=40, blank=True)  # a priority group key, or "general"
    # Completion
    complete_by = models.DateField(_("complete by"), null=True, blank=True)
    pointer = models.ForeignKey("Pointer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["programme", "round", "status"]), models.Index(fields=["dong", "status"])]

    def __str__(self) -> str:
        return self.number


class ApplicationVersion(models.Model):
    """Applications keep every version: what was stated, when, by whom, and why it changed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField()
    data = models.JSONField()
    reason = models.CharField(max_length=200)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "version"]
        constraints = [models.UniqueConstraint(fields=["application", "version"], name="subsidy_version_unique")]


class ScanStatus(models.TextChoices):
    CLEAN = "clean", _("Scanned: clean")
    NOT_SCANNED = "not_scanned", _("No scanner configured")


class DocumentStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", pgettext_lazy("subsidies", "Accepted")
    REJECTED = "rejected", _("Rejected")


class Document(models.Model):
    """A file sent with an application, stored under the data directory with a random name (never under
    the web root), its type found from its bytes, not its name."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=40)  # a key of the rule set's documents, or "photo"
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    scan = models.CharField(max_length=12, choices=ScanStatus.choices)
    status = models.CharField(max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.SUBMITTED)
    review_note = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "uploaded_at", "pk"]


class SupplementRequest(models.Model):
    """보완 요청: what is missing (facts and documents), with a deadline; the applicant is told by text."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="supplements")
    missing_facts = models.JSONField(default=list)
    missing_documents = models.JSONField(default=list)
    message = models.TextField()
    due_on = models.DateField(pgettext_lazy("subsidies", "due on"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    lapsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "-requested_at"]


class SelectionRun(models.Model):
    """One run of the selection for a round: who ran it, with which rules, and the order it produced."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="selection_runs")
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=20)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField()
    seed = models.CharField(max_length=64, blank=True)
    selected = models.PositiveIntegerField(default=0)
    waitlisted = models.PositiveIntegerField(default=0)
    # category code -> {"units": n, "reserved": {group: n}, "released": [groups], "selected": n}
    summary = models.JSONField(default=dict)
    order = models.JSONField(default=list)  # [[application id, rank, "group"|"general"|"waitlist"], ...]

    class Meta:
        ordering = ["-run_at", "-pk"]


class DecisionKind(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REFUSE = "refuse", _("Refused")


class RefusalReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Does not meet the eligibility rules")
    NOT_SELECTED = "not_selected", _("Not selected within the places announced")
    BUDGET = "budget", _("The budget is used up")
    SUPPLEMENT_LAPSED = "supplement_lapsed", _("What was asked for was not sent in time")
    LACK_OF_MEANS = "lack_of_means", _("The applicant cannot bear their own share")
    OTHER = "other", _("Other")


class Decision(models.Model):
    """A decision on an application, immutable: the rule set version, the inputs as they were, the trace
    of every rule, the legal basis and the reason in plain Korean. The notice letter is rendered from it."""

    number = models.CharField(max_length=40, unique=True)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    refusal_reason = models.CharField(max_length=20, choices=RefusalReason.choices, blank=True)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="decisions")
    rule_set_version = models.PositiveSmallIntegerField()
    inputs = models.JSONField()  # facts, sources and verification, as at the decision
    trace = models.JSONField()
    amount = models.BigIntegerField(default=0)
    legal_basis = models.TextField()
    reason = models.TextField()  # plain Korean, the letter's main sentence
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    # An objection's outcome may replace a decision; the old one stays, pointing at the new.
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    notified_at = models.DateTimeField(null=True, blank=True)
    objection_until = models.DateField(null=True, blank=True)
    notice_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Under review")
    UPHELD = "upheld", _("Upheld: decision changed")
    DISMISSED = "dismissed", _("Dismissed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Objection(models.Model):
    """이의신청 against a decision, filed within the programme's period, answered by its own deadline."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="objections")
    filed_at = models.DateTimeField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")  # null: filed by the applicant online
    grounds = models.TextField(_("grounds"))
    answer_by = models.DateField(_("answer by"))
    status = models.CharField(max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    outcome_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_at"]


class CompletionResult(models.TextChoices):
    PASSED = "passed", _("Conditions met")
    FAILED = "failed", _("Conditions not met")


class Completion(models.Model):
    """The completion check (설치·준공 확인): photos, an inspector's visit, the result."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="completion")
    reported_at = models.DateTimeField()
    visit = models.ForeignKey("visits.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    inspection_on = models.DateField(_("inspection on"), null=True, blank=True)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    result = models.CharField(max_length=10, choices=CompletionResult.choices, blank=True)
    note = models.TextField(blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)


class Payment(models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="payment")
    amount = models.BigIntegerField()
    paid_on = models.DateField()
    reference = models.CharField(_("payment reference"), max_length=60)  # 지출결의 번호
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()


class Clawback(models.Model):
    """환수: a paid subsidy whose conditions were not kept (sold within the obligation period, not installed)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="clawbacks")
    amount = models.BigIntegerField()
    reason = models.TextField()
    legal_basis = models.CharField(max_length=200)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    due_on = models.DateField()
    recovered_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="subsidy_clawback_positive")]


class PointerStatus(models.TextChoices):
    OPEN = "open", _("Not applied yet")
    APPLIED = "applied", _("Applied")
    DECLINED = "declined", _("Declined by the person")


class Pointer(models.Model):
    """A case manager points a vulnerable household at a programme (links to care)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="pointers")
    resident = models.ForeignKey("registry.Resident", on_delete=models.PROTECT, related_name="subsidy_pointers")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=PointerStatus.choices, default=PointerStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("To look at")
    CONTACTED = "contacted", _("Contacted")
    CASE_OPENED = "case_opened", _("Case opened")
    NO_ACTION = "no_action", _("No action needed")


class WelfareSuggestion(models.Model):
    """A refusal for lack of means, passed to the applicant's dong welfare team with their consent."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="welfare_suggestion")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    dong = models.ForeignKey("areas.Dong", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("registry.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    reason = models.TextField()
    status = models.CharField(max_length=12, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
