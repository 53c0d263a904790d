"""Clock rules: the date each limit first applied, earlier versions, fixes (issue 12).

- Rules are looked up by the day a clock starts, so a rule must be in force
  from the day its limit first applied, not from the law's last amendment:
  行政许可法's limits apply since 2004-07-01 (Art. 83), 行政诉讼法's since the
  2014 amendment took effect (2015-05-01). Where the limit itself changed,
  the earlier limit is kept as an earlier version: 行政处罚法 1996 (in force
  1996-10-01; the 2021 revision made its 二日、三日、五日、七日 working days,
  Art. 85, and the hearing request 5 days instead of 3), 行政复议法 1999
  (60 days, Art. 9), 行政诉讼法 1989 (3 months, Art. 39). The earlier texts are
  not in the law library, so those versions are seeded unverified.
- 行政强制法 Art. 25 ¶3: 检测、检验、检疫、技术鉴定 periods are not part of the
  查封/扣押 period, so both seizure rules are pausable (the pause records the
  reason, and the party must be told of the period in writing).
- 行政许可法 Art. 47's five days is the applicant's period; Art. 82 makes only
  the agency's limits working days. The rule is unverified and its unit is
  left to the province (an administrator edits it).
- The cash hand-over limit is in 行政处罚法 Art. 71 (Art. 68 says when cash may
  be collected).
"""

import datetime

from django.db import migrations

D = datetime.date
OLD_TEXT = "较早文本未收录于本系统法规库，请核对正式文本后再标记为已核实。"
PENALTY_1996 = D(1996, 10, 1)
PENALTY_2021 = D(2021, 7, 15)
LICENSE_2019 = D(2019, 4, 23)
LICENSE_2004 = D(2004, 7, 1)
LITIGATION_2017 = D(2017, 7, 1)
LITIGATION_2015 = D(2015, 5, 1)
LITIGATION_1990 = D(1990, 10, 1)
RECONSIDERATION_1999 = D(1999, 10, 1)
RECONSIDERATION_2024 = D(2024, 1, 1)

LICENSE_CODES = [
    "license_correction_notice",
    "license_decision",
    "license_decision_extension",
    "license_joint_decision",
    "license_joint_extension",
    "license_lower_level_review",
    "license_certificate_issue",
    "license_hearing_request",
    "license_hearing_hold",
    "license_hearing_notice",
]

# Earlier versions: (code, effective_from, effective_to of the earlier version, fields).
EARLIER = [
    (
        "penalty_hearing_request",
        PENALTY_1996,
        PENALTY_2021,
        dict(
            name="当事人要求听证（自告知之日起）",
            length=3,
            unit="calendar",
            source="《行政处罚法》（1996）第四十二条第一款第（一）项",
            notes="1996年文本：当事人要求听证的，应当在行政机关告知后三日内提出。该法未规定以工作日计算。",
        ),
    ),
    (
        "penalty_hearing_notice",
        PENALTY_1996,
        PENALTY_2021,
        dict(
            name="听证通知（最早可举行听证之日，自通知之日起）",
            length=7,
            unit="calendar",
            source="《行政处罚法》（1996）第四十二条第一款第（二）项",
            notes="1996年文本：行政机关应当在听证的七日前，通知当事人举行听证的时间、地点。",
        ),
    ),
    (
        "penalty_service",
        PENALTY_1996,
        PENALTY_2021,
        dict(
            name="送达行政处罚决定书（当事人不在场，自宣告之日起）",
            length=7,
            unit="calendar",
            source="《行政处罚法》（1996）第四十条",
            notes="",
        ),
    ),
    (
        "penalty_evidence_preservation",
        PENALTY_1996,
        PENALTY_2021,
        dict(
            name="先行登记保存后作出处理决定",
            length=7,
            unit="calendar",
            source="《行政处罚法》（1996）第三十七条第二款",
            notes="",
        ),
    ),
    (
        "penalty_payment",
        PENALTY_1996,
        PENALTY_2021,
        dict(
            name="缴纳罚款（自收到决定书之日起）",
            length=15,
            unit="calendar",
            source="《行政处罚法》（1996）第四十六条第三款",
            notes="",
        ),
    ),
    (
        "penalty_cash_handover",
        PENALTY_1996,
        PENALTY_2021,
        dict(
            name="当场收缴的罚款交至行政机关（自收缴之日起）",
            length=2,
            unit="calendar",
            source="《行政处罚法》（1996）第五十条",
            notes="在水上当场收缴的，自抵岸之日起计算。",
        ),
    ),
    (
        "penalty_cash_deposit",
        PENALTY_1996,
        PENALTY_2021,
        dict(
            name="行政机关将当场收缴的罚款缴付指定银行",
            length=2,
            unit="calendar",
            source="《行政处罚法》（1996）第五十条",
            notes="",
        ),
    ),
    (
        "penalty_limitation",
        PENALTY_1996,
        PENALTY_2021,
        dict(
            name="行政处罚追责时效（违法行为未被发现）",
            length=2,
            unit="year",
            roll_forward=False,
            source="《行政处罚法》（1996）第二十九条",
            notes="违法行为在二年内未被发现的，不再给予行政处罚。法律另有规定的除外。期满日不顺延。",
        ),
    ),
    (
        "reconsideration_application",
        RECONSIDERATION_1999,
        RECONSIDERATION_2024,
        dict(
            name="申请行政复议（自知道该具体行政行为之日起）",
            length=60,
            unit="calendar",
            source="《行政复议法》（1999）第九条",
            notes="法律规定的申请期限超过六十日的除外。",
        ),
    ),
    (
        "litigation_filing",
        LITIGATION_1990,
        LITIGATION_2015,
        dict(
            name="直接提起行政诉讼（自知道作出具体行政行为之日起）",
            length=3,
            unit="month",
            source="《行政诉讼法》（1989）第三十九条",
            notes="法律另有规定的除外。",
        ),
    ),
    (
        "litigation_after_reconsideration",
        LITIGATION_1990,
        LITIGATION_2015,
        dict(
            name="不服复议决定提起行政诉讼（自收到复议决定书之日起）",
            length=15,
            unit="calendar",
            source="《行政诉讼法》（1989）第三十八条第二款",
            notes="",
        ),
    ),
]

SEIZURE_NOTE = (
    "对物品需要进行检测、检验、检疫或者技术鉴定的，查封、扣押的期间不包括检测、检验、检疫或者技术鉴定的期间"
    "（第二十五条第三款）：暂停计时并记录原因；该期间应当明确，并书面告知当事人。"
)
HEARING_REQUEST_NOTE = (
    "未核实：第四十七条的五日是申请人、利害关系人提出听证申请的期间；第八十二条只规定行政机关实施"
    "行政许可的期限以工作日计算，该五日按工作日还是自然日计算没有明文规定。默认按工作日，"
    "各省可按本省规定或司法实践改为自然日（编辑本规则的单位）。"
)


def forward(apps, schema_editor):
    ClockRule = apps.get_model("core", "ClockRule")
    one_day = datetime.timedelta(days=1)
    # 行政许可法: the limits have applied since 2004-07-01 (unchanged in 2019).
    for code in LICENSE_CODES:
        if not ClockRule.objects.filter(code=code, effective_from=LICENSE_2004).exists():
            ClockRule.objects.filter(code=code, effective_from=LICENSE_2019).update(
                effective_from=LICENSE_2004
            )
    # 行政诉讼法: 6 months and 15 days since the 2014 amendment took effect.
    for code in ("litigation_filing", "litigation_after_reconsideration"):
        if not ClockRule.objects.filter(code=code, effective_from=LITIGATION_2015).exists():
            ClockRule.objects.filter(code=code, effective_from=LITIGATION_2017).update(
                effective_from=LITIGATION_2015
            )
    for code, start, next_start, fields in EARLIER:
        ClockRule.objects.update_or_create(
            code=code,
            effective_from=start,
            defaults={
                "start_day_counts": False,
                "roll_forward": True,
                "pausable": False,
                **fields,
                "effective_to": next_start - one_day,
                "verified": False,
                "notes": (fields["notes"] + " " + OLD_TEXT).strip(),
            },
        )
    ClockRule.objects.filter(code__in=["coercion_seizure", "coercion_seizure_extension"]).update(
        pausable=True
    )
    for rule in ClockRule.objects.filter(
        code__in=["coercion_seizure", "coercion_seizure_extension"]
    ):
        if SEIZURE_NOTE not in rule.notes:
            rule.notes = (rule.notes + SEIZURE_NOTE).strip()
            rule.source = "《行政强制法》第二十五条"
            rule.save(update_fields=["notes", "source"])
    ClockRule.objects.filter(code="license_hearing_request").update(
        verified=False,
        notes=HEARING_REQUEST_NOTE,
        source="《行政许可法》第四十七条第一款（第八十二条仅适用于行政机关的期限）",
    )
    ClockRule.objects.filter(code="penalty_cash_handover", effective_from=PENALTY_2021).update(
        source="《行政处罚法》第七十一条、第八十五条"
    )


def backward(apps, schema_editor):
    ClockRule = apps.get_model("core", "ClockRule")
    for code, start, _next, _fields in EARLIER:
        ClockRule.objects.filter(code=code, effective_from=start).delete()
    for code in LICENSE_CODES:
        ClockRule.objects.filter(code=code, effective_from=LICENSE_2004).update(
            effective_from=LICENSE_2019
        )
    for code in ("litigation_filing", "litigation_after_reconsideration"):
        ClockRule.objects.filter(code=code, effective_from=LITIGATION_2015).update(
            effective_from=LITIGATION_2017
        )
    ClockRule.objects.filter(code__in=["coercion_seizure", "coercion_seizure_extension"]).update(
        pausable=False
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0004_object_clock")]

    operations = [migrations.RunPython(forward, backward)]
