"""Simplified Chinese formats that differ from Django's.

Django lists ``%Y/%m/%d`` first, and a DateInput renders its value with the
first input format: ``<input type=date value="2021/09/01">``, which browsers
drop, so a Chinese form loses its dates. ISO comes first here; the other
written forms are still accepted when typed.
"""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-12-05 (what <input type=date> sends and needs)
    "%Y/%m/%d",  # 2026/12/05
    "%Y年%m月%d日",  # 2026年12月5日
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",  # <input type=datetime-local>
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
]
