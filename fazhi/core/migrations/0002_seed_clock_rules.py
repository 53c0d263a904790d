"""Seed the statutory time-limit rules (DOMAIN §1–3), each with its source.

Rules tagged [S3] in DOMAIN (third-party source) and [U] (no source) are
seeded with verified=False so the UI flags them until an administrator has
checked the official text.
"""

import datetime

from django.db import migrations

D = datetime.date

PENALTY_LAW = D(2021, 7, 15)  # 行政处罚法（2021修订）第八十六条
LICENSE_LAW = D(2019, 4, 23)  # 行政许可法（2019修正）
RECONSIDERATION_LAW = D(2024, 1, 1)  # 行政复议法（2023修订）第九十条
LITIGATION_LAW = D(2017, 7, 1)  # 行政诉讼法（2017修正）
COERCION_LAW = D(2012, 1, 1)  # 行政强制法 第七十一条
OPINION_118 = D(2018, 12, 5)  # 国办发〔2018〕118号 印发日期（第三方来源）

S3_NOTE = "第三方来源（DOMAIN [S3]）：规则很可能正确，但依据为转述原文的网页，请核对正式文本后再标记为已核实。"

RULES = [
    # 行政处罚法（2021）: 二、三、五、七日为工作日（第八十五条），其余为自然日。
    dict(code="penalty_decision", name="作出行政处罚决定（自立案之日起）", length=90, unit="calendar",
         source="《行政处罚法》第六十条", effective_from=PENALTY_LAW,
         notes="法律、法规、规章另有规定的，从其规定。"),
    dict(code="penalty_hearing_request", name="当事人要求听证（自告知之日起）", length=5, unit="workday",
         source="《行政处罚法》第六十四条第（一）项、第八十五条", effective_from=PENALTY_LAW),
    dict(code="penalty_hearing_notice", name="听证通知（最早可举行听证之日，自通知之日起）", length=7,
         unit="workday", source="《行政处罚法》第六十四条第（二）项、第八十五条",
         effective_from=PENALTY_LAW,
         notes="法律要求在举行听证的七日前通知；自通知之日起计算，结果为最早可以举行听证的日期。"),
    dict(code="penalty_service", name="送达行政处罚决定书（当事人不在场，自宣告之日起）", length=7,
         unit="workday", source="《行政处罚法》第六十一条、第八十五条", effective_from=PENALTY_LAW),
    dict(code="penalty_evidence_preservation", name="先行登记保存后作出处理决定", length=7,
         unit="workday", source="《行政处罚法》第五十六条、第八十五条", effective_from=PENALTY_LAW),
    dict(code="penalty_publication_withdraw", name="撤回已公开的处罚决定信息并说明理由", length=3,
         unit="workday", source="《行政处罚法》第四十八条第二款、第八十五条", effective_from=PENALTY_LAW),
    dict(code="penalty_payment", name="缴纳罚款（自收到决定书之日起）", length=15, unit="calendar",
         source="《行政处罚法》第六十七条第三款", effective_from=PENALTY_LAW),
    dict(code="penalty_cash_handover", name="当场收缴的罚款交至行政机关（自收缴之日起）", length=2,
         unit="workday", source="《行政处罚法》第六十八条、第七十一条、第八十五条",
         effective_from=PENALTY_LAW, notes="在水上当场收缴的，自抵岸之日起计算。"),
    dict(code="penalty_cash_deposit", name="行政机关将当场收缴的罚款缴付指定银行", length=2,
         unit="workday", source="《行政处罚法》第七十一条、第八十五条", effective_from=PENALTY_LAW),
    dict(code="penalty_limitation", name="行政处罚追责时效（违法行为未被发现）", length=2, unit="year",
         roll_forward=False, source="《行政处罚法》第三十六条", effective_from=PENALTY_LAW,
         notes="自违法行为发生之日起计算；有连续或者继续状态的，从行为终了之日起计算。"
               "时效期间不是当事人的程序期间，期满日不顺延。法律另有规定的除外。"),
    dict(code="penalty_limitation_extended",
         name="行政处罚追责时效（涉及公民生命健康安全、金融安全且有危害后果）", length=5, unit="year",
         roll_forward=False, source="《行政处罚法》第三十六条", effective_from=PENALTY_LAW,
         notes="自违法行为发生之日起计算；有连续或者继续状态的，从行为终了之日起计算。期满日不顺延。"),
    dict(code="penalty_statement_defence", name="当事人陈述、申辩", length=3, unit="workday",
         source="无全国性规定（《行政处罚法》第四十四条、第四十五条未规定期限）",
         effective_from=PENALTY_LAW, verified=False,
         notes="未核实（DOMAIN [U]）：地方规定常见3个或5个工作日，请按本地规定调整。"),
    dict(code="legal_review", name="重大执法决定法制审核", length=5, unit="workday",
         source="无全国性规定（《行政处罚法》第五十八条、国办发〔2018〕118号均未规定期限）",
         effective_from=PENALTY_LAW, verified=False,
         notes="未核实（DOMAIN [U]）：地方规定常为3至5个工作日，疑难复杂案件可至10个工作日。"),
    # 行政许可法（2019）: 期限以工作日计算（第八十二条）；第四十五条所列时间不计入本节期限。
    dict(code="license_correction_notice", name="一次性告知申请人补正材料", length=5, unit="workday",
         source="《行政许可法》第三十二条第一款第（四）项、第八十二条", effective_from=LICENSE_LAW,
         notes="逾期不告知的，自收到申请材料之日起即为受理。"),
    dict(code="license_decision", name="作出行政许可决定（自受理之日起）", length=20, unit="workday",
         pausable=True, source="《行政许可法》第四十二条第一款、第四十五条、第八十二条",
         effective_from=LICENSE_LAW,
         notes="听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审所需时间不计入，并应书面告知申请人。"
               "法律、法规另有规定的，依照其规定。"),
    dict(code="license_decision_extension", name="行政许可决定延长期限（经本机关负责人批准）",
         length=10, unit="workday", pausable=True,
         source="《行政许可法》第四十二条第一款、第八十二条", effective_from=LICENSE_LAW,
         notes="应当将延长期限的理由告知申请人。"),
    dict(code="license_joint_decision", name="统一、联合、集中办理的行政许可决定", length=45,
         unit="workday", pausable=True, source="《行政许可法》第四十二条第二款、第八十二条",
         effective_from=LICENSE_LAW),
    dict(code="license_joint_extension", name="统一、联合、集中办理延长期限（经本级人民政府负责人批准）",
         length=15, unit="workday", pausable=True,
         source="《行政许可法》第四十二条第二款、第八十二条", effective_from=LICENSE_LAW),
    dict(code="license_lower_level_review", name="下级行政机关审查完毕（自受理之日起）", length=20,
         unit="workday", pausable=True, source="《行政许可法》第四十三条、第八十二条",
         effective_from=LICENSE_LAW),
    dict(code="license_certificate_issue", name="颁发、送达行政许可证件（自作出决定之日起）", length=10,
         unit="workday", pausable=True, source="《行政许可法》第四十四条、第八十二条",
         effective_from=LICENSE_LAW),
    dict(code="license_hearing_request", name="申请人、利害关系人申请听证（自被告知之日起）", length=5,
         unit="workday", source="《行政许可法》第四十七条第一款、第八十二条", effective_from=LICENSE_LAW),
    dict(code="license_hearing_hold", name="组织听证（自收到听证申请之日起）", length=20, unit="workday",
         source="《行政许可法》第四十七条第一款、第八十二条", effective_from=LICENSE_LAW),
    dict(code="license_hearing_notice", name="听证通知（最早可举行听证之日，自通知之日起）", length=7,
         unit="workday", source="《行政许可法》第四十八条第一款第（一）项、第八十二条",
         effective_from=LICENSE_LAW,
         notes="应当于举行听证的七日前通知；计算结果为最早可以举行听证的日期。"),
    # 行政执法公示（国办发〔2018〕118号）与双公示: 第三方来源。
    dict(code="publicity_license_penalty", name="公示行政许可、行政处罚决定信息（自作出决定之日起）",
         length=7, unit="workday", source="国办发〔2018〕118号", effective_from=OPINION_118,
         verified=False, notes=S3_NOTE + "法律、行政法规另有规定的除外。生效日期取印发日期，未核实。"),
    dict(code="publicity_general", name="公示一般行政执法决定信息（自作出决定之日起）", length=20,
         unit="workday", source="国办发〔2018〕118号", effective_from=OPINION_118, verified=False,
         notes=S3_NOTE + "生效日期取印发日期，未核实。"),
    dict(code="credit_publicity", name="双公示：报送、公示行政许可和行政处罚信用信息（自作出决定之日起）",
         length=7, unit="workday", source="发改办财金〔2018〕424号", effective_from=D(2019, 1, 1),
         verified=False,
         notes=S3_NOTE + "生效日期未核实，暂取2019年1月1日（发改办财金〔2018〕790号数据标准施行之日）。"),
    # 救济途径
    dict(code="reconsideration_application", name="申请行政复议（自知道或者应当知道行政行为之日起）",
         length=60, unit="calendar", source="《行政复议法》（2023修订）第二十条、第八十八条",
         effective_from=RECONSIDERATION_LAW, notes="法律规定的申请期限超过六十日的除外。"),
    dict(code="litigation_filing", name="直接提起行政诉讼（自知道或者应当知道作出行政行为之日起）",
         length=6, unit="month", source="《行政诉讼法》第四十六条", effective_from=LITIGATION_LAW,
         notes="法律另有规定的除外。"),
    dict(code="litigation_after_reconsideration", name="不服复议决定提起行政诉讼（自收到复议决定书之日起）",
         length=15, unit="calendar", source="《行政诉讼法》第四十五条", effective_from=LITIGATION_LAW,
         notes="复议机关逾期不作决定的，自复议期满之日起十五日内起诉。"),
    # 行政强制法: 十日以内的期限为工作日（第六十九条）。
    dict(code="coercion_seizure", name="查封、扣押期限（自查封、扣押之日起）", length=30, unit="calendar",
         roll_forward=False, source="《行政强制法》第二十五条", effective_from=COERCION_LAW,
         notes="应在期限内作出处理决定（第二十七条）。查封、扣押限制当事人财产，期满日不顺延；"
               "法律、行政法规另有规定的除外。"),
    dict(code="coercion_seizure_extension", name="查封、扣押延长期限（经行政机关负责人批准）", length=30,
         unit="calendar", roll_forward=False, source="《行政强制法》第二十五条",
         effective_from=COERCION_LAW, notes="延长决定应当及时书面告知当事人并说明理由。"),
    dict(code="enforcement_demand", name="催告后申请人民法院强制执行（自催告书送达之日起）", length=10,
         unit="workday", source="《行政强制法》第五十四条、第六十九条", effective_from=COERCION_LAW,
         notes="第六十九条：本法中十日以内期限的规定是指工作日。计算结果为最早可以申请强制执行的日期。"),
    dict(code="court_enforcement_application", name="申请人民法院强制执行（自复议、诉讼期限届满之日起）",
         length=3, unit="month", source="《行政强制法》第五十三条", effective_from=COERCION_LAW),
]


def seed(apps, schema_editor):
    ClockRule = apps.get_model("core", "ClockRule")
    for row in RULES:
        values = {"start_day_counts": False, "roll_forward": True, "pausable": False,
                  "verified": True, "notes": "", **row}
        code = values.pop("code")
        effective_from = values.pop("effective_from")
        ClockRule.objects.update_or_create(code=code, effective_from=effective_from, defaults=values)


def unseed(apps, schema_editor):
    ClockRule = apps.get_model("core", "ClockRule")
    for row in RULES:
        ClockRule.objects.filter(code=row["code"], effective_from=row["effective_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
