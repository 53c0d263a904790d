from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("Agency")
    SECTION = "section", _("Section")
    DETACHMENT = "detachment", _("Enforcement detachment")
    BRIGADE = "brigade", _("Enforcement brigade")
    COORDINATION_BODY = "coordination_body", _("Coordination body")


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class RoleCode(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    LEADER = "leader", _("Bureau leader")
    LEGAL_REVIEWER = "legal_reviewer", _("Legal reviewer")
    OFFICER = "officer", _("Enforcement officer")
    LICENSING_CLERK = "licensing_clerk", _("Licensing clerk")
    SUPERVISOR = "supervisor", _("Enforcement supervisor")
    ENTERPRISE = "enterprise", _("Enterprise user")


class Scope(models.TextChoices):
    """How far a role sees beyond the user's own unit."""

    UNIT = "unit", _("Own unit and its sub-units")
    AGENCY = "agency", _("Own agency and its subordinate agencies")
    ALL = "all", _("Everything")
    OWN = "own", _("Only records linked to the user")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Statutory holiday (rest day)")
    WORKDAY = "workday", _("Make-up working day")


class CalendarKind(models.TextChoices):
    """What a day is for counting time limits (工作日 / 周末 / 法定节假日 / 调休上班日)."""

    WORKDAY = "workday", _("Working day")
    WEEKEND = "weekend", _("Weekend")
    HOLIDAY = "holiday", _("Statutory holiday")
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")


class DayOrigin(models.TextChoices):
    """Where the calendar's answer for a day comes from."""

    OVERRIDE = "override", _("Administrator override")
    PACKAGE = "package", _("State Council holiday notice")
    WEEKDAY = "weekday", _("Ordinary week")
    ASSUMED = "assumed", _("Unknown year: weekends only")


class ClockUnit(models.TextChoices):
    WORKDAY = "workday", _("Working days")
    CALENDAR = "calendar", _("Calendar days")
    MONTH = "month", _("Months")
    YEAR = "year", _("Years")


class Province(models.TextChoices):
    """省级行政区划 — the first two digits of a GB/T 2260 region code (proper names)."""

    BEIJING = "11", "北京市"
    TIANJIN = "12", "天津市"
    HEBEI = "13", "河北省"
    SHANXI = "14", "山西省"
    INNER_MONGOLIA = "15", "内蒙古自治区"
    LIAONING = "21", "辽宁省"
    JILIN = "22", "吉林省"
    HEILONGJIANG = "23", "黑龙江省"
    SHANGHAI = "31", "上海市"
    JIANGSU = "32", "江苏省"
    ZHEJIANG = "33", "浙江省"
    ANHUI = "34", "安徽省"
    FUJIAN = "35", "福建省"
    JIANGXI = "36", "江西省"
    SHANDONG = "37", "山东省"
    HENAN = "41", "河南省"
    HUBEI = "42", "湖北省"
    HUNAN = "43", "湖南省"
    GUANGDONG = "44", "广东省"
    GUANGXI = "45", "广西壮族自治区"
    HAINAN = "46", "海南省"
    CHONGQING = "50", "重庆市"
    SICHUAN = "51", "四川省"
    GUIZHOU = "52", "贵州省"
    YUNNAN = "53", "云南省"
    TIBET = "54", "西藏自治区"
    SHAANXI = "61", "陕西省"
    GANSU = "62", "甘肃省"
    QINGHAI = "63", "青海省"
    NINGXIA = "64", "宁夏回族自治区"
    XINJIANG = "65", "新疆维吾尔自治区"
    TAIWAN = "71", "台湾省"
    HONG_KONG = "81", "香港特别行政区"
    MACAO = "82", "澳门特别行政区"


class AttachmentRole(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence")
    DOCUMENT = "document", _("Document")
    IMPORT = "import", _("Import file")
    OTHER = "other", _("Other")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
