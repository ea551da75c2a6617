"""Check kinds as pure functions: the boundary dates and dispositions that decide eligibility."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from qualify.workflow.checks import (
    CHECK_KINDS,
    AnsweredYesParams,
    DocumentByRoleParams,
    EventCompletedParams,
    MinServiceParams,
    NoSustainedFindingsParams,
    Params,
    RecentResultParams,
    When,
    answered_yes,
    describe,
    document_by_role,
    elapsed,
    event_completed,
    min_service,
    no_sustained_findings,
    recent_result,
)
from qualify.workflow.facts import CandidateFacts, EvidenceRecord

AS_OF = date(2027, 1, 15)
ON_FILE = datetime(2027, 1, 1, tzinfo=UTC)


def facts(
    *records: tuple[str, dict[str, object]], supervisor: str = "sgt", **kw: object
) -> CandidateFacts:
    evidence = tuple(
        EvidenceRecord(id=i, kind=kind, fields=dict(fields), recorded_at=ON_FILE, recorded_by="hr")
        for i, (kind, fields) in enumerate(records, start=1)
    )
    roles = {"sgt": ("supervisor",), "other": ("supervisor",), "clerk": ("hr",)}
    return CandidateFacts(supervisor, evidence, roles)


SERVICE = MinServiceParams(evidence="service", field="since", years=2)


def service(start: date, as_of: date = AS_OF) -> tuple[str, str]:
    result = min_service("svc", SERVICE, facts(("service", {"since": start})), as_of)
    return result.status, result.reason


def test_exactly_two_years_of_service_passes() -> None:
    status, reason = service(date(2025, 1, 15))
    assert status == "pass"
    assert reason.startswith(
        "2 years of full-time service as of 2027-01-15 (full-time since 2025-01-15"
    )


def test_one_day_short_of_two_years_fails() -> None:
    status, reason = service(date(2025, 1, 16))
    assert status == "fail"
    assert reason.startswith("1 year 11 months 30 days of full-time service")
    assert reason.endswith("; 2 years required")


def test_reason_reads_years_and_months() -> None:
    assert service(date(2024, 10, 2))[1].startswith("2 years 3 months 13 days of full-time service")


def test_a_february_29_start_reaches_two_years_on_february_28() -> None:
    start = date(2024, 2, 29)
    assert service(start, date(2026, 2, 28)) == (
        "pass",
        "2 years of full-time service as of 2026-02-28 (full-time since 2024-02-29, record #1)",
    )
    assert service(start, date(2026, 2, 27))[0] == "fail"
    assert service(start, date(2028, 2, 29))[1].startswith("4 years of full-time service")


def test_a_service_start_after_the_as_of_date_fails() -> None:
    assert service(date(2027, 2, 1)) == (
        "fail",
        "service not counted: record #1 is dated 2027-02-01, after the as-of date 2027-01-15",
    )


def test_missing_evidence_is_pending() -> None:
    result = min_service("svc", SERVICE, facts(), AS_OF)
    assert (result.status, result.reason) == ("pending", "no service evidence on file")


def test_the_newest_record_of_a_kind_supersedes_older_ones() -> None:
    both = facts(("service", {"since": date(2026, 1, 1)}), ("service", {"since": date(2020, 1, 1)}))
    result = min_service("svc", SERVICE, both, AS_OF)
    assert result.status == "pass"
    assert result.evidence_ids == (2,)


def test_a_record_entered_after_the_as_of_date_counts_by_its_facts_date() -> None:
    entered_late = EvidenceRecord(
        id=31,
        kind="service",
        fields={"since": date(2020, 1, 1)},
        recorded_at=datetime(2027, 3, 1, 12, 0, tzinfo=UTC),  # weeks after the as-of date
        recorded_by="hr",
    )
    result = min_service("svc", SERVICE, CandidateFacts("sgt", (entered_late,)), AS_OF)
    assert result.status == "pass"
    assert result.reason == (
        "7 years 14 days of full-time service as of 2027-01-15 "
        "(full-time since 2020-01-01, record #31)"
    )


PROBATION = EventCompletedParams(evidence="probation", field="done")


@pytest.mark.parametrize(
    ("done", "status"),
    [(date(2027, 1, 15), "pass"), (date(2027, 1, 16), "fail"), (date(2020, 5, 1), "pass")],
)
def test_probation_completed_by_the_as_of_date(done: date, status: str) -> None:
    result = event_completed("prob", PROBATION, facts(("probation", {"done": done})), AS_OF)
    assert result.status == status


def test_probation_completed_after_the_as_of_date_says_when() -> None:
    result = event_completed(
        "prob", PROBATION, facts(("probation", {"done": date(2027, 3, 1)})), AS_OF
    )
    assert (
        result.reason
        == "probation not counted: record #1 is dated 2027-03-01, after the as-of date 2027-01-15"
    )


AFTER_SERVICE = PROBATION.model_copy(
    update={"not_before_evidence": "service", "not_before_field": "since"}
)


def test_a_probation_completed_before_service_began_is_not_counted() -> None:
    f = facts(("service", {"since": date(2019, 4, 1)}), ("probation", {"done": date(2009, 4, 1)}))
    result = event_completed("prob", AFTER_SERVICE, f, AS_OF)
    assert (result.status, result.reason, result.evidence_ids) == (
        "fail",
        "probation not counted: record #2 is dated 2009-04-01, before service began 2019-04-01 "
        "(record #1)",
        (2, 1),
    )


@pytest.mark.parametrize("done", [date(2019, 4, 1), date(2020, 4, 1)])
def test_a_probation_completed_on_or_after_the_service_start_counts(done: date) -> None:
    f = facts(("service", {"since": date(2019, 4, 1)}), ("probation", {"done": done}))
    assert event_completed("prob", AFTER_SERVICE, f, AS_OF).status == "pass"
    # With no service on file there is nothing to compare with: the service check is pending.
    alone = facts(("probation", {"done": date(2009, 4, 1)}))
    assert event_completed("prob", AFTER_SERVICE, alone, AS_OF).status == "pass"


def test_not_before_needs_both_its_evidence_and_its_field() -> None:
    with pytest.raises(ValueError, match="together"):
        EventCompletedParams(evidence="probation", field="done", not_before_evidence="service")


LETTER = DocumentByRoleParams(
    evidence="recommendation",
    author_field="author",
    role="supervisor",
    author_is_candidates_supervisor=True,
)


def letter_by(author: str, supervisor: str = "sgt") -> tuple[str, str]:
    f = facts(("recommendation", {"author": author}), supervisor=supervisor)
    result = document_by_role("rec", LETTER, f, AS_OF)
    return result.status, result.reason


def test_a_recommendation_from_the_candidates_supervisor_passes() -> None:
    assert letter_by("sgt") == ("pass", "recommendation by supervisor sgt on file (record #1)")


def test_a_recommendation_from_someone_not_the_candidates_supervisor_fails() -> None:
    assert letter_by("other") == (
        "fail",
        "recommendation on file is by other, who is not the candidate's supervisor (sgt) (record #1)",
    )


def test_a_recommendation_by_the_supervisor_who_lacks_the_role_fails() -> None:
    assert letter_by("clerk", supervisor="clerk")[0] == "fail"
    assert "who is not a supervisor" in letter_by("clerk", supervisor="clerk")[1]


def test_a_recommendation_with_no_supervisor_on_file_is_pending() -> None:
    assert letter_by("sgt", supervisor="")[0] == "pending"


FITNESS = RecentResultParams(
    evidence="fitness", result_field="result", date_field="on", max_age_days=180
)


def fitness(result: str, on: date) -> tuple[str, str]:
    r = recent_result("fit", FITNESS, facts(("fitness", {"result": result, "on": on})), AS_OF)
    return r.status, r.reason


def test_a_fitness_result_exactly_180_days_old_passes() -> None:
    assert fitness("pass", date(2026, 7, 19))[0] == "pass"


def test_a_fitness_result_one_day_too_old_fails() -> None:
    assert fitness("pass", date(2026, 7, 18)) == (
        "fail",
        "fitness result of 2026-07-18 is 181 days old as of 2027-01-15; at most 180 allowed (record #1)",
    )


def test_a_failed_result_fails_and_a_future_dated_one_is_refused() -> None:
    assert fitness("fail", date(2026, 12, 1))[0] == "fail"
    assert fitness("pass", date(2027, 1, 16)) == (
        "fail",
        "fitness not counted: record #1 is dated 2027-01-16, after the as-of date 2027-01-15",
    )


CONDUCT = NoSustainedFindingsParams(
    review_evidence="review",
    review_field="on",
    finding_evidence="finding",
    date_field="on",
    disposition_field="disposition",
    years=5,
)
REVIEW = ("review", {"on": AS_OF})  # reviewed on the as-of date: it covers the whole window


def conduct(*findings: tuple[date, str]) -> tuple[str, str]:
    f = facts(REVIEW, *(("finding", {"on": d, "disposition": disp}) for d, disp in findings))
    r = no_sustained_findings("conduct", CONDUCT, f, AS_OF)
    return r.status, r.reason


def test_a_sustained_finding_just_inside_the_window_fails() -> None:
    assert conduct((date(2022, 1, 15), "sustained")) == (
        "fail",
        "sustained finding of 2022-01-15 (record #2) within 5 years before 2027-01-15",
    )


def test_a_sustained_finding_just_outside_the_window_passes() -> None:
    status, reason = conduct((date(2022, 1, 14), "sustained"))
    assert status == "pass"
    assert reason.endswith("no sustained findings since 2022-01-15 (1 other finding not counted)")


@pytest.mark.parametrize("disposition", ["not_sustained", "unfounded", "exonerated"])
def test_findings_that_were_not_sustained_do_not_count(disposition: str) -> None:
    assert conduct((date(2026, 6, 1), disposition))[0] == "pass"


def test_several_findings_are_all_counted_not_superseded() -> None:
    status, reason = conduct((date(2026, 1, 1), "sustained"), (date(2026, 6, 1), "unfounded"))
    assert status == "fail"
    assert reason.startswith("sustained finding of 2026-01-01 (record #2) within 5 years")


@pytest.mark.parametrize("reviewed", [date(1926, 11, 20), date(2022, 1, 1), date(2027, 1, 14)])
def test_a_conduct_review_made_before_the_window_ends_leaves_the_check_pending(
    reviewed: date,
) -> None:
    f = facts(
        ("review", {"on": reviewed}),
        ("finding", {"on": date(2026, 6, 1), "disposition": "unfounded"}),
    )
    r = no_sustained_findings("conduct", CONDUCT, f, AS_OF)
    assert (r.status, r.reason, r.evidence_ids) == (
        "pending",
        f"the review on file is dated {reviewed}, before the as-of date 2027-01-15: it does not "
        "cover the 5 years to 2027-01-15 (record #1)",
        (1,),
    )


def test_a_conduct_review_made_after_the_as_of_date_covers_the_window() -> None:
    f = facts(("review", {"on": date(2027, 2, 1)}))
    r = no_sustained_findings("conduct", CONDUCT, f, AS_OF)
    assert (r.status, r.reason) == (
        "pass",
        "conduct record reviewed 2027-02-01 (record #1); no sustained findings since 2022-01-15",
    )


def test_a_sustained_finding_fails_whatever_the_reviews_date() -> None:
    f = facts(
        ("review", {"on": date(2022, 1, 1)}),
        ("finding", {"on": date(2026, 1, 1), "disposition": "sustained"}),
    )
    assert no_sustained_findings("conduct", CONDUCT, f, AS_OF).status == "fail"


def test_a_review_that_need_not_cover_the_window_counts_whatever_its_date() -> None:
    lenient = CONDUCT.model_copy(update={"review_covers_window": False})
    f = facts(("review", {"on": date(2022, 1, 1)}))
    assert no_sustained_findings("conduct", lenient, f, AS_OF).status == "pass"


def test_with_facts_until_decision_the_review_must_reach_the_decision_date() -> None:
    until_decision = CONDUCT.model_copy(update={"facts_until": "decision"})
    f = facts(("review", {"on": AS_OF}))
    r = no_sustained_findings("conduct", until_decision, f, When(AS_OF, date(2027, 2, 1)))
    assert (r.status, r.reason) == (
        "pending",
        "the review on file is dated 2027-01-15, before the decision date 2027-02-01: it does "
        "not cover the 5 years to 2027-02-01 (record #1)",
    )


def test_no_conduct_review_on_file_is_pending() -> None:
    r = no_sustained_findings("conduct", CONDUCT, facts(), AS_OF)
    assert (r.status, r.reason) == ("pending", "no review evidence on file")


CERT = AnsweredYesParams(evidence="cert", field="full_time")


@pytest.mark.parametrize(("answer", "status"), [(True, "pass"), (False, "fail")])
def test_a_yes_no_field_answered_yes(answer: bool, status: str) -> None:
    assert (
        answered_yes("cert", CERT, facts(("cert", {"full_time": answer})), AS_OF).status == status
    )


def test_elapsed_counts_whole_years_then_months_then_days() -> None:
    assert describe(elapsed(date(2025, 1, 31), date(2025, 3, 1))) == "1 month 1 day"
    assert describe(elapsed(date(2027, 1, 15), date(2027, 1, 15))) == "0 days"


def test_service_from_a_leap_day_is_a_day_short_of_a_year_on_the_next_leap_years_eve() -> None:
    # The anniversary of Feb 29 is Feb 28 in common years, but Feb 29 in a leap year.
    assert describe(elapsed(date(2024, 2, 29), date(2028, 2, 28))) == "3 years 11 months 30 days"
    assert describe(elapsed(date(2024, 2, 29), date(2028, 2, 29))) == "4 years"
    assert describe(elapsed(date(2024, 2, 29), date(2025, 2, 28))) == "1 year"


@pytest.mark.parametrize(
    ("kind", "params", "wanted"),
    [
        ("answered_yes", CERT, "cert"),
        ("min_service", SERVICE, "service"),
        ("event_completed", PROBATION, "probation"),
        ("document_by_role", LETTER, LETTER.evidence),
        ("recent_result", FITNESS, FITNESS.evidence),
        ("no_sustained_findings", CONDUCT, CONDUCT.review_evidence),
    ],
)
def test_every_check_that_reads_a_record_is_pending_until_one_is_on_file(
    kind: str, params: Params, wanted: str
) -> None:
    result = CHECK_KINDS[kind].evaluate(kind, params, facts(), When(AS_OF, AS_OF))
    assert (result.status, result.reason) == ("pending", f"no {wanted} evidence on file")


DATED_LETTER = LETTER.model_copy(update={"date_field": "written_on"})


def test_a_recommendation_written_after_the_as_of_date_does_not_count() -> None:
    on_day = facts(("recommendation", {"author": "sgt", "written_on": AS_OF}))
    assert document_by_role("rec", DATED_LETTER, on_day, AS_OF).reason == (
        "recommendation by supervisor sgt on file (record #1, dated 2027-01-15)"
    )
    late = facts(("recommendation", {"author": "sgt", "written_on": date(2027, 1, 20)}))
    result = document_by_role("rec", DATED_LETTER, late, AS_OF)
    assert (result.status, result.reason) == (
        "fail",
        "recommendation not counted: record #1 is dated 2027-01-20, after the as-of date 2027-01-15",
    )


def test_a_fact_dated_after_the_as_of_date_counts_up_to_the_decision_when_the_check_says_so() -> (
    None
):
    late_test = facts(("fitness", {"result": "pass", "on": date(2027, 2, 10)}))
    decision = FITNESS.model_copy(update={"facts_until": "decision"})
    interview_day = When(AS_OF, date(2027, 2, 20))
    assert recent_result("fit", FITNESS, late_test, interview_day).status == "fail"
    passed = recent_result("fit", decision, late_test, interview_day)
    assert (passed.status, passed.reason) == (
        "pass",
        "fitness result of 2027-02-10: pass, 10 days old as of 2027-02-20 (record #1)",
    )
    before_the_test = recent_result("fit", decision, late_test, When(AS_OF, date(2027, 2, 9)))
    assert before_the_test.reason == (
        "fitness not counted: record #1 is dated 2027-02-10, after the decision date 2027-02-09"
    )
    # A decision before the as-of date never narrows what the as-of date allows.
    early = When(AS_OF, date(2027, 1, 2))
    on_time = facts(("fitness", {"result": "pass", "on": date(2027, 1, 10)}))
    assert recent_result("fit", decision, on_time, early).status == "pass"


def test_a_finding_dated_after_the_as_of_date_is_named_and_not_counted() -> None:
    status, reason = conduct((date(2027, 1, 20), "sustained"))
    assert status == "pass"
    assert reason == (
        "conduct record reviewed 2027-01-15 (record #1); no sustained findings since "
        "2022-01-15; not counted: record #2 is dated 2027-01-20, after the as-of date 2027-01-15"
    )


def test_a_yes_dated_after_the_as_of_date_does_not_count() -> None:
    dated = AnsweredYesParams(evidence="cert", field="full_time", date_field="on")
    late = facts(("cert", {"full_time": True, "on": date(2027, 1, 16)}))
    assert answered_yes("cert", dated, late, AS_OF).status == "fail"
    undated = facts(("cert", {"full_time": True}))  # an optional date left out: counts
    assert answered_yes("cert", dated, undated, AS_OF).reason == "full_time = yes (record #1)"
