"""Browser journey, in Chinese: a hazard an inspection referred becomes a case that goes
through evidence, 立案, the notice with hearing rights, the hearing, 法制审核, the
collective discussion and the decision, and is served."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from fazhi.cases.models import Case
from fazhi.cases.tests.test_intake import PNG, referred_finding
from tests.browser.conftest import login, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _defaults() -> None:
    """Transactional tests empty the tables: put the shipped 文书 and patterns back."""
    from fazhi.core.documents import document_templates_load
    from fazhi.core.numbering import number_patterns_load

    number_patterns_load()
    document_templates_load()


class Desk:
    """One user's browser, on one case page."""

    def __init__(self, browser: Any, base: str, user: Any) -> None:
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.base = base
        login(self.page, base, user)

    def open(self, case: Case) -> Any:
        self.page.goto(f"{self.base}/cases/{case.pk}/")
        return self.page

    def act(self, case: Case, name: str, **fields: str) -> None:
        page = self.open(case)
        form = page.locator(f"form:has(button[data-action={name}])")
        for field, value in fields.items():
            form.locator(f"[name={name}-{field}]").fill(value)
        submit(page, form.locator(f"button[data-action={name}]"))
        alerts = page.locator(".alert-danger").all_inner_texts()
        assert not alerts, alerts

    def state(self) -> str:
        return self.page.locator("[data-testid=case-state]").inner_text().strip()


def test_inspection_finding_to_a_served_decision_with_hearing_and_review(
    request: pytest.FixtureRequest, live_server: Any, personas: Any, tmp_path: Path
) -> None:
    browser = request.getfixturevalue("_browser")
    _defaults()
    referral = referred_finding(personas, personas.county_a)
    today = datetime.date.today().isoformat()
    officer = Desk(browser, live_server.url, personas.county_a_officer)
    page = officer.page

    # 案源: the referred hazard becomes a case, with the inspection's photo as evidence.
    page.goto(f"{live_server.url}/cases/")
    page.click("[data-testid=findings-link]")
    assert "液氨储罐区未设置明显的安全警示标志" in page.inner_text("[data-testid=findings]")
    page.fill("input[name=title]", "未设置明显的安全警示标志")
    page.click(f"button[data-finding-referral='{referral.pk}']")
    page.wait_for_url(re.compile(r"/cases/\d+/$"))
    case = Case.objects.get()
    assert officer.state() == "案源登记"
    assert "储罐区现场照片" in page.inner_text("[data-testid=evidence]")

    # 全过程记录: a body-camera clip and the violation charged.
    page.click("[data-testid=evidence-toggle]")
    clip = tmp_path / "执法记录仪.png"
    clip.write_bytes(PNG)
    form = page.locator("[data-testid=evidence-form]")
    form.locator("input[name=file]").set_input_files(str(clip))
    form.locator("select[name=kind]").select_option("photo")
    form.locator("input[name=description]").fill("执法记录仪截图")
    submit(page, form.locator("button"))
    assert "执法记录仪截图" in page.inner_text("[data-testid=evidence]")

    # 先行登记保存: the notice starts its time limit; the decision on the items stops it.
    page.click("details:has([data-testid=record-form]) > summary")
    form = page.locator("[data-testid=record-form]")
    form.locator("select[name=code]").select_option("evidence_preservation_notice")
    form.locator("textarea[name=text]").fill("出入库台账1册")
    submit(page, form.locator("button"))
    preserved = page.locator("[data-testid=preservations]")
    assert "先行登记保存证据通知书" in preserved.inner_text()
    page.click("details:has([data-testid=preservation-decide]) > summary")
    decide = page.locator("form:has([data-testid=preservation-decide])")
    decide.locator("select[name=outcome]").select_option("release")
    decide.locator("textarea[name=reason]").fill("已复制台账，原件退还")
    submit(page, decide.locator("[data-testid=preservation-decide]"))
    expect(page.locator("[data-testid=preservation-decision]")).to_have_count(1)
    assert "退还当事人" in page.inner_text("[data-testid=preservation-decision]")
    page.click("summary:has-text('添加违法行为')")
    page.fill("input[name=description]", "未设置明显的安全警示标志")
    page.fill("input[name=basis]", "《安全生产法》第九十九条第（一）项")
    page.fill("input[name=law_in_force_from]", "2021-09-01")
    submit(page, "form[action$='/violations/'] button")

    leader = Desk(browser, live_server.url, personas.leader)
    leader.act(case, "file")
    assert leader.state() == "调查取证"
    officer.act(case, "end_investigation")

    # 案件审理: the intended penalty gives a right to a hearing.
    page = officer.open(case)
    page.check("input[name=penalty_kinds][value=fine]")
    page.check("input[name=flags][value=serious]")
    page.fill("input[name=proposed_fine]", "40000")
    submit(page, "form[action$='/proposal/'] button")
    page = officer.open(case)
    assert page.locator("[data-refusal=give_notice]").inner_text()  # the table says: hearing
    officer.act(case, "give_notice_hearing")
    officer.act(case, "request_hearing", requested_on=today)
    assert officer.state() == "听证"
    officer.act(case, "hold_hearing", held_on=today, text="当事人对事实无异议，请求从轻处罚")
    officer.act(case, "send_review")
    assert officer.state() == "法制审核"

    # 法制审核 by the legal section, then the leadership discusses and decides.
    reviewer = Desk(browser, live_server.url, personas.city_reviewer)
    inbox = reviewer.page
    inbox.goto(f"{live_server.url}/cases/inbox/")
    assert "未设置明显的安全警示标志" in inbox.inner_text("[data-testid=case-table]")
    reviewer.act(case, "pass_review", text="事实清楚，证据确凿，程序合法，同意")
    page = leader.open(case)
    assert page.locator("[data-refusal=decide]").inner_text()  # 集体讨论 first
    leader.act(case, "record_discussion", text="经集体讨论，同意罚款四万元")
    page = leader.open(case)
    form = page.locator("form:has(button[data-action=decide])")
    form.locator("input[name=decide-penalty_kinds][value=fine]").check()
    form.locator("[name=decide-fine]").fill("40000")
    form.locator("[name=decide-fine_reason]").fill("依裁量基准，情节较重")
    submit(page, form.locator("button[data-action=decide]"))
    assert leader.state() == "已决定"

    officer.act(case, "serve", served_on=today, method="直接送达")
    page = officer.open(case)
    assert officer.state() == "已送达"
    documents = page.inner_text("[data-testid=documents]")
    for title in (
        "立案审批表",
        "行政处罚告知书",
        "听证告知书",
        "听证笔录",
        "法制审核意见书",
        "集体讨论记录",
        "行政处罚决定书",
        "信用修复告知书",
    ):
        assert title in documents, title
    timeline = page.inner_text("[data-testid=timeline]")
    assert "当事人对事实无异议" in timeline
    assert "添加证据" in timeline
    for desk in (officer, leader, reviewer):
        desk.context.close()
